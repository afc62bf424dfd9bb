package org.contactrouter.config;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The config files of one version, by content: what travels through the routing journal so that every instance,
 * and every replay, applies exactly the same config at the same point.
 *
 * @param version the content address of the files (see {@link ConfigLoader})
 * @param files   file name to its text
 */
public record ConfigSnapshot(String version, Map<String, String> files) {

    public ConfigSnapshot {
        Objects.requireNonNull(version, "version");
        files = Collections.unmodifiableMap(new TreeMap<>(files));
    }

    Map<String, byte[]> contents() {
        Map<String, byte[]> bytes = new TreeMap<>();
        files.forEach((name, text) -> bytes.put(name, text.getBytes(StandardCharsets.UTF_8)));
        return bytes;
    }
}
