package org.contactrouter.server;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run", description = {
        "Start the router: Kafka (embedded unless --kafka-bootstrap-servers is set), routing, ledger, HTTP.",
        "Every option can also come from the environment variable named in its description."})
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "DIR", defaultValue = "${env:ROUTER_CONFIG:-config}",
            description = "Routing config directory (ROUTER_CONFIG). Default: ${DEFAULT-VALUE}.")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:ROUTER_DATA_DIR:-data}",
            description = "Embedded Kafka log and ledger (ROUTER_DATA_DIR). Default: ${DEFAULT-VALUE}.")
    Path dataDir;

    @Option(names = "--http-host", defaultValue = "${env:ROUTER_HTTP_HOST:-127.0.0.1}",
            description = "Interface for HTTP (ROUTER_HTTP_HOST); 0.0.0.0 for all. Default: ${DEFAULT-VALUE}.")
    String httpHost;

    @Option(names = "--http-port", defaultValue = "${env:ROUTER_HTTP_PORT:-8080}",
            description = "HTTP port (ROUTER_HTTP_PORT). Default: ${DEFAULT-VALUE}.")
    int httpPort;

    @Option(names = "--kafka-bootstrap-servers", defaultValue = "${env:ROUTER_KAFKA_BOOTSTRAP_SERVERS:-}",
            description = "External Kafka cluster (ROUTER_KAFKA_BOOTSTRAP_SERVERS). Empty: embedded broker.")
    String bootstrapServers;

    @Option(names = "--kafka-port", defaultValue = "${env:ROUTER_KAFKA_PORT:-9092}",
            description = "Embedded broker port (ROUTER_KAFKA_PORT); 0 picks a free one. Default: ${DEFAULT-VALUE}.")
    int kafkaPort;

    @Option(names = "--partitions", defaultValue = "${env:ROUTER_PARTITIONS:-6}",
            description = "Partitions per topic (ROUTER_PARTITIONS). Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "${env:ROUTER_REPLICATION_FACTOR:-1}",
            description = "Replication per topic (ROUTER_REPLICATION_FACTOR). Default: ${DEFAULT-VALUE}.")
    short replicationFactor;

    @Option(names = "--ledger-url", defaultValue = "${env:ROUTER_LEDGER_URL:-}",
            description = "Ledger JDBC URL (ROUTER_LEDGER_URL), e.g. jdbc:postgresql://db/router. Empty: H2 file.")
    String ledgerUrl;

    @Option(names = "--ledger-user", defaultValue = "${env:ROUTER_LEDGER_USER:-}",
            description = "Ledger database user (ROUTER_LEDGER_USER).")
    String ledgerUser;

    @Option(names = "--instance-id", defaultValue = "${env:ROUTER_INSTANCE_ID:-}",
            description = "Stable id of this instance (ROUTER_INSTANCE_ID). Empty: derived from the data dir.")
    String instanceId;

    @Override
    public Integer call() throws Exception {
        ServerSettings settings;
        try {
            settings = new ServerSettings(config, dataDir, httpHost, httpPort, bootstrapServers, kafkaPort,
                    partitions, replicationFactor, ledgerUrl, blankToNull(ledgerUser),
                    System.getenv("ROUTER_LEDGER_PASSWORD"), instanceId, Duration.ofSeconds(2));
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

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
