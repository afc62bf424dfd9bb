package org.contactrouter.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.contactrouter.server.kafka.KafkaClients;

/**
 * How one server instance runs, settled once at start (defaults, cross-checks, then frozen).
 *
 * @param configDir          the routing config directory (routing.yaml, agents.yaml, customers.yaml)
 * @param dataDir            where the embedded broker's log and the embedded ledger live
 * @param http               the HTTP listeners: interfaces, ports, names, trusted proxies, TLS
 * @param bootstrapServers   an external Kafka cluster, or null for the embedded single-node broker
 * @param kafkaClient        Kafka client settings for the external cluster, by their Kafka names, secrets included
 *                           (empty with the embedded broker, which takes plaintext connections on loopback only)
 * @param kafkaPort          the embedded broker's port (0 picks a free one)
 * @param partitions         partitions of every topic: how many routing domains can be spread over instances
 * @param replicationFactor  replication of every topic (1 for the embedded broker)
 * @param ledgerUrl          JDBC URL of the ledger, or null for the embedded H2 file under the data dir
 * @param ledgerUser         ledger database user, or null
 * @param ledgerPassword     ledger database password, or null (from the environment, never from the repo)
 * @param ledgerTimeout      how long the ledger database may take to connect or to answer one statement
 * @param instanceId         this instance's stable id, or null to derive one from the data dir
 * @param configPollInterval how often the config directory is checked for edits
 * @param domains            routing domains the HTTP API may create contacts in, besides those the channels name
 */
public record ServerSettings(Path configDir, Path dataDir, HttpSettings http, String bootstrapServers,
                             Map<String, String> kafkaClient, int kafkaPort, int partitions, short replicationFactor,
                             String ledgerUrl, String ledgerUser, String ledgerPassword, Duration ledgerTimeout,
                             String instanceId, Duration configPollInterval, List<String> domains) {

    public ServerSettings {
        Objects.requireNonNull(configDir, "configDir");
        dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize();
        Objects.requireNonNull(http, "http");
        check(kafkaPort >= 0 && kafkaPort <= 65535, "kafka-port: " + kafkaPort + " (expected 0..65535)");
        check(partitions >= 1 && partitions <= 1000, "partitions: " + partitions + " (expected 1..1000)");
        check(replicationFactor >= 1, "replication-factor: " + replicationFactor + " (expected >= 1)");
        if (bootstrapServers != null && bootstrapServers.isBlank()) {
            bootstrapServers = null;
        }
        if (ledgerUrl != null && ledgerUrl.isBlank()) {
            ledgerUrl = null;
        }
        check(bootstrapServers != null || replicationFactor == 1,
                "replication-factor: " + replicationFactor + " (expected 1 with the embedded single-node broker)");
        kafkaClient = Map.copyOf(Objects.requireNonNull(kafkaClient, "kafkaClient"));
        check(bootstrapServers != null || kafkaClient.isEmpty(), "kafka.client " + new TreeSet<>(kafkaClient.keySet())
                + ": client settings for an external cluster, but kafka.bootstrapServers is empty (the embedded broker"
                + " takes plaintext connections on 127.0.0.1 only): set the cluster, or remove the settings and the"
                + " ROUTER_KAFKA_* secrets");
        if (bootstrapServers != null) {
            KafkaClients.of(bootstrapServers, kafkaClient);
        }
        Objects.requireNonNull(ledgerTimeout, "ledgerTimeout");
        check(ledgerTimeout.compareTo(Duration.ofSeconds(1)) >= 0 && ledgerTimeout.compareTo(Duration.ofMinutes(10)) <= 0,
                "ledger.timeoutSeconds: " + ledgerTimeout.toSeconds() + " (expected 1..600)");
        if (instanceId == null || instanceId.isBlank()) {
            instanceId = derivedInstanceId(dataDir);
        }
        Objects.requireNonNull(configPollInterval, "configPollInterval");
        domains = List.copyOf(domains);
    }

    /** The settings with the ledger password and the Kafka secrets hidden. */
    @Override
    public String toString() {
        return "ServerSettings[configDir=" + configDir + ", dataDir=" + dataDir + ", http=" + http
                + ", bootstrapServers=" + bootstrapServers + ", kafkaClient=" + KafkaClients.redacted(kafkaClient)
                + ", kafkaPort=" + kafkaPort + ", partitions=" + partitions + ", replicationFactor=" + replicationFactor
                + ", ledgerUrl=" + ledgerUrl + ", ledgerUser=" + ledgerUser + ", ledgerPassword="
                + (ledgerPassword == null ? null : "***") + ", ledgerTimeout=" + ledgerTimeout + ", instanceId="
                + instanceId + ", configPollInterval=" + configPollInterval + ", domains=" + domains + "]";
    }

    /** Stable across restarts of the same instance (same data dir), different for instances on one machine. */
    private static String derivedInstanceId(Path dataDir) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(dataDir.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
