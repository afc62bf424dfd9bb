package org.contactrouter.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {

    @Test
    void checkedInReferenceIsWhatTheDeclarationsRender() throws IOException {
        Path docs = TestConfigs.repoRoot().resolve("docs/configuration.md");

        assertThat(Files.readString(docs))
                .as("docs/configuration.md is out of date with ConfigSchema; regenerate it from the repository root "
                        + "with:%n  %s%n", ConfigDocs.REGENERATE)
                .isEqualTo(ConfigDocs.render());
    }

    @Test
    void documentsEveryFieldWithTypeDefaultAndDoc() {
        assertThat(ConfigDocs.render())
                .contains("| `offerTimeout` | duration 5s..10m | `20s` | How long an agent has to accept an offer")
                .contains("| `capacity` | map of channel to int 0..20 | `{ voice: 1, sms: 3, whatsapp: 3, email: 2, "
                        + "chat: 3 }` |")
                .contains("| `escalation` | list of [escalation step](#escalation-step) | `[]` |")
                .contains("| `hours` | business hours id | always open |")
                .contains("| `queues` | list of [queue](#queue) | required |");
    }

    @Test
    void documentsEveryObjectOnceInItsOwnSection() {
        String docs = ConfigDocs.render();

        assertThat(docs.lines().filter(l -> l.startsWith("#")).toList()).containsExactly(
                "# Configuration reference", "## Values", "## Version and reload",
                "## routing.yaml", "### settings", "### business hours", "### queue", "### escalation step", "### rule",
                "### rule conditions",
                "## agents.yaml", "### agent defaults", "### agent",
                "## customers.yaml", "### customer",
                "## integrations.yaml", "### integration",
                "## router.yaml: channels", "### twilio", "### email", "### imap", "### smtp", "### chat");
    }
}
