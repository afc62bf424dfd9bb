package org.contactrouter.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Config directories for tests: a small valid config, and the repository's files. */
public final class TestConfigs {

    /** Two agents; loads with neither error nor warning together with {@link #ROUTING}. */
    public static final String AGENTS = """
            skills: [billing, tech]
            agents:
              - id: ann
                skills: { billing: 4, tech: 2 }
              - id: bob
                skills: { tech: 3 }
            """;

    public static final String ROUTING = """
            queues:
              - id: billing
                channels: [voice, chat]
                skills: { billing: 2 }
              - id: general
                channels: [voice, chat]
            rules:
              - id: everything-else
                queue: general
            """;

    private TestConfigs() {
    }

    /** Writes routing.yaml and agents.yaml into {@code dir}. */
    public static Path write(Path dir, String routing, String agents) {
        replace(dir, "routing.yaml", routing);
        replace(dir, "agents.yaml", agents);
        return dir;
    }

    /** Replaces a file in one step, as the docs ask of operators. */
    public static void replace(Path dir, String file, String content) {
        try {
            Path tmp = Files.writeString(dir.resolve(file + ".tmp"), content);
            Files.move(tmp, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository root: Maven passes it as repoRoot; an IDE running in router-server/ finds it one up. */
    public static Path repoRoot() {
        return Path.of(System.getProperty("repoRoot", "..")).toAbsolutePath().normalize();
    }
}
