package org.contactrouter.server;

import java.io.PrintWriter;
import org.contactrouter.config.ConfigDocs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "config-docs",
        description = "Print the configuration reference (docs/configuration.md), generated from the declarations.")
final class ConfigDocsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        out.print(ConfigDocs.render());
        out.flush();
    }
}
