package org.contactrouter.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Every setting of the {@code run} command, declared once: its option, environment variable, key in
 * {@code config/router.yaml}, default and meaning. A value comes from the first of: the command-line option, the
 * environment variable, router.yaml, the default. Secrets (the ledger password) come only from the environment or a
 * file named there, never from router.yaml.
 */
enum ServerSetting {
    CONFIG("--config", "ROUTER_CONFIG", null, "config",
            "routing config directory (routing.yaml, agents.yaml, customers.yaml; router.yaml is read from here too)"),
    DATA_DIR("--data-dir", "ROUTER_DATA_DIR", "dataDir", "data", "the embedded broker's log and the embedded ledger"),
    HTTP_HOST("--http-host", "ROUTER_HTTP_HOST", "http.host", "127.0.0.1",
            "interface of the HTTP port; 0.0.0.0 to serve other machines"),
    HTTP_PORT("--http-port", "ROUTER_HTTP_PORT", "http.port", "8080",
            "the internal HTTP port: API, desktop, /ops, metrics, health (and the public doors too)"),
    HTTP_PUBLIC_NAMES("--http-public-names", "ROUTER_HTTP_PUBLIC_NAMES", "http.publicNames", "",
            "host names clients reach the server by, comma-separated; requests naming another Host get 421 "
                    + "(loopback names always work); required when serving beyond loopback"),
    HTTP_TRUSTED_PROXIES("--http-trusted-proxies", "ROUTER_HTTP_TRUSTED_PROXIES", "http.trustedProxies", "",
            "reverse proxies (addresses or CIDR blocks, comma-separated) whose X-Forwarded-For names the client"),
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
    INSTANCE_ID("--instance-id", "ROUTER_INSTANCE_ID", "instanceId", "",
            "this instance's stable id (its Kafka transactional id); empty derives one from the data dir");

    static final String FILE = "router.yaml";

    final String option;
    final String env;
    final String yamlKey;
    final String defaultValue;
    final String doc;

    ServerSetting(String option, String env, String yamlKey, String defaultValue, String doc) {
        this.option = option;
        this.env = env;
        this.yamlKey = yamlKey;
        this.defaultValue = defaultValue;
        this.doc = doc;
    }

    /**
     * Resolves every setting.
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
            if (s != CONFIG) {
                values.put(s, first(fromCommandLine.get(s), env.apply(s.env), yaml.get(s.yamlKey), s.defaultValue));
            }
        }
        return values;
    }

    /** The ledger password: ROUTER_LEDGER_PASSWORD, or the content of the file ROUTER_LEDGER_PASSWORD_FILE names. */
    static String ledgerPassword(Function<String, String> env) {
        String file = env.apply("ROUTER_LEDGER_PASSWORD_FILE");
        if (file != null && !file.isBlank()) {
            try {
                return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("ROUTER_LEDGER_PASSWORD_FILE: cannot read '" + file + "' (" + e + ")");
            }
        }
        return env.apply("ROUTER_LEDGER_PASSWORD");
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
        Node root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Yaml().compose(r);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (MarkedYAMLException e) {
            throw new IllegalArgumentException(FILE + ":" + (e.getProblemMark().getLine() + 1) + ": " + e.getProblem());
        } catch (IOException e) {
            throw new IllegalArgumentException(FILE + ": cannot read " + file + " (" + e + ")");
        }
        Map<String, String> values = new java.util.TreeMap<>();
        List<String> errors = new ArrayList<>();
        if (root != null) {
            flatten(root, "", values, errors);
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", errors));
        }
        return values;
    }

    private static void flatten(Node node, String prefix, Map<String, String> values, List<String> errors) {
        if (!(node instanceof MappingNode mapping)) {
            errors.add(where(node) + prefix + ": expected a mapping of settings");
            return;
        }
        for (NodeTuple t : mapping.getValue()) {
            String key = prefix + ((ScalarNode) t.getKeyNode()).getValue();
            Node value = t.getValueNode();
            if (key.equals(org.contactrouter.config.ChannelConfig.SECTION)) {
                continue; // read by ChannelConfig, with its own declarations
            }
            if (value instanceof MappingNode) {
                flatten(value, key + ".", values, errors);
            } else if (!known(key)) {
                errors.add(where(t.getKeyNode()) + key + ": unknown setting (expected one of: " + String.join(", ",
                        java.util.Arrays.stream(values()).filter(s -> s.yamlKey != null).map(s -> s.yamlKey).toList())
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
            if (key.equals(s.yamlKey)) {
                return true;
            }
        }
        return false;
    }

    private static String where(Node node) {
        return FILE + ":" + (node.getStartMark().getLine() + 1) + ":" + (node.getStartMark().getColumn() + 1) + ": ";
    }
}
