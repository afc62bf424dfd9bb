package org.contactrouter.server;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run", description = {
        "Start the router: Kafka (embedded unless kafka bootstrap servers are set), routing, ledger, HTTP.",
        "Each setting comes from the first of: this option, its environment variable, config/router.yaml, the default",
        "(see docs/operations.md). The ledger password comes from ROUTER_LEDGER_PASSWORD or ROUTER_LEDGER_PASSWORD_FILE."})
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "DIR", description = "Routing config directory (ROUTER_CONFIG; default config).")
    String config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Embedded Kafka log and ledger (ROUTER_DATA_DIR, dataDir; default data).")
    String dataDir;

    @Option(names = "--http-host", description = "HTTP interface (ROUTER_HTTP_HOST, http.host; default 127.0.0.1).")
    String httpHost;

    @Option(names = "--http-port", description = "HTTP port (ROUTER_HTTP_PORT, http.port; default 8080).")
    String httpPort;

    @Option(names = "--kafka-bootstrap-servers", description = "External Kafka (ROUTER_KAFKA_BOOTSTRAP_SERVERS, kafka.bootstrapServers); empty: embedded.")
    String bootstrapServers;

    @Option(names = "--kafka-port", description = "Embedded broker port (ROUTER_KAFKA_PORT, kafka.port; default 9092).")
    String kafkaPort;

    @Option(names = "--partitions", description = "Partitions per topic (ROUTER_PARTITIONS, kafka.partitions; default 6).")
    String partitions;

    @Option(names = "--replication-factor", description = "Replication per topic (ROUTER_REPLICATION_FACTOR, kafka.replicationFactor; default 1).")
    String replicationFactor;

    @Option(names = "--ledger-url", description = "Ledger JDBC URL (ROUTER_LEDGER_URL, ledger.url); empty: H2 file.")
    String ledgerUrl;

    @Option(names = "--ledger-user", description = "Ledger database user (ROUTER_LEDGER_USER, ledger.user).")
    String ledgerUser;

    @Option(names = "--instance-id", description = "Stable instance id (ROUTER_INSTANCE_ID, instanceId); empty: derived.")
    String instanceId;

    @Override
    public Integer call() throws Exception {
        ServerSettings settings;
        try {
            settings = settings(System::getenv);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("router run: " + e.getMessage());
            return 2;
        }
        RouterServer server;
        try {
            server = RouterServer.start(settings, Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("router run: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "shutdown"));
        spec.commandLine().getOut().println(server.describe());
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }

    /** The settings from the options given, the environment, router.yaml and the defaults, checked. */
    ServerSettings settings(Function<String, String> env) {
        Map<ServerSetting, String> given = new EnumMap<>(ServerSetting.class);
        put(given, ServerSetting.CONFIG, config);
        put(given, ServerSetting.DATA_DIR, dataDir);
        put(given, ServerSetting.HTTP_HOST, httpHost);
        put(given, ServerSetting.HTTP_PORT, httpPort);
        put(given, ServerSetting.KAFKA_BOOTSTRAP_SERVERS, bootstrapServers);
        put(given, ServerSetting.KAFKA_PORT, kafkaPort);
        put(given, ServerSetting.PARTITIONS, partitions);
        put(given, ServerSetting.REPLICATION_FACTOR, replicationFactor);
        put(given, ServerSetting.LEDGER_URL, ledgerUrl);
        put(given, ServerSetting.LEDGER_USER, ledgerUser);
        put(given, ServerSetting.INSTANCE_ID, instanceId);
        Map<ServerSetting, String> v = ServerSetting.resolve(given, env);
        return new ServerSettings(Path.of(v.get(ServerSetting.CONFIG)), Path.of(v.get(ServerSetting.DATA_DIR)),
                v.get(ServerSetting.HTTP_HOST), number(v, ServerSetting.HTTP_PORT),
                v.get(ServerSetting.KAFKA_BOOTSTRAP_SERVERS), number(v, ServerSetting.KAFKA_PORT),
                number(v, ServerSetting.PARTITIONS), (short) number(v, ServerSetting.REPLICATION_FACTOR),
                v.get(ServerSetting.LEDGER_URL), blankToNull(v.get(ServerSetting.LEDGER_USER)),
                ServerSetting.ledgerPassword(env), v.get(ServerSetting.INSTANCE_ID), Duration.ofSeconds(2));
    }

    private static void put(Map<ServerSetting, String> given, ServerSetting s, String value) {
        if (value != null) {
            given.put(s, value);
        }
    }

    private static int number(Map<ServerSetting, String> v, ServerSetting s) {
        try {
            return Integer.parseInt(v.get(s).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(s.yamlKey + " (" + s.option + ", " + s.env + "): '" + v.get(s)
                    + "' (expected a whole number)");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
