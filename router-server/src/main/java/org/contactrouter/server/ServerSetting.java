package org.contactrouter.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.contactrouter.config.ChannelConfig;
import org.contactrouter.server.kafka.KafkaClients;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Every setting of the {@code run} command, declared once: its option, environment variable, key in
 * {@code config/router.yaml}, default and meaning. A value comes from the first of: the command-line option, the
 * environment variable, router.yaml, the default.
 *
 * <p>Secrets (the ledger password, the Kafka credentials) come only from their environment variable or from the file
 * named by the same variable with {@code _FILE} appended, never from router.yaml: putting one there is an error that
 * names the variable to use. {@code kafka.client} in router.yaml is a map of Kafka client settings for an external
 * cluster, by their Kafka names, checked against Kafka's own declarations.
 */
enum ServerSetting {
    CONFIG("--config", "ROUTER_CONFIG", null, "config",
            "routing config directory (routing.yaml, agents.yaml, customers.yaml; router.yaml is read from here too)"),
    DATA_DIR("--data-dir", "ROUTER_DATA_DIR", "dataDir", "data",
            "the embedded broker's log and the embedded ledger; readable by its owner only (rwx------)"),
    HTTP_HOST("--http-host", "ROUTER_HTTP_HOST", "http.host", "127.0.0.1",
            "interface of the HTTP port; 0.0.0.0 to serve other machines"),
    HTTP_PORT("--http-port", "ROUTER_HTTP_PORT", "http.port", "8080",
            "the internal HTTP port: API, desktop, /ops, metrics, health (and the public doors too)"),
    HTTP_PUBLIC_NAMES("--http-public-names", "ROUTER_HTTP_PUBLIC_NAMES", "http.publicNames", "",
            "host names clients reach the server by, comma-separated; requests naming another Host get 421 "
                    + "(loopback names always work); required when serving beyond loopback"),
    HTTP_TRUSTED_PROXIES("--http-trusted-proxies", "ROUTER_HTTP_TRUSTED_PROXIES", "http.trustedProxies", "",
            "reverse proxies (addresses or CIDR blocks, comma-separated) whose X-Forwarded-For names the client"),
    HTTP_API_REQUESTS_PER_SECOND("--http-api-requests-per-second", "ROUTER_HTTP_API_REQUESTS_PER_SECOND",
            "http.apiRequestsPerSecond", "50",
            "/api requests one client address may make per second (bursts of five times as many); more get 429"),
    HTTP_TLS_CERTIFICATE("--http-tls-certificate", "ROUTER_HTTP_TLS_CERTIFICATE", "http.tls.certificate", "",
            "PEM certificate chain: the internal port speaks HTTPS (reloaded when the file changes)"),
    HTTP_TLS_KEY("--http-tls-key", "ROUTER_HTTP_TLS_KEY", "http.tls.key", "",
            "PEM private key (PKCS#8) of that certificate"),
    HTTP_PUBLIC_HOST("--http-public-host", "ROUTER_HTTP_PUBLIC_HOST", "http.public.host", "",
            "interface of a separate public port serving only Twilio's webhooks, the chat and health; empty: none"),
    HTTP_PUBLIC_PORT("--http-public-port", "ROUTER_HTTP_PUBLIC_PORT", "http.public.port", "8443",
            "the public port (with http.public.host)"),
    HTTP_PUBLIC_TLS_CERTIFICATE("--http-public-tls-certificate", "ROUTER_HTTP_PUBLIC_TLS_CERTIFICATE",
            "http.public.tls.certificate", "", "PEM certificate chain of the public port"),
    HTTP_PUBLIC_TLS_KEY("--http-public-tls-key", "ROUTER_HTTP_PUBLIC_TLS_KEY", "http.public.tls.key", "",
            "PEM private key (PKCS#8) of the public port's certificate"),
    KAFKA_BOOTSTRAP_SERVERS("--kafka-bootstrap-servers", "ROUTER_KAFKA_BOOTSTRAP_SERVERS", "kafka.bootstrapServers", "",
            "an external Kafka cluster; empty starts the embedded single-node broker"),
    KAFKA_CLIENT(Kind.MAP, null, null, "kafka.client", "", null,
            "Kafka client settings for the external cluster, by their Kafka names (security.protocol, sasl.mechanism,"
                    + " ssl.truststore.location, ssl.truststore.type, ssl.keystore.location, ssl.keystore.type,"
                    + " ssl.endpoint.identification.algorithm, ...); secrets come from the variables below"),
    KAFKA_SASL_JAAS_CONFIG("ROUTER_KAFKA_SASL_JAAS_CONFIG", "sasl.jaas.config",
            "the Kafka client's sasl.jaas.config (it holds the password)"),
    KAFKA_SSL_TRUSTSTORE_PASSWORD("ROUTER_KAFKA_SSL_TRUSTSTORE_PASSWORD", "ssl.truststore.password",
            "the Kafka client's ssl.truststore.password"),
    KAFKA_SSL_KEYSTORE_PASSWORD("ROUTER_KAFKA_SSL_KEYSTORE_PASSWORD", "ssl.keystore.password",
            "the Kafka client's ssl.keystore.password"),
    KAFKA_SSL_KEY_PASSWORD("ROUTER_KAFKA_SSL_KEY_PASSWORD", "ssl.key.password",
            "the Kafka client's ssl.key.password"),
    KAFKA_PORT("--kafka-port", "ROUTER_KAFKA_PORT", "kafka.port", "9092",
            "the embedded broker's port (0 picks a free one)"),
    PARTITIONS("--partitions", "ROUTER_PARTITIONS", "kafka.partitions", "6",
            "partitions of every topic: how far routing domains can spread over instances"),
    REPLICATION_FACTOR("--replication-factor", "ROUTER_REPLICATION_FACTOR", "kafka.replicationFactor", "1",
            "replication of every topic (1 with the embedded broker)"),
    LEDGER_URL("--ledger-url", "ROUTER_LEDGER_URL", "ledger.url", "",
            "the ledger's JDBC URL (jdbc:postgresql://...); empty uses an H2 file under the data dir"),
    LEDGER_USER("--ledger-user", "ROUTER_LEDGER_USER", "ledger.user", "",
            "ledger database user; the password comes from ROUTER_LEDGER_PASSWORD or ROUTER_LEDGER_PASSWORD_FILE"),
    DOMAINS("--domains", "ROUTER_DOMAINS", "domains", "",
            "routing domains contacts from the HTTP API may go to besides default and those the channels name, "
                    + "comma-separated"),
    LEDGER_PASSWORD("ROUTER_LEDGER_PASSWORD", "ledger.password", null, "the ledger database password"),
    LEDGER_TIMEOUT_SECONDS("--ledger-timeout-seconds", "ROUTER_LEDGER_TIMEOUT_SECONDS", "ledger.timeoutSeconds", "10",
            "how long the ledger database may take to connect or to answer one statement; a call that takes longer"
                    + " fails, and /health/ready shows the ledger unreachable"),
    INSTANCE_ID("--instance-id", "ROUTER_INSTANCE_ID", "instanceId", "",
            "this instance's stable id (its Kafka transactional id); empty derives one from the data dir");

