package org.contactrouter.server.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's Kafka topics: their names, their settings and their creation.
 *
 * <p>Every topic has the same partition count, and a routing domain is always on partition
 * {@link #partitionFor(String, int) partitionFor(domain, partitions)} of each of them, because every producer keys its
 * records by domain. That is why a topic's partition count can never change under a running system: it would move
 * domains to other partitions and break their order.
 */
public final class KafkaTopics {

    private static final Logger log = LoggerFactory.getLogger(KafkaTopics.class);

    /** Customer events from the channel adapters and the REST API. */
    public static final String CONTACTS_IN = "contacts.in";
    /** Agent desktop actions. */
    public static final String AGENT_ACTIONS = "agent.actions";
    /** Configuration versions to apply. */
    public static final String ROUTING_CONFIG = "routing.config";
    /**
     * The router's sequenced input log: state is the latest snapshot plus the journal after it. Kept for
     * {@link #JOURNAL_RETENTION}, far longer than the snapshot interval; the ledger keeps the decisions for good.
     */
    public static final String ROUTING_JOURNAL = "routing.journal";
    /** Each partition's latest routing state, in parts; compacted by partition and part. */
    public static final String ROUTING_SNAPSHOTS = "routing.snapshots";
    /** The router's decisions; kept forever, it is the audit log. */
    public static final String ROUTING_DECISIONS = "routing.decisions";
    /** Outbound replies to the channels. */
    public static final String MESSAGES_OUT = "messages.out";
    /** What providers said about messages sent to customers (delivered, failed, bounced). */
    public static final String MESSAGES_STATUS = "messages.status";
    /** Each partition's floor (queues, agents, open contacts) as its instance last saw it; compacted by partition. */
    public static final String OPS_FLOOR = "ops.floor";
    /** The last sign-out of each agent ({@code <agent id>\n<epoch ms>}); compacted by agent, read by every instance. */
    public static final String AGENT_SIGNOUTS = "agent.signouts";

    /** All of the router's topics, in the order above. */
    public static final List<String> ALL = List.of(
            CONTACTS_IN, AGENT_ACTIONS, ROUTING_CONFIG, ROUTING_JOURNAL, ROUTING_SNAPSHOTS, ROUTING_DECISIONS,
            MESSAGES_OUT, MESSAGES_STATUS, OPS_FLOOR, AGENT_SIGNOUTS);

    /**
     * How long the journal is kept. Restore needs only the journal after the latest snapshot, which is at most
     * minutes old (see RoutingLoop's snapshot policy); a week leaves room to investigate by replay. The routing
     * decisions, and the ledger written from them, are kept for good.
     */
    public static final Duration JOURNAL_RETENTION = Duration.ofDays(7);

    /** Topic configs for the topics that are kept forever. */
    static final Map<String, String> RETAINED_FOREVER = Map.of(
            TopicConfig.RETENTION_MS_CONFIG, "-1",
            TopicConfig.RETENTION_BYTES_CONFIG, "-1",
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);

    private static final Duration METADATA_WAIT = Duration.ofSeconds(30);

    private KafkaTopics() {
    }

    /** The configs a topic is created with (those not given take the broker's defaults). */
    public static Map<String, String> configsOf(String topic) {
        return switch (topic) {
            case ROUTING_DECISIONS -> RETAINED_FOREVER;
            case ROUTING_JOURNAL -> Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(JOURNAL_RETENTION.toMillis()),
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
            case CONTACTS_IN, AGENT_ACTIONS, ROUTING_CONFIG, MESSAGES_OUT, MESSAGES_STATUS -> Map.of();
            case OPS_FLOOR, AGENT_SIGNOUTS, ROUTING_SNAPSHOTS -> Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.SEGMENT_MS_CONFIG, "3600000");
            default -> throw new IllegalArgumentException("Not a router topic: " + topic + " (topics: " + ALL + ")");
        };
    }

    /**
     * Creates those of the router's topics that do not exist yet; existing topics are left as they are.
     *
     * <p>All existing topics are checked before anything is created: if one has another partition count than
     * {@code partitions}, nothing is created and an {@link IllegalStateException} names the topic and both counts.
     * Another replication factor, or a kept-forever topic whose retention has been changed, is logged as a warning.
     *
     * @throws IllegalStateException if an existing topic has another partition count
     * @throws KafkaException if the cluster cannot be reached or refuses a request
     */
    public static void ensureTopics(Admin admin, int partitions, short replicationFactor) {
        Objects.requireNonNull(admin, "admin");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor must be at least 1, was " + replicationFactor);
        }
        Set<String> existing = call("list topics", () -> admin.listTopics().names().get());
        List<String> present = ALL.stream().filter(existing::contains).toList();
        checkExisting(admin, present, partitions, replicationFactor);

        List<NewTopic> missing = new ArrayList<>();
        for (String topic : ALL) {
            if (!existing.contains(topic)) {
                missing.add(new NewTopic(topic, partitions, replicationFactor).configs(configsOf(topic)));
            }
        }
        if (missing.isEmpty()) {
            log.debug("Kafka topics {} exist with {} partitions", ALL, partitions);
            return;
        }
        List<String> raced = new ArrayList<>();
        admin.createTopics(missing).values().forEach((topic, future) -> {
            try {
                call("create topic " + topic, future::get);
            } catch (KafkaException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                raced.add(topic); // created by someone else meanwhile: checked below like any existing topic
            }
        });
        checkExisting(admin, raced, partitions, replicationFactor);
        List<String> created = missing.stream().map(NewTopic::name).filter(t -> !raced.contains(t)).toList();
        if (!created.isEmpty()) {
            awaitMetadata(admin, created);
            log.info("Created Kafka topics {} with {} partitions, replication factor {}",
                    created, partitions, replicationFactor);
        }
    }

    /**
     * The partition that Kafka's default partitioner chooses for a record whose key is the String {@code domain}
     * (serialised as UTF-8 by {@code StringSerializer}): {@code toPositive(murmur2(utf8(domain))) % partitions}.
     */
    public static int partitionFor(String domain, int partitions) {
        Objects.requireNonNull(domain, "domain");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        return Utils.toPositive(Utils.murmur2(domain.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static void checkExisting(Admin admin, List<String> topics, int partitions, short replicationFactor) {
        if (topics.isEmpty()) {
            return;
        }
        Map<String, TopicDescription> descriptions =
                call("describe topics " + topics, () -> admin.describeTopics(topics).allTopicNames().get());
        Map<String, Integer> wrong = new LinkedHashMap<>();
        for (String topic : topics) {
            TopicDescription description = descriptions.get(topic);
            int actual = description.partitions().size();
            if (actual != partitions) {
                wrong.put(topic, actual);
            }
            int replicas = description.partitions().get(0).replicas().size();
            if (replicas != replicationFactor) {
                log.warn("Kafka topic {} has replication factor {}, configured is {}; left as it is",
                        topic, replicas, replicationFactor);
            }
        }
        if (!wrong.isEmpty()) {
            StringBuilder message = new StringBuilder();
            wrong.forEach((topic, actual) -> message.append(message.length() == 0 ? "" : "; ")
                    .append("Kafka topic ").append(topic).append(" has ").append(actual)
                    .append(" partitions but ").append(partitions).append(" are configured"));
            message.append(". Every router topic must have the configured partition count, since a routing domain's")
                    .append(" partition is derived from it; topics are not repartitioned automatically: configure")
                    .append(" the existing count, or move to new topics deliberately.");
            throw new IllegalStateException(message.toString());
        }
        warnIfNoLongerRetainedForever(admin, topics);
    }

    /**
     * Waits until every broker the admin client asks knows the created topics: a create call returns when the
     * controller has them, and a describe, produce or subscribe right after can still be told the topic is unknown.
     */
    private static void awaitMetadata(Admin admin, List<String> topics) {
        long deadline = System.nanoTime() + METADATA_WAIT.toNanos();
        while (true) {
            try {
                admin.describeTopics(topics).allTopicNames().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw new KafkaException("Cannot describe the created topics " + topics + ": " + e.getCause(),
                            e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("Interrupted while waiting for the metadata of " + topics, e);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaException("Interrupted while waiting for the metadata of " + topics, e);
            }
        }
    }

    private static void warnIfNoLongerRetainedForever(Admin admin, List<String> topics) {
        List<ConfigResource> resources = topics.stream()
                .filter(t -> configsOf(t).equals(RETAINED_FOREVER))
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                .toList();
        if (resources.isEmpty()) {
            return;
        }
        Map<ConfigResource, Config> configs =
                call("describe topic configs", () -> admin.describeConfigs(resources).all().get());
        configs.forEach((resource, config) -> RETAINED_FOREVER.forEach((key, expected) -> {
            ConfigEntry entry = config.get(key);
            String actual = entry == null ? null : entry.value();
            if (!expected.equals(actual)) {
                log.warn("Kafka topic {} has {}={}, expected {}: records it must keep forever may be deleted",
                        resource.name(), key, actual, expected);
            }
        }));
    }

    private interface AdminCall<T> {
        T get() throws InterruptedException, ExecutionException;
    }

    private static <T> T call(String what, AdminCall<T> call) {
        try {
            return call.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while waiting to " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new KafkaException("Cannot " + what + ": " + cause, cause);
        }
    }
}
