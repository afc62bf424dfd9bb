package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.contactrouter.events.Presence;
import org.contactrouter.events.PresenceChanged;
import org.contactrouter.server.kafka.EmbeddedKafka;
import org.contactrouter.server.kafka.ScramKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The router on a Kafka cluster that lets in signed-in clients only (SASL_PLAINTEXT, SCRAM-SHA-256): the client
 * settings come from router.yaml's {@code kafka.client}, the JAAS line with the password from the environment, as an
 * operator would set them, and every client of the router (routing, ledger writer, feeds, producers) uses them.
 */
class SecuredKafkaTest {

    private static final String USER = "router";
    private static final String PASSWORD = "router-secret";

    @TempDir
    static Path brokerDir;

    private static EmbeddedKafka kafka;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startBroker() {
        kafka = ScramKafka.start(brokerDir, USER, PASSWORD);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Settings as `router run` reads them: router.yaml in the config dir, then the environment. */
    private ServerSettings settings(Map<String, String> env) throws Exception {
        Path config = TestServers.config(tmp);
        Files.writeString(config.resolve("router.yaml"), """
                kafka:
                  bootstrapServers: "%s"
                  client:
                    security.protocol: SASL_PLAINTEXT
                    sasl.mechanism: %s
                """.formatted(kafka.bootstrapServers(), ScramKafka.MECHANISM));
        RunCommand run = new RunCommand();
        new CommandLine(run).parseArgs("--config", config.toString(), "--data-dir", tmp.resolve("data").toString(),
                "--http-port", "0", "--partitions", "2", "--instance-id", "secured-" + tmp.getFileName());
        return run.settings(env::get);
    }

    @Test
    void routesAContactThroughAClusterThatRequiresSignIn() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("ROUTER_KAFKA_SASL_JAAS_CONFIG", ScramKafka.jaas(USER, PASSWORD));
        ServerSettings settings = settings(env);
        assertThat(settings.toString()).doesNotContain(PASSWORD);

        try (RouterServer server = RouterServer.start(settings, Clock.systemUTC(), env::get)) {
            await().atMost(Duration.ofSeconds(60)).until(server::isReady);
            assertThat(server.describe()).contains(kafka.bootstrapServers() + " (SASL_PLAINTEXT, SCRAM-SHA-256)");
            ServerClient client = new ServerClient(server);
            client.agentAction(new PresenceChanged("ann", Presence.AVAILABLE));
            assertThat(client.post("/api/contacts", """
                    {"id": "sec-1", "channel": "email", "customer": {"email": "sam@example.com"}, "text": "hello"}""")
                    .statusCode()).isEqualTo(202);

            // Routed by the routing loop and recorded by the ledger writer, both signed in to the cluster.
            JsonNode contact = await().atMost(Duration.ofSeconds(60)).until(() -> client.contactOf("sam@example.com"),
                    c -> c != null && ServerClient.has(c, "OFFERED"));
            assertThat(ServerClient.decision(contact, "OFFERED").path("agentId").asText()).isEqualTo("ann");

            JsonNode ready = client.get("/health/ready");
            assertThat(ready.path("kafka").asText()).isEqualTo("reachable");
            assertThat(ready.path("ledger").path("status").asText()).isEqualTo("ok");
            assertThat(ready.path("ledger").path("lastSuccessAt").asText()).isNotEmpty();
            // The data dir and the agent token key made in it are the router's user's only.
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(settings.dataDir())))
                    .isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    settings.dataDir().resolve("agent-token.key")))).isEqualTo("rw-------");
        }
    }

    @Test
    void wrongCredentialsStopTheStartWithAMessageSayingSo() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("ROUTER_KAFKA_SASL_JAAS_CONFIG", ScramKafka.jaas(USER, "not-the-password"));
        ServerSettings settings = settings(env);

        assertThatThrownBy(() -> RouterServer.start(settings, Clock.systemUTC(), env::get))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Kafka at " + kafka.bootstrapServers()
                        + " (SASL_PLAINTEXT, SCRAM-SHA-256) refused the router's credentials")
                .hasMessageContaining("ROUTER_KAFKA_SASL_JAAS_CONFIG")
                .hasMessageNotContaining("not-the-password");
    }
}
