package org.contactrouter.server;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

@Command(name = "run", modelTransformer = RunCommand.Options.class, description = {
        "Start the router: Kafka (embedded unless kafka bootstrap servers are set), routing, ledger, HTTP.",
        "Each setting comes from the first of: this option, its environment variable, config/router.yaml, the default",
        "(see docs/operations.md). Secrets come only from their environment variable or the file its _FILE variable",
        "names: ROUTER_LEDGER_PASSWORD, ROUTER_KAFKA_SASL_JAAS_CONFIG, ROUTER_KAFKA_SSL_*_PASSWORD."})
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** Adds one option per {@link ServerSetting}: the settings are declared there, once. */
    static final class Options implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec command) {
            for (ServerSetting s : ServerSetting.values()) {
                if (s.option == null) {
                    continue; // a map in router.yaml, or a secret from the environment
                }
                command.addOption(OptionSpec.builder(s.option).type(String.class).paramLabel("VALUE")
                        .description(s.doc + " (" + s.env + (s.yamlKey == null ? "" : ", router.yaml " + s.yamlKey)
                                + "; default " + (s.defaultValue.isEmpty() ? "empty" : s.defaultValue) + ")")
                        .build());
            }
            return command;
        }
    }

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
        } catch (IllegalArgumentException | IllegalStateException e) {
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
        for (ServerSetting s : ServerSetting.values()) {
            String value = s.option == null ? null : spec.findOption(s.option).getValue();
            if (value != null) {
                given.put(s, value);
            }
        }
        Map<ServerSetting, String> v = ServerSetting.resolve(given, env);
        return new ServerSettings(Path.of(v.get(ServerSetting.CONFIG)), Path.of(v.get(ServerSetting.DATA_DIR)),
                http(v),
                v.get(ServerSetting.KAFKA_BOOTSTRAP_SERVERS), ServerSetting.kafkaClient(v),
                number(v, ServerSetting.KAFKA_PORT), number(v, ServerSetting.PARTITIONS),
                (short) number(v, ServerSetting.REPLICATION_FACTOR), v.get(ServerSetting.LEDGER_URL),
                blankToNull(v.get(ServerSetting.LEDGER_USER)), v.get(ServerSetting.LEDGER_PASSWORD),
                Duration.ofSeconds(number(v, ServerSetting.LEDGER_TIMEOUT_SECONDS)), v.get(ServerSetting.INSTANCE_ID),
                Duration.ofSeconds(2), list(v.get(ServerSetting.DOMAINS)));
    }

    private static HttpSettings http(Map<ServerSetting, String> v) {
        return new HttpSettings(v.get(ServerSetting.HTTP_HOST), number(v, ServerSetting.HTTP_PORT),
                blankToNull(v.get(ServerSetting.HTTP_PUBLIC_HOST)), number(v, ServerSetting.HTTP_PUBLIC_PORT),
                list(v.get(ServerSetting.HTTP_PUBLIC_NAMES)), list(v.get(ServerSetting.HTTP_TRUSTED_PROXIES)),
                path(v.get(ServerSetting.HTTP_TLS_CERTIFICATE)), path(v.get(ServerSetting.HTTP_TLS_KEY)),
                path(v.get(ServerSetting.HTTP_PUBLIC_TLS_CERTIFICATE)), path(v.get(ServerSetting.HTTP_PUBLIC_TLS_KEY)),
                number(v, ServerSetting.HTTP_API_REQUESTS_PER_SECOND));
    }

    private static List<String> list(String commaSeparated) {
        return java.util.Arrays.stream(commaSeparated == null ? new String[0] : commaSeparated.split(","))
                .map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    private static Path path(String value) {
        String v = blankToNull(value);
        return v == null ? null : Path.of(v);
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
