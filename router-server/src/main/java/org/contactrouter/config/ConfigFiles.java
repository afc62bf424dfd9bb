package org.contactrouter.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.contactrouter.routing.ConfigProblem.Severity;

/**
 * The files of a config directory as read at one moment, and their version: the first 12 hex digits of the SHA-256
 * over each file's name and content, in name order. The same files give the same version on every instance.
 *
 * @param contents file name to content, for the files present
 * @param problems required files missing or unreadable
 * @param version  the content address of {@code contents}
 */
record ConfigFiles(Map<String, byte[]> contents, List<Problem> problems, String version) {

    static ConfigFiles read(Path dir) {
        Map<String, byte[]> contents = new TreeMap<>();
        List<Problem> problems = new ArrayList<>();
        for (ConfigFile<?> file : ConfigSchema.FILES) {
            try {
                contents.put(file.name(), Files.readAllBytes(dir.resolve(file.name())));
            } catch (NoSuchFileException e) {
                if (file.required()) {
                    problems.add(new Problem(file.name(), 0, 0, "", "required file not found in " + dir,
                            Severity.ERROR));
                }
            } catch (IOException e) {
                problems.add(new Problem(file.name(), 0, 0, "", "cannot read: " + e, Severity.ERROR));
            }
        }
        return new ConfigFiles(contents, problems, version(contents));
    }

    static ConfigFiles of(Map<String, byte[]> contents) {
        return new ConfigFiles(contents, List.of(), version(contents));
    }

    private static String version(Map<String, byte[]> contents) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        contents.forEach((name, content) -> {
            sha256.update(name.getBytes(StandardCharsets.UTF_8));
            sha256.update(ByteBuffer.allocate(Long.BYTES + 1).put((byte) 0).putLong(content.length).array());
            sha256.update(content);
        });
        return HexFormat.of().formatHex(sha256.digest()).substring(0, 12);
    }
}