    static final String FILE = "router.yaml";
    /** Appended to a secret's variable: the variable that names a file holding the secret. */
    static final String FILE_SUFFIX = "_FILE";

    /** How a setting is given. */
    enum Kind {
        /** One value: option, variable, router.yaml, default. */
        VALUE,
        /** A map in router.yaml only. */
        MAP,
        /** A secret: its variable, or the file its {@code _FILE} variable names; refused in router.yaml. */
        SECRET
    }

    final Kind kind;
    final String option;
    final String env;
    final String yamlKey;
    final String defaultValue;
    /** For a secret, where in router.yaml it is refused; otherwise null. */
    final String refusedYamlKey;
    /** For a Kafka secret, the Kafka client setting it supplies; otherwise null. */
    final String kafkaProperty;
    final String doc;

    ServerSetting(String option, String env, String yamlKey, String defaultValue, String doc) {
        this(Kind.VALUE, option, env, yamlKey, defaultValue, null, doc);
    }

    /** A secret: from {@code env} or the file {@code env_FILE} names; {@code refusedYamlKey} is an error. */
    ServerSetting(String env, String refusedYamlKey, String kafkaProperty, String doc) {
        this.kind = Kind.SECRET;
        this.option = null;
        this.env = env;
        this.yamlKey = null;
        this.defaultValue = "";
        this.refusedYamlKey = refusedYamlKey;
        this.kafkaProperty = kafkaProperty;
        this.doc = doc;
    }

