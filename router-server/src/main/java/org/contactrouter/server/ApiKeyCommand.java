package org.contactrouter.server;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.contactrouter.access.ApiKeys;
import org.contactrouter.access.Scope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "api-key",
        description = {"Make an API key for another system (a CRM, a web form's backend, Prometheus). Prints the key "
                + "once, for the other system (sent as 'Authorization: Bearer <key>'), and the entry for "
                + "config/integrations.yaml, which keeps only the key's SHA-256.",
                "Example: java -jar router-server.jar api-key crm --scope contacts:create --scope history:read"})
final class ApiKeyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "The key's id: letters, digits and '-', such as crm.")
    String id;

    @Option(names = "--scope", required = true, description = "What the key may do (repeat for more): "
            + "contacts:create, history:read, reports:read, metrics:read.")
    List<String> scopes;

    @Override
    public Integer call() {
        List<Scope> parsed;
        String key;
        try {
            parsed = scopes.stream().map(Scope::fromWire).distinct().toList();
            key = ApiKeys.generate(id);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("api-key: " + e.getMessage());
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("key (shown once; give it to the other system): " + key);
        out.println();
        out.println("for config/integrations.yaml, under integrations:");
        out.println("  - id: " + id);
        out.println("    keyHash: \"" + ApiKeys.hash(key) + "\"");
        out.println("    scopes: [" + String.join(", ", parsed.stream().map(Scope::wireName).toList()) + "]");
        out.flush();
        return 0;
    }
}
