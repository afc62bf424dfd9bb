package org.contactrouter.server;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code router} command line: the main class of router-server.jar. Exit codes: 0 ok, 1 failed, 2 usage. */
@Command(name = "router", description = "Self-hosted omnichannel contact router.",
        synopsisSubcommandLabel = "COMMAND", subcommands = {RunCommand.class, ValidateCommand.class,
                ConfigDocsCommand.class, HashPasswordCommand.class, ApiKeyCommand.class, ApiCommands.ContactCommand.class, ApiCommands.CustomerCommand.class, ApiCommands.AgentCommand.class,
                ApiCommands.QueuesCommand.class, ApiCommands.ExportCommand.class, ApiCommands.AuditCommand.class})
public final class RouterCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "Show this help.")
    boolean help;

    public static void main(String... args) {
        System.exit(new CommandLine(new RouterCommand()).execute(args));
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing command (expected one of: "
                + String.join(", ", spec.subcommands().keySet()) + ")");
    }
}
