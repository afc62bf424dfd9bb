package org.contactrouter.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.contactrouter.config.ConfigSnapshot;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.Customer;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.Identity;
import org.junit.jupiter.api.Test;

/** The journal is what a restore replays: every kind of entry must come back exactly as it was written. */
class JournalEntryTest {

    private static final Instant NOW = Instant.parse("2026-11-23T09:15:30.123Z");

    @Test
    void eventTickAndConfigEntriesComeBackExactly() {
        ContactEvent event = new ContactEvent("twilio:SM1", "/twilio/sms", NOW.minusSeconds(2), "sms:+4917012345678",
                "billing", new CustomerMessage(Channel.SMS, "+4917012345678", Customer.of("Kim",
                Identity.phone("+4917012345678")), "+4930111", "de", null, "Rechnung falsch", Map.of("tier", "gold")));
        ConfigSnapshot config = new ConfigSnapshot("3f9a1c2b7d4e", Map.of("agents.yaml", "skills: [x]\n",
                "routing.yaml", "queues: []\n# ünïcode\n"));
        for (JournalEntry entry : new JournalEntry[] {JournalEntry.event(event, NOW), JournalEntry.tick("billing", NOW),
                JournalEntry.config(RoutingLoop.PARTITION, config, NOW)}) {
            assertThat(JournalEntry.fromBytes(entry.toBytes())).as(entry.kind()).isEqualTo(entry);
        }
    }

    @Test
    void anEntryOfUnknownKindIsRefusedWithItsText() {
        byte[] odd = "{\"kind\":\"snapshot\",\"domain\":\"default\",\"now\":\"2026-11-23T09:00:00Z\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> JournalEntry.fromBytes(odd)).hasMessageContaining("unknown journal entry kind")
                .hasMessageContaining("snapshot");
    }
}
