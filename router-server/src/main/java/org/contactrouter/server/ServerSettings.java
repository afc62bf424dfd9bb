package org.contactrouter.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * How one server instance runs, settled once at start (defaults, cross-checks, then frozen).
 *
 * @param configDir          the routing config directory (routing.yaml, agents.yaml, customers.yaml)
 * @param dataDir            where the embedded broker's log and the embedded ledger live
 * @param http               the HTTP listeners: interfaces, ports, names, trusted proxies, TLS
 * @param bootstrapServers   an external Kafka cluster, or null for the embedded single-node broker
 * @param kafkaPort          the embedded broker's port (0 picks a free one)
 * @param partitions         partitions of every topic: how many routing domains can be spread over instances
 * @param replicationFactor  replication of every topic (1 for the embedded broker)
 * @param ledgerUrl          JDBC URL of the ledger, or null for the embedded H2 file under the data dir
 * @param ledgerUser         ledger database user, or null
 * @param ledgerPassword     ledger database password, or null (from the environment, never from the repo)
 * @param instanceId         this instance's stable id, or null to derive one from the data dir
 * @param configPollInterval how often the config directory is checked for edits
 * @param domains            routing domains the HTTP API may create contacts in, besides those the channels name
 */
public record ServerSettings(Path configDir, Path dataDir, HttpSettings http, String bootstrapServers,
                             int kafkaPort, int partitions, short replicationFactor, String ledgerUrl,
                             String ledgerUser, String ledgerPassword, String instanceId,
                             Duration configPollInterval, List<String> domains) {

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
        if (instanceId == null || instanceId.isBlank()) {
            instanceId = derivedInstanceId(dataDir);
        }
        Objects.requireNonNull(configPollInterval, "configPollInterval");
        domains = List.copyOf(domains);
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