    /** A Kafka secret, refused under {@code kafka.client} in router.yaml. */
    ServerSetting(String env, String kafkaProperty, String doc) {
        this(env, KAFKA_CLIENT_PREFIX + kafkaProperty, kafkaProperty, doc);
    }

    ServerSetting(Kind kind, String option, String env, String yamlKey, String defaultValue, String kafkaProperty,
                  String doc) {
        this.kind = kind;
        this.option = option;
        this.env = env;
        this.yamlKey = yamlKey;
        this.defaultValue = defaultValue;
        this.refusedYamlKey = null;
        this.kafkaProperty = kafkaProperty;
        this.doc = doc;
    }

    private static final String KAFKA_CLIENT_PREFIX = "kafka.client.";

    /**
     * Resolves every single-value setting and every secret ({@link Kind#MAP} settings are read by
     * {@link #kafkaClient}); an absent secret is null.
     *
     * @param fromCommandLine the options given on the command line (absent ones missing)
     * @param env             the environment
     */
    static Map<ServerSetting, String> resolve(Map<ServerSetting, String> fromCommandLine, Function<String, String> env) {
        Map<ServerSetting, String> values = new EnumMap<>(ServerSetting.class);
        String configDir = first(fromCommandLine.get(CONFIG), env.apply(CONFIG.env), CONFIG.defaultValue);
        values.put(CONFIG, configDir);
        Map<String, String> yaml = readYaml(Path.of(configDir).resolve(FILE));
        for (ServerSetting s : values()) {
            switch (s.kind) {
                case VALUE -> {
                    if (s != CONFIG) {
                        values.put(s, first(fromCommandLine.get(s), env.apply(s.env), yaml.get(s.yamlKey),
                                s.defaultValue));
                    }
                }
                case SECRET -> values.put(s, secret(env, s.env));
                case MAP -> { }
            }
        }
        return values;
    }

    /**
     * The Kafka client settings: {@code kafka.client} of router.yaml in the resolved config directory, and the Kafka
     * secrets among {@code resolved}.
     */
    static Map<String, String> kafkaClient(Map<ServerSetting, String> resolved) {
        Map<String, String> settings = new TreeMap<>(readKafkaClient(Path.of(resolved.get(CONFIG)).resolve(FILE)));
        for (ServerSetting s : values()) {
            if (s.kafkaProperty != null && resolved.get(s) != null) {
                settings.put(s.kafkaProperty, resolved.get(s));
            }
        }
        return settings;
    }

    /** A secret: the content of the file {@code <variable>_FILE} names (stripped), else {@code <variable>}. */
    static String secret(Function<String, String> env, String variable) {
        String file = env.apply(variable + FILE_SUFFIX);
        if (file != null && !file.isBlank()) {
            try {
                return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException(variable + FILE_SUFFIX + ": cannot read '" + file + "' (" + e + ")");
            }
        }
        String value = env.apply(variable);
        return value == null || value.isEmpty() ? null : value;
    }

