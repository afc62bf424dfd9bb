package org.contactrouter.server.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Where every Kafka client of the router comes from: the producers, consumers and admins all start from the same
 * base, the cluster's bootstrap servers and the client settings of the cluster (for a secured one
 * {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}, the TLS stores, ...). Each client then
 * adds its own settings (group, isolation, transactions, timeouts); where both set a name, the client's own wins.
 *
 * <p>A client gets only the base settings its kind knows ({@code linger.ms} goes to producers, not to consumers), so
 * Kafka has nothing unused to warn about. Settings are checked once, here, against the clients' own declarations: an
 * unknown name or a value of the wrong type is an {@link IllegalArgumentException} naming the setting.
 */
public final class KafkaClients {

    private static final List<ConfigDef> KINDS = List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(),
            AdminClientConfig.configDef());

    private final String bootstrapServers;
    private final Map<String, String> settings;

    private KafkaClients(String bootstrapServers, Map<String, String> settings) {
        this.bootstrapServers = bootstrapServers;
        this.settings = settings;
    }

    /** Clients of a cluster that takes plaintext connections without authentication (the embedded broker). */
    public static KafkaClients plaintext(String bootstrapServers) {
        return of(bootstrapServers, Map.of());
    }

    /**
     * Clients of the cluster at {@code bootstrapServers} with {@code settings}, by their Kafka names.
     *
     * @throws IllegalArgumentException naming the first setting Kafka's clients do not know or cannot read
     */
    public static KafkaClients of(String bootstrapServers, Map<String, String> settings) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrapServers: empty (expected host:port[,host:port...])");
        }
        Map<String, String> checked = new TreeMap<>();
        settings.forEach((name, value) -> {
            problem(name, value, true).ifPresent(p -> {
                throw new IllegalArgumentException(name + ": " + p);
            });
            checked.put(name, value);
        });
        return new KafkaClients(bootstrapServers.strip(), Map.copyOf(checked));
    }

    /**
     * What is wrong with one client setting, or empty when any of the router's clients can take it.
     *
     * @param secretsAllowed false for settings from a file: a setting Kafka declares as a password is refused then
     */
    public static Optional<String> problem(String name, String value, boolean secretsAllowed) {
        Objects.requireNonNull(name, "name");
        if (name.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            return Optional.of("the cluster is set by kafka.bootstrapServers (ROUTER_KAFKA_BOOTSTRAP_SERVERS)");
        }
        ConfigDef.ConfigKey key = KINDS.stream().map(kind -> kind.configKeys().get(name)).filter(Objects::nonNull)
                .findFirst().orElse(null);
        if (key == null) {
            return Optional.of("not a Kafka client setting (expected a producer, consumer or admin setting such as "
                    + "security.protocol, sasl.mechanism, ssl.truststore.location)");
        }
        if (key.type == ConfigDef.Type.PASSWORD && !secretsAllowed) {
            return Optional.of("a secret, never read from a file in the config directory");
        }
        if (value == null) {
            return Optional.of("no value");
        }
        try {
            Object parsed = ConfigDef.parseType(name, value, key.type);
            if (key.validator != null) {
                key.validator.ensureValid(name, parsed);
            }
            return Optional.empty();
        } catch (ConfigException e) {
            return Optional.of("'" + (key.type == ConfigDef.Type.PASSWORD ? "***" : value) + "' ("
                    + e.getMessage() + ")");
        }
    }

    /** True when Kafka declares the setting as a password: its value is never shown. */
    public static boolean isSecret(String name) {
        return KINDS.stream().map(kind -> kind.configKeys().get(name))
                .anyMatch(key -> key != null && key.type == ConfigDef.Type.PASSWORD);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A client setting given by the operator ({@code kafka.client}), or null. */
    public String setting(String name) {
        return settings.get(name);
    }

    /** An admin client: the base settings, then {@code own}. */
    public Admin admin(Map<String, Object> own) {
        return Admin.create(config(AdminClientConfig.configNames(), own));
    }

    /** A producer: the base settings, then {@code own}. */
    public <K, V> KafkaProducer<K, V> producer(Map<String, Object> own, Serializer<K> keys, Serializer<V> values) {
        return new KafkaProducer<>(config(ProducerConfig.configNames(), own), keys, values);
    }

    /** A consumer: the base settings, then {@code own}. */
    public <K, V> KafkaConsumer<K, V> consumer(Map<String, Object> own, Deserializer<K> keys,
                                               Deserializer<V> values) {
        return new KafkaConsumer<>(config(ConsumerConfig.configNames(), own), keys, values);
    }

    /** The settings of one kind of client: the bootstrap servers, the base settings it knows, then {@code own}. */
    Map<String, Object> config(Set<String> known, Map<String, Object> own) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        settings.forEach((name, value) -> {
            if (known.contains(name)) {
                config.put(name, value);
            }
        });
        config.putAll(own);
        return config;
    }

    /** For people: the servers and the security settings, e.g. {@code kafka-1:9093 (SASL_SSL, SCRAM-SHA-512)}. */
    public String describe() {
        String security = settings.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
        String mechanism = settings.get("sasl.mechanism");
        return bootstrapServers + " (" + security + (security.startsWith("SASL") && mechanism != null
                ? ", " + mechanism : "") + ")";
    }

    /** The settings with secrets hidden. */
    @Override
    public String toString() {
        return "KafkaClients[" + bootstrapServers + ", " + redacted(settings) + "]";
    }

    /** {@code settings} as text, the value of every secret replaced by {@code ***}. */
    public static String redacted(Map<String, String> settings) {
        return new TreeMap<>(settings).entrySet().stream()
                .map(e -> e.getKey() + "=" + (isSecret(e.getKey()) ? "***" : e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
