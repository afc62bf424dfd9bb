package org.contactrouter.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.contactrouter.channels.email.EmailSettings;
import org.contactrouter.channels.twilio.TwilioSettings;
import org.contactrouter.channels.webchat.ChatSettings;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * The channels this server runs, from the {@code channels} section of {@code router.yaml}: each one's settings, or
 * null when it is not enabled. Problems carry file, line and field like those of the routing files.
 *
 * @param twilio   Twilio voice, SMS and WhatsApp, or null
 * @param email    the mailbox, or null
 * @param chat     the web chat, or null
 * @param problems what is wrong; the settings are only meaningful when there is no error
 */
public record ChannelConfig(TwilioSettings twilio, EmailSettings email, ChatSettings chat, List<Problem> problems) {

    /** The key of the section in router.yaml. */
    public static final String SECTION = "channels";
    private static final String FILE = "router.yaml";

    /** The routing domains contacts may go to: {@code default} and every domain a channel names. */
    public java.util.Set<String> domains() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        out.add(org.contactrouter.events.ContactEvent.DEFAULT_DOMAIN);
        if (twilio != null) {
            out.add(twilio.defaultDomain());
            out.addAll(twilio.domainByNumber().values());
        }
        if (email != null && email.domain() != null) {
            out.add(email.domain());
        }
        if (chat != null && chat.domain() != null) {
            out.add(chat.domain());
        }
        return java.util.Set.copyOf(out);
    }

    public boolean hasErrors() {
        return problems.stream().anyMatch(Problem::isError);
    }

    /**
     * Reads the section from {@code routerYaml} (a missing file or section: the defaults, the web chat only).
     *
     * @param env     the environment, for the secrets
     * @param dataDir where the email adapter keeps attachments and threads
     */
    public static ChannelConfig load(Path routerYaml, Function<String, String> env, Path dataDir) {
        List<Problem> problems = new ArrayList<>();
        ChannelSchema schema = new ChannelSchema(env, dataDir);
        Node section = null;
        try (Reader r = Files.newBufferedReader(routerYaml, StandardCharsets.UTF_8)) {
            Node root = new Yaml().compose(r);
            if (root instanceof MappingNode mapping) {
                for (NodeTuple t : mapping.getValue()) {
                    if (t.getKeyNode() instanceof ScalarNode key && key.getValue().equals(SECTION)) {
                        section = t.getValueNode();
                    }
                }
            }
        } catch (NoSuchFileException e) {
            // no router.yaml: defaults
        } catch (MarkedYAMLException e) {
            problems.add(new Problem(FILE, e.getProblemMark().getLine() + 1, e.getProblemMark().getColumn() + 1, "",
                    e.getProblem(), org.contactrouter.routing.ConfigProblem.Severity.ERROR));
        } catch (IOException e) {
            problems.add(new Problem(FILE, 0, 0, "", "cannot read " + routerYaml + " (" + e + ")",
                    org.contactrouter.routing.ConfigProblem.Severity.ERROR));
        }
        ChannelSchema.Channels channels;
        try {
            ObjectType<ChannelSchema.Channels> type = schema.channels();
            if (section == null || Types.isNull(section)) {
                channels = problems.isEmpty() ? type.defaults() : null;
            } else {
                channels = type.read(section, Cursor.root(FILE, problems).field(SECTION));
            }
        } catch (IllegalArgumentException e) {
            // A default bound to a bad secret from the environment: the chat, on by default, and its visitor secret.
            problems.add(new Problem(FILE, 0, 0, SECTION, e.getMessage(),
                    org.contactrouter.routing.ConfigProblem.Severity.ERROR));
            channels = null;
        }
        if (channels == null) {
            return new ChannelConfig(null, null, null, List.copyOf(problems));
        }
        return new ChannelConfig(channels.twilio(), channels.email(), channels.chat(), List.copyOf(problems));
    }

    /** The section's declarations, for docs/configuration.md. */
    static ObjectType<?> schema() {
        return new ChannelSchema(v -> null, Path.of("data")).channels();
    }
}