    private static String first(String... candidates) {
        for (String c : candidates) {
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /** router.yaml as dotted keys; absent file = no settings. Errors name file:line, the key and what is expected. */
    static Map<String, String> readYaml(Path file) {
        Node root = compose(file);
        Map<String, String> values = new TreeMap<>();
        List<String> errors = new ArrayList<>();
        if (root != null) {
            flatten(root, "", values, errors);
        }
        throwIfAny(errors);
        return values;
    }

    /**
     * {@code kafka.client} of router.yaml: Kafka client setting names to values, each checked against Kafka's
     * declarations. Errors name file:line, the key and what is expected; a secret names the variable to use instead.
     */
    static Map<String, String> readKafkaClient(Path file) {
        Node section = child(child(compose(file), "kafka"), "client");
        if (section == null || section instanceof ScalarNode scalar && scalar.getValue().isEmpty()) {
            return Map.of();
        }
        String prefix = KAFKA_CLIENT.yamlKey;
        List<String> errors = new ArrayList<>();
        if (!(section instanceof MappingNode mapping)) {
            errors.add(where(section) + prefix + ": expected a mapping of Kafka client settings, e.g."
                    + " security.protocol: SASL_SSL");
            throwIfAny(errors);
            return Map.of();
        }
        Map<String, String> settings = new TreeMap<>();
        for (NodeTuple t : mapping.getValue()) {
            String name = ((ScalarNode) t.getKeyNode()).getValue();
            String key = prefix + "." + name;
            ServerSetting secret = refusing(key);
            if (secret != null) {
                errors.add(where(t.getKeyNode()) + refusal(secret));
            } else if (!(t.getValueNode() instanceof ScalarNode value)) {
                errors.add(where(t.getValueNode()) + key + ": expected a single value");
            } else {
                KafkaClients.problem(name, value.getValue(), false).ifPresentOrElse(
                        problem -> errors.add(where(t.getKeyNode()) + key + ": " + problem),
                        () -> settings.put(name, value.getValue()));
            }
        }
        throwIfAny(errors);
        return settings;
    }

    private static Node compose(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return new Yaml().compose(r);
        } catch (NoSuchFileException e) {
            return null;
        } catch (MarkedYAMLException e) {
            throw new IllegalArgumentException(FILE + ":" + (e.getProblemMark().getLine() + 1) + ": " + e.getProblem());
        } catch (IOException e) {
            throw new IllegalArgumentException(FILE + ": cannot read " + file + " (" + e + ")");
        }
    }

    /** The value under {@code key} of a mapping node, or null. */
    private static Node child(Node node, String key) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple t : mapping.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return t.getValueNode();
                }
            }
        }
        return null;
    }

    private static void flatten(Node node, String prefix, Map<String, String> values, List<String> errors) {
        if (!(node instanceof MappingNode mapping)) {
            errors.add(where(node) + prefix + ": expected a mapping of settings");
            return;
        }
        for (NodeTuple t : mapping.getValue()) {
            String key = prefix + ((ScalarNode) t.getKeyNode()).getValue();
            Node value = t.getValueNode();
            if (key.equals(ChannelConfig.SECTION) || key.equals(KAFKA_CLIENT.yamlKey)) {
                continue; // read with their own declarations: ChannelConfig, readKafkaClient
            }
            ServerSetting secret = refusing(key);
            if (secret != null) {
                errors.add(where(t.getKeyNode()) + refusal(secret));
            } else if (value instanceof MappingNode) {
                flatten(value, key + ".", values, errors);
            } else if (!known(key)) {
                errors.add(where(t.getKeyNode()) + key + ": unknown setting (expected one of: " + String.join(", ",
                        Arrays.stream(values()).filter(s -> s.yamlKey != null).map(s -> s.yamlKey).toList())
                        + ")");
            } else if (value instanceof ScalarNode scalar) {
                values.put(key, scalar.getValue());
            } else if (value instanceof org.yaml.snakeyaml.nodes.SequenceNode list
                    && list.getValue().stream().allMatch(ScalarNode.class::isInstance)) {
                values.put(key, String.join(",", list.getValue().stream()
                        .map(n -> ((ScalarNode) n).getValue()).toList()));
            } else {
                errors.add(where(value) + key + ": expected a single value");
            }
        }
    }

    private static boolean known(String key) {
        for (ServerSetting s : values()) {
            if (s.kind == Kind.VALUE && key.equals(s.yamlKey)) {
                return true;
            }
        }
        return false;
    }

    /** The secret that {@code key} would give in router.yaml, or null. */
    private static ServerSetting refusing(String key) {
        for (ServerSetting s : values()) {
            if (key.equals(s.refusedYamlKey)) {
                return s;
            }
        }
        return null;
    }

    private static String refusal(ServerSetting secret) {
        return secret.refusedYamlKey + ": a secret is never read from " + FILE + "; set " + secret.env + ", or "
                + secret.env + FILE_SUFFIX + " to a file holding it";
    }

    private static void throwIfAny(List<String> errors) {
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", errors));
        }
    }

    private static String where(Node node) {
        return FILE + ":" + (node.getStartMark().getLine() + 1) + ":" + (node.getStartMark().getColumn() + 1) + ": ";
    }
}
