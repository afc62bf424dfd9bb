package org.contactrouter.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The examples in docs/events.md are events as ContactEventJson writes them, one type or more each, and outbound
 * messages as OutboundMessageJson writes them.
 */
class EventsDocTest {

    /** Relative to this module, where the build runs its tests. */
    private static final Path DOC = Path.of("../../docs/events.md");
    private static final Pattern JSON_BLOCK = Pattern.compile("```json\n(.*?)\n```", Pattern.DOTALL);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void examplesAreEventsTheCodecWritesJustSo() throws IOException {
        for (String example : examples()) {
            ContactEvent event = ContactEventJson.read(example);

            assertThat(JSON.readTree(ContactEventJson.write(event))).as(example).isEqualTo(JSON.readTree(example));
        }
    }

    @Test
    void everyTypeHasAnExample() throws IOException {
        List<String> types = examples().stream().map(e -> ContactEventJson.read(e).data().type()).toList();

        assertThat(types).containsAll(ContactEventJson.types().keySet());
    }

    @Test
    void outboundExamplesAreMessagesTheCodecWritesJustSo() throws IOException {
        List<String> outbound = blocks().stream().filter(b -> b.contains("\"kind\"")).toList();
        assertThat(outbound).isNotEmpty();
        for (String example : outbound) {
            OutboundMessage message = OutboundMessageJson.read(example.getBytes(java.nio.charset.StandardCharsets.UTF_8));

            assertThat(JSON.readTree(OutboundMessageJson.write(message))).as(example).isEqualTo(JSON.readTree(example));
        }
    }

    private static List<String> examples() throws IOException {
        return blocks().stream().filter(b -> b.contains("\"specversion\"")).toList();
    }

    private static List<String> blocks() throws IOException {
        assertThat(DOC).as("docs/events.md, seen from channel-adapters/contact-events").exists();
        Matcher blocks = JSON_BLOCK.matcher(Files.readString(DOC));
        List<String> examples = new ArrayList<>();
        while (blocks.find()) {
            examples.add(blocks.group(1));
        }
        return examples;
    }
}
