package org.contactrouter.server;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.contactrouter.config.ChannelConfig;
import org.contactrouter.config.ConfigLoader;
import org.contactrouter.config.LoadResult;
import org.contactrouter.config.Problem;
import org.contactrouter.routing.RoutingConfig;
import org.contactrouter.server.runtime.ConfigPublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "validate", description = {
        "Check a config directory: print every problem, then a summary.",
        "Problems print as file:line:column: path: message, errors first, then warnings.",
        "Exit code: 0 valid (warnings allowed), 1 errors, 2 usage error."})
final class ValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "DIR",
            description = "The config directory: routing.yaml, agents.yaml and optionally customers.yaml.")
    Path config;

    @Override
    public Integer call() {
        if (!Files.isDirectory(config)) {
            throw new ParameterException(spec.commandLine(), "--config: '" + config
                    + "' is not a directory (expected: a directory with routing.yaml and agents.yaml)");
        }
        LoadResult result = ConfigLoader.load(config);
        // Secrets are the running server's business (it stops with a clear message when one is missing or malformed);
        // here only the file is checked, with a stand-in that fits every secret's form (base64 of 32 bytes).
        String standIn = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        ChannelConfig channels = ChannelConfig.load(config.resolve("router.yaml"), variable -> standIn,
                Path.of("data"));
        PrintWriter out = spec.commandLine().getOut();
        result.problems().forEach(out::println);
        channels.problems().forEach(out::println);
        String dir = config.toString().endsWith("/") ? config.toString() : config + "/";
        String warnings = count(result.warnings().size(), "warning");
        if (result.config().isEmpty() || channels.hasErrors()) {
            long errors = result.errors().size() + channels.problems().stream().filter(p -> p.isError()).count();
            out.println(dir + " is invalid: " + count((int) errors, "error") + ", " + warnings);
            out.flush();
            return 1;
        }
        int size = ConfigPublisher.recordSize(ConfigLoader.snapshot(config));
        if (size > ConfigPublisher.MAX_RECORD_BYTES) {
            out.println("config: " + ConfigPublisher.tooLarge(size));
            out.println(dir + " is invalid: 1 error, " + warnings);
            out.flush();
            return 1;
        }
        if (size > ConfigPublisher.MAX_RECORD_BYTES * 8L / 10) {
            out.println("config: warning: the config is " + size + " bytes as one Kafka record, near the "
                    + ConfigPublisher.MAX_RECORD_BYTES + " the server can publish");
            warnings = count(result.warnings().size() + 1, "warning");
        }
        RoutingConfig c = result.config().get();
        out.println(dir + " is valid (version " + c.version() + "): " + count(c.queues().size(), "queue") + ", "
                + count(c.rules().size(), "rule") + ", " + count(c.agents().size(), "agent") + "; channels: "
                + enabled(channels) + "; " + warnings);
        out.flush();
        return 0;
    }

    private static String enabled(ChannelConfig c) {
        java.util.List<String> names = new java.util.ArrayList<>();
        if (c.chat() != null) {
            names.add("chat");
        }
        if (c.twilio() != null) {
            names.add("twilio");
        }
        if (c.email() != null) {
            names.add("email");
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    private static String count(int n, String noun) {
        return (n == 0 ? "no" : String.valueOf(n)) + " " + noun + (n == 1 ? "" : "s");
    }
}
