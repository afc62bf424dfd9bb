package org.contactrouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The ledger's queries and the audit on the command line. They ask a running server over its HTTP API (the ledger's
 * embedded database belongs to the server process), and print its JSON (CSV for export). They send the API key in
 * {@code ROUTER_API_KEY} (a key with {@code history:read} and {@code reports:read}, made by {@code router api-key}).
 */
final class ApiCommands {

    private ApiCommands() {
    }

    /** Where the server is, and the call itself. */
    static final class Server {
        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;

        @Option(names = "--url", defaultValue = "${env:ROUTER_URL:-http://127.0.0.1:8080}",
                description = "The running server (ROUTER_URL). Default: ${DEFAULT-VALUE}.")
        String url;

        /** Read from the environment only, so the key never shows in the process list or shell history. */
        String apiKey = System.getenv("ROUTER_API_KEY");

        private HttpRequest.Builder authorized(HttpRequest.Builder request) {
            return apiKey == null || apiKey.isBlank() ? request : request.header("Authorization", "Bearer " + apiKey);
        }

        /** GETs the path and prints the body; exit code 0 on 200, 1 otherwise. */
        int print(String path) throws InterruptedException {
            return print(path, body -> true);
        }

        /** GETs the path and prints the body; exit code 0 on 200 when {@code ok} holds for the JSON body. */
        int print(String path, java.util.function.Predicate<JsonNode> ok) throws InterruptedException {
            try {
                HttpResponse<String> r = HttpClient.newHttpClient().send(
                        authorized(HttpRequest.newBuilder(URI.create(url + path))).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                String body = r.body();
                boolean good = r.statusCode() == 200;
                if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
                    ObjectMapper json = new ObjectMapper();
                    JsonNode tree = json.readTree(body);
                    body = json.writerWithDefaultPrettyPrinter().writeValueAsString(tree);
                    good = good && ok.test(tree);
                }
                (r.statusCode() == 200 ? spec.commandLine().getOut() : spec.commandLine().getErr()).println(body);
                return good ? 0 : 1;
            } catch (ConnectException e) {
                spec.commandLine().getErr().println("no router answers at " + url
                        + " (start one with 'run', or give --url / ROUTER_URL)");
                return 1;
            } catch (IOException e) {
                spec.commandLine().getErr().println("cannot reach " + url + ": " + e.getMessage());
                return 1;
            }
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Command(name = "contact", description = "A contact and every decision about it, from the ledger.")
    static final class ContactCommand implements Callable<Integer> {
        @Mixin
        Server server;

        @Parameters(paramLabel = "CONTACT_ID")
        String id;

        @Override
        public Integer call() throws Exception {
            return server.print("/api/contacts/" + enc(id));
        }
    }

    @Command(name = "customer", description = "A customer's contacts on every channel, by customer key or any identity.")
    static final class CustomerCommand implements Callable<Integer> {
        @Mixin
        Server server;

        @Parameters(paramLabel = "KEY_OR_IDENTITY", description = "tel:+49..., +49 170 ..., kim@example.com, chat:v-1")
        String key;

        @Override
        public Integer call() throws Exception {
            return server.print("/api/customers/" + enc(key) + "/contacts");
        }
    }

    @Command(name = "agent", description = "The contacts an agent accepted since a time (default: the last day).")
    static final class AgentCommand implements Callable<Integer> {
        @Mixin
        Server server;

        @Parameters(paramLabel = "AGENT_ID")
        String id;

        @Option(names = "--since", description = "RFC 3339 time, e.g. 2026-11-23T00:00:00Z")
        String since;

        @Override
        public Integer call() throws Exception {
            return server.print("/api/agents/" + enc(id) + "/contacts" + (since == null ? "" : "?since=" + enc(since)));
        }
    }

    @Command(name = "queues", description = "Per-queue statistics since a time (default: the last day).")
    static final class QueuesCommand implements Callable<Integer> {
        @Mixin
        Server server;

        @Option(names = "--since", description = "RFC 3339 time")
        String since;

        @Override
        public Integer call() throws Exception {
            return server.print("/api/queues/stats" + (since == null ? "" : "?since=" + enc(since)));
        }
    }

    @Command(name = "export", description = "Contacts as CSV, one line each (default: the last day).")
    static final class ExportCommand implements Callable<Integer> {
        @Mixin
        Server server;

        @Option(names = "--from", description = "RFC 3339 time")
        String from;

        @Option(names = "--to", description = "RFC 3339 time")
        String to;

        @Override
        public Integer call() throws Exception {
            StringBuilder q = new StringBuilder();
            if (from != null) {
                q.append("from=").append(enc(from));
            }
            if (to != null) {
                q.append(q.length() > 0 ? "&" : "").append("to=").append(enc(to));
            }
            return server.print("/api/export/contacts.csv" + (q.length() > 0 ? "?" + q : ""));
        }
    }

    @Command(name = "audit", description = {
            "Re-read the decision log, the accepted contacts and the ledger, and report any contact owned by two agents",
            "at once, any accepted contact never decided, any decision missing from the ledger.",
            "Exit code: 0 clean, 1 problems found or the server not reachable."})
    static final class AuditCommand implements Callable<Integer> {
        @Mixin
        Server server;

        @Override
        public Integer call() throws Exception {
            return server.print("/api/audit", report -> report.path("clean").asBoolean(false));
        }
    }
}
