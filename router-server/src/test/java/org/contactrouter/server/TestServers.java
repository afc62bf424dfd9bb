package org.contactrouter.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.contactrouter.access.ApiKeys;
import org.contactrouter.ledger.Ledger;

/** A whole router on loopback for tests: embedded Kafka and ledger in a folder, a free HTTP port, a small config. */
final class TestServers {

    /** A key of the test integration, with every scope; {@link ServerClient} sends it unless a test sends its own. */
    static final String API_KEY = ApiKeys.generate("tests");

    private TestServers() {
    }

    /** Writes integrations.yaml with the test key ({@link #API_KEY}) into a config directory. */
    static void writeIntegrations(Path config) throws java.io.IOException {
        Files.writeString(config.resolve("integrations.yaml"), """
                integrations:
                  - id: tests
                    keyHash: "%s"
                    scopes: [contacts:create, history:read, reports:read, metrics:read]
                """.formatted(ApiKeys.hash(API_KEY)));
    }

    /**
     * Starts a server whose config (one support queue, agents ann and bob, unless the test wrote its own files) and
     * data live under {@code dir}.
     */
    static RouterServer start(Path dir) throws Exception {
        return start(dir, variable -> null);
    }

    /** As {@link #start(Path)}, with channel secrets from {@code env}; a router.yaml in {@code dir}/config is read. */
    static RouterServer start(Path dir, java.util.function.Function<String, String> env) throws Exception {
        Path config = config(dir);
        return RouterServer.start(new ServerSettings(config, dir.resolve("data"), HttpSettings.plain("127.0.0.1", 0),
                null, Map.of(), 0, 2, (short) 1, null, null, null, Ledger.DEFAULT_TIMEOUT, "test",
                Duration.ofMillis(200), List.of()), Clock.systemUTC(), env);
    }

    /** {@code dir}/config with the small config of {@link #start(Path)}, unless the test wrote its own files. */
    static Path config(Path dir) throws java.io.IOException {
        Path config = dir.resolve("config");
        Files.createDirectories(config);
        if (!Files.exists(config.resolve("agents.yaml"))) {
            Files.writeString(config.resolve("agents.yaml"), """
                    skills: [support]
                    agents:
                      - id: ann
                        name: Ann Example
                        skills: { support: 3 }
                      - id: bob
                        name: Bob Example
                        skills: { support: 3 }
                    """);
        }
        if (!Files.exists(config.resolve("integrations.yaml"))) {
            writeIntegrations(config);
        }
        if (!Files.exists(config.resolve("routing.yaml"))) {
            Files.writeString(config.resolve("routing.yaml"), """
                    queues:
                      - id: support
                        channels: [email, chat, sms, voice]
                        skills: { support: 1 }
                        responseTarget: { email: 4h, chat: 1m }
                    rules:
                      - id: everything
                        queue: support
                    """);
        }
        return config;
    }
}
