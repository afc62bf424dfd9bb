package org.contactrouter.server.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.contactrouter.config.ConfigSnapshot;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactEventJson;

/**
 * One entry of the routing journal: exactly what one routing engine was given, in order, with the time it was given.
 * Replaying a domain's entries into a fresh engine rebuilds its state exactly, because the engine is deterministic.
 *
 * <p>Three kinds: an event (from a channel or an agent), a tick (time moved on; timers may fire), and a config (the
 * files of a config version, applied at this point).
 *
 * @param domain the routing domain whose engine it is for
 * @param now    the time given to the engine
 * @param event  for an event entry, else null
 * @param config for a config entry, else null
 */
public record JournalEntry(String domain, Instant now, ContactEvent event, ConfigSnapshot config) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public JournalEntry {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(now, "now");
        if (event != null && config != null) {
            throw new IllegalArgumentException("a journal entry is an event, a config, or a tick; not several");
        }
    }

    public static JournalEntry event(ContactEvent event, Instant now) {
        return new JournalEntry(event.domain(), now, event, null);
    }

    public static JournalEntry tick(String domain, Instant now) {
        return new JournalEntry(domain, now, null, null);
    }

    public static JournalEntry config(String domain, ConfigSnapshot config, Instant now) {
        return new JournalEntry(domain, now, null, config);
    }

    String kind() {
        return event != null ? "event" : config != null ? "config" : "tick";
    }

    public byte[] toBytes() {
        ObjectNode node = JSON.createObjectNode();
        node.put("kind", kind());
        node.put("domain", domain);
        node.put("now", now.toString());
        if (event != null) {
            node.set("event", ContactEventJson.toJson(event));
        }
        try {
            if (config != null) {
                ObjectNode c = node.putObject("config");
                c.put("version", config.version());
                ObjectNode files = c.putObject("files");
                config.files().forEach(files::put);
            }
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JournalEntry fromBytes(byte[] bytes) {
        try {
            JsonNode node = JSON.readTree(bytes);
            String domain = node.path("domain").asText();
            Instant now = Instant.parse(node.path("now").asText());
            switch (node.path("kind").asText()) {
                case "event":
                    return new JournalEntry(domain, now, ContactEventJson.read(node.get("event")), null);
                case "config":
                    JsonNode c = node.get("config");
                    Map<String, String> files = new TreeMap<>();
                    c.get("files").fields().forEachRemaining(f -> files.put(f.getKey(), f.getValue().asText()));
                    return new JournalEntry(domain, now, null, new ConfigSnapshot(c.get("version").asText(), files));
                case "tick":
                    return new JournalEntry(domain, now, null, null);
                default:
                    throw new IllegalArgumentException("unknown journal entry kind in "
                            + new String(bytes, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
