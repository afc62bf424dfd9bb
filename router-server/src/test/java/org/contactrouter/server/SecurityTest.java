package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.contactrouter.access.ApiKeys;
import org.contactrouter.access.Passwords;
import org.contactrouter.channels.twilio.TwilioApiStub;
import org.contactrouter.events.OfferAccepted;
import org.contactrouter.ledger.Ledger;
import org.contactrouter.events.Presence;
import org.contactrouter.events.PresenceChanged;
import org.contactrouter.server.agent.AgentGateway;
import org.contactrouter.server.http.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may do what, tried on a whole server as the callers would: every route as anonymous, an agent, another agent, a
 * supervisor and an integration key, compared with the matrix in docs/security.md; and the sign-in's defences.
 */
class SecurityTest {

    private static final String ANN = "ann-password-1";
    private static final String BOB = "bob-password-1";
    private static final String SUE = "sue-password-1";
    private static final String DAN = "dan-password-1";
    private static final String NARROW_KEY = ApiKeys.generate("web-form");
    private static final Pattern ROW = Pattern.compile(
            "^\\| `(GET|POST) ([^`]+)` \\| ([^|]+) \\| (\\w+) \\| (\\w+) \\| (\\w+) \\| (\\w+) \\| (\\w+) \\|$");
    private static final List<String> CALLERS = List.of("anonymous", "agent", "another agent", "supervisor",
            "integration key");

    @TempDir
    static Path tmp;

    private static final List<AutoCloseable> open = new ArrayList<>();
    private static RouterServer server;
    private static ServerClient client;
    private static String contactId;
    private static String customerKey;

    @BeforeAll
    static void start() throws Exception {
        TwilioApiStub twilio = new TwilioApiStub();
        open.add(twilio);
        Path config = tmp.resolve("config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("agents.yaml"), """
                skills: [support]
                agents:
                  - id: ann
                    skills: { support: 3 }
                    password: "%s"
                  - id: bob
                    skills: { support: 3 }
                    password: "%s"
                  - id: sue
                    skills: { support: 1 }
                    capacity: { chat: 0, email: 0, voice: 0, sms: 0, whatsapp: 0 }
                    password: "%s"
                    role: supervisor
                """.formatted(Passwords.hash(ANN.toCharArray()), Passwords.hash(BOB.toCharArray()),
                Passwords.hash(SUE.toCharArray())) + DAN_ENTRY);
        TestServers.writeIntegrations(config);
        Files.writeString(config.resolve("integrations.yaml"), Files.readString(config.resolve("integrations.yaml"))
                + """
                  - id: web-form
                    keyHash: "%s"
                    scopes: [contacts:create]
                """.formatted(ApiKeys.hash(NARROW_KEY)));
        Files.writeString(config.resolve("router.yaml"), """
                channels:
                  chat:
                    enabled: true
                    widgetId: website
                  twilio:
                    enabled: true
                    accountSid: AC0123456789abcdef0123456789abcdef
                    publicBaseUrl: https://support.example.test
                    apiBaseUrl: %s
                """.formatted(twilio.baseUrl()));
        server = TestServers.start(tmp, v -> v.equals("TWILIO_AUTH_TOKEN") ? "test-auth-token" : null);
        open.add(0, server);
        await().atMost(Duration.ofSeconds(30)).until(server::isReady);
        client = new ServerClient(server);

        // Ann takes one contact: hers to read; Bob's to be refused.
        client.agentAction(new PresenceChanged("ann", Presence.AVAILABLE));
        client.post("/api/contacts", """
                {"id": "sec-1", "channel": "email", "customer": {"name": "Kim Lee", "email": "kim@example.com"},
                 "subject": "Invoice", "text": "I was charged twice."}""");
        JsonNode contact = await().atMost(Duration.ofSeconds(20)).until(() -> client.contactOf("kim@example.com"),
                c -> c != null && ServerClient.has(c, "OFFERED"));
        client.agentAction(new OfferAccepted("ann", ServerClient.decision(contact, "OFFERED").path("offerId").asText()));
        contactId = contact.path("contactId").asText();
        customerKey = contact.path("customerKey").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> client.contactOf("kim@example.com"),
                c -> c != null && "ann".equals(c.path("ownerAgentId").asText()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void everyRouteAnswersEachCallerAsTheDocumentedMatrixSays() throws Exception {
        Map<String, List<String>> documented = new LinkedHashMap<>();
        Map<String, String> policies = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(System.getProperty("repoRoot", "..")).resolve(
                "docs/security.md"))) {
            Matcher m = ROW.matcher(line.strip());
            if (m.matches()) {
                String route = m.group(1) + " " + m.group(2);
                documented.put(route, List.of(m.group(4), m.group(5), m.group(6), m.group(7), m.group(8)));
                policies.put(route, m.group(3).strip());
            }
        }
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("anonymous", null);
        tokens.put("agent", signIn("ann", ANN));
        tokens.put("another agent", signIn("bob", BOB));
        tokens.put("supervisor", signIn("sue", SUE));
        tokens.put("integration key", TestServers.API_KEY);

        List<Route> routes = new ArrayList<>(server.routes());
        // Signing out revokes the caller's token: last, so every other route sees live tokens.
        routes.sort((a, b) -> Boolean.compare(a.template().endsWith("/logout"), b.template().endsWith("/logout")));
        List<String> mismatches = new ArrayList<>();
        for (Route route : routes) {
            String name = route.method() + " " + route.template();
            assertThat(documented).as("docs/security.md has no row for %s", name).containsKey(name);
            assertThat(policies.get(name)).as("policy of %s in docs/security.md", name)
                    .isEqualTo(route.policy().name());
            List<String> actual = new ArrayList<>();
            for (String caller : CALLERS) {
                actual.add(outcome(call(route, tokens.get(caller))));
            }
            if (!actual.equals(documented.get(name))) {
                mismatches.add(name + ": documented " + documented.get(name) + ", served " + actual);
            }
        }
        assertThat(mismatches).as("routes whose answers differ from docs/security.md (callers: %s)", CALLERS)
                .isEmpty();
    }

    /** Dan works here until {@link #aTokenOfAnAgentRemovedFromAgentsYamlStopsWorkingAtOnce} removes him. */
    private static final String DAN_ENTRY = """
              - id: dan
                skills: { support: 1 }
                capacity: { chat: 0, email: 0, voice: 0, sms: 0, whatsapp: 0 }
                password: "%s"
            """.formatted(Passwords.hash(DAN.toCharArray()));

    @Test
    void aTokenOfAnAgentRemovedFromAgentsYamlStopsWorkingAtOnce() throws Exception {
        String token = signIn("dan", DAN);
        WebSocket feed = openFeed(token);
        assertThat(get(token, "/api/agent/me").statusCode()).isEqualTo(200);

        Path agents = tmp.resolve("config").resolve("agents.yaml");
        Files.writeString(agents, Files.readString(agents).replace(DAN_ENTRY, ""));
        await().atMost(Duration.ofSeconds(20)).until(() -> get(token, "/api/agent/me").statusCode() == 401);
        await().atMost(Duration.ofSeconds(10)).until(feed::isInputClosed);
        assertThat(login("dan", DAN).statusCode()).isEqualTo(401);
    }

    @Test
    void aKeyDoesOnlyWhatItsScopesSay() throws Exception {
        HttpResponse<String> create = client.send(json("/api/contacts", """
                {"id": "form-1", "channel": "email", "customer": {"email": "lee@example.com"}, "text": "Hi"}""")
                .header("Authorization", "Bearer " + NARROW_KEY).build());
        assertThat(create.statusCode()).as(create.body()).isEqualTo(202);
        HttpResponse<String> read = client.send(HttpRequest.newBuilder(client.uri("/api/customers/kim@example.com/contacts"))
                .header("Authorization", "Bearer " + NARROW_KEY).build());
        assertThat(read.statusCode()).as("contacts:create does not read history").isEqualTo(403);
        HttpResponse<String> forged = client.send(HttpRequest.newBuilder(client.uri("/api/queues/stats"))
                .header("Authorization", "Bearer " + ApiKeys.generate("tests")).build());
        assertThat(forged.statusCode()).as("a key with a known id but another secret").isEqualTo(401);
    }

    @Test
    void customerDataNeedsCredentials() throws Exception {
        for (String path : List.of("/api/customers/kim@example.com/contacts", "/api/contacts/" + contactId,
                "/api/export/contacts.csv", "/api/ops/floor", "/api/audit", "/metrics")) {
            HttpResponse<String> r = client.sendAnonymous(HttpRequest.newBuilder(client.uri(path)).build());
            assertThat(r.statusCode()).as(path).isEqualTo(401);
            assertThat(r.body()).as(path).doesNotContain("kim@example.com").contains("Authorization: Bearer");
        }
        JsonNode ready = ServerClient.JSON.readTree(client.sendAnonymous(
                HttpRequest.newBuilder(client.uri("/health/ready")).build()).body());
        assertThat(ready.path("status").asText()).isEqualTo("ready");
        assertThat(ready.has("partitions")).as("details of the instance are for credentials").isFalse();
    }

    @Test
    void passwordGuessingIsLockedOutPerAgentAndUnknownIdsLookTheSame() throws Exception {
        HttpResponse<String> unknown = login("nobody-here", "whatever-1");
        HttpResponse<String> wrong = login("bob", "not-bobs-password");
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(ServerClient.JSON.readTree(unknown.body())).isEqualTo(ServerClient.JSON.readTree(wrong.body()));
        for (int i = 0; i < 5; i++) { // with the two above, the sixth failure in a row locks the id out
            assertThat(login("bob", "guess-" + i).statusCode()).isIn(401, 429);
        }
        HttpResponse<String> locked = login("bob", BOB);
        assertThat(locked.statusCode()).as("locked even with the right password while locked out").isEqualTo(429);
        assertThat(locked.headers().firstValue("Retry-After")).isPresent();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300))
                .until(() -> login("bob", BOB).statusCode() == 200);
    }

    @Test
    void signingOutRevokesTheTokenAndClosesTheFeed() throws Exception {
        String token = signIn("ann", ANN);
        WebSocket feed = openFeed(token);
        assertThat(get(token, "/api/agent/me").statusCode()).isEqualTo(200);

        assertThat(client.send(json("/api/agent/logout", "{}").header("Authorization", "Bearer " + token).build())
                .statusCode()).isEqualTo(200);
        assertThat(get(token, "/api/agent/me").statusCode()).isEqualTo(401);
        await().atMost(Duration.ofSeconds(10)).until(feed::isInputClosed);
        assertThatThrownBy(() -> openFeed(token)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(WebSocketHandshakeException.class);
        assertThat(get(signIn("ann", ANN), "/api/agent/me").statusCode()).as("a new sign-in works").isEqualTo(200);
    }

    @Test
    void aCrossSiteFormPostCannotCreateAContact() throws Exception {
        HttpResponse<String> form = client.send(HttpRequest.newBuilder(client.uri("/api/contacts"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("id=x&channel=email")).build());
        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(form.body()).contains("application/json");
    }

    @Test
    void aContactForAnUnknownDomainOrWithABadLanguageIsRefused() throws Exception {
        HttpResponse<String> domain = client.send(json("/api/contacts", """
                {"id": "dom-1", "channel": "email", "customer": {"email": "a@example.com"}, "domain": "made-up"}""")
                .build());
        assertThat(domain.statusCode()).isEqualTo(400);
        assertThat(domain.body()).contains("domain: 'made-up' is not a routing domain").contains("default");
        HttpResponse<String> language = client.send(json("/api/contacts", """
                {"id": "lang-1", "channel": "email", "customer": {"email": "a@example.com"}, "language": "%s"}"""
                .formatted("x".repeat(300))).build());
        assertThat(language.statusCode()).isEqualTo(400);
        assertThat(language.body()).contains("language");
    }

    @Test
    void aReplyToAContactMadeThroughTheApiIsRefusedAsUndeliverable() throws Exception {
        String token = signIn("ann", ANN);
        HttpResponse<String> reply = client.send(json("/api/agent/contacts/" + contactId + "/reply",
                "{\"text\": \"We refunded you.\"}").header("Authorization", "Bearer " + token).build());
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(409);
        JsonNode body = ServerClient.JSON.readTree(reply.body());
        assertThat(body.path("reason").asText()).isEqualTo("undeliverable");
        assertThat(body.path("error").asText()).contains("cannot be delivered");
    }

    @Test
    void aRetriedRefusedActionGetsTheOriginalRefusalNotAlreadyApplied() throws Exception {
        String token = signIn("bob", BOB);
        HttpRequest.Builder accept = json("/api/agent/offers/o-that-was-never-made/accept", "{}")
                .header("Authorization", "Bearer " + token).header("Idempotency-Key", "retry-1");
        HttpResponse<String> first = client.send(accept.build());
        assertThat(first.statusCode()).as(first.body()).isEqualTo(409);
        HttpResponse<String> again = client.send(accept.build());
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(ServerClient.JSON.readTree(again.body()).path("reason").asText())
                .isEqualTo(ServerClient.JSON.readTree(first.body()).path("reason").asText());
    }

    @Test
    void aSeparatePublicPortServesOnlyThePublicDoors() throws Exception {
        Path dir = tmp.resolve("two-doors");
        Path config = TestServers.config(dir);
        Files.writeString(config.resolve("router.yaml"), """
                channels:
                  chat:
                    enabled: true
                    widgetId: website
                """);
        ServerSettings twoDoors = new ServerSettings(config, dir.resolve("data"),
                new HttpSettings("127.0.0.1", 0, "127.0.0.1", 0, List.of(), List.of(), null, null, null, null,
                        HttpSettings.API_REQUESTS_PER_SECOND), null, Map.of(), 0, 2, (short) 1, null, null, null,
                Ledger.DEFAULT_TIMEOUT, "two-doors", Duration.ofMillis(200), List.of());
        try (RouterServer both = RouterServer.start(twoDoors, Clock.systemUTC())) {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.util.function.BiFunction<Integer, String, Integer> status = (port, path) -> {
                try {
                    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                            .header("Authorization", "Bearer " + TestServers.API_KEY).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            int internal = both.httpPort();
            int outside = both.publicHttpPort();
            assertThat(status.apply(outside, "/health/live")).isEqualTo(200);
            assertThat(status.apply(outside, "/chat")).as("the chat page").isEqualTo(200);
            for (String inside : List.of("/api/queues/stats", "/api/ops/floor", "/metrics", "/agent", "/ops",
                    "/openapi.yaml")) {
                assertThat(status.apply(outside, inside)).as("%s on the public port, even with a key", inside)
                        .isEqualTo(404);
                assertThat(status.apply(internal, inside)).as("%s on the internal port", inside).isEqualTo(200);
            }
            assertThat(both.describe()).contains("Public port     http://127.0.0.1:" + outside
                    + "  (Twilio webhooks, chat, health only)");
        }
    }

    @Test
    void theDemoPasswordIsRefusedWhenTheServerListensBeyondLoopback() throws Exception {
        Path dir = tmp.resolve("public");
        Path config = dir.resolve("config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("agents.yaml"), """
                skills: [support]
                agents:
                  - id: anna
                    skills: { support: 3 }
                    password: "%s"
                """.formatted(Passwords.hash(AgentGateway.DEMO_PASSWORD.toCharArray())));
        Files.writeString(config.resolve("routing.yaml"), """
                queues:
                  - id: support
                    channels: [email]
                    skills: { support: 1 }
                rules:
                  - id: everything
                    queue: support
                """);
        ServerSettings beyond = new ServerSettings(config, dir.resolve("data"),
                new HttpSettings("0.0.0.0", 0, null, 0, List.of("support.example.com"), List.of(), null, null, null,
                        null, HttpSettings.API_REQUESTS_PER_SECOND), null, Map.of(), 0, 2, (short) 1, null, null, null, Ledger.DEFAULT_TIMEOUT, "public",
                Duration.ofMillis(200), List.of());
        assertThatThrownBy(() -> RouterServer.start(beyond, Clock.systemUTC()))
                .hasMessageContaining("anna still have the example's demo password")
                .hasMessageContaining("hash-password");
    }

    // ------------------------------------------------------------------ helpers

    /** What a caller got: "yes" (the route served them, whatever it answered), or the 401 or 403 that stopped them. */
    private static String outcome(HttpResponse<String> r) {
        return r.statusCode() == 401 || r.statusCode() == 403 ? String.valueOf(r.statusCode()) : "yes";
    }

    private static HttpResponse<String> call(Route route, String token) throws Exception {
        String path = route.template().replace("{id}", route.template().startsWith("/api/agents/") ? "ann" : contactId)
                .replace("{key}", customerKey).replace("{contactId}", contactId).replace("{offerId}", "o-none");
        HttpRequest.Builder b = HttpRequest.newBuilder(client.uri(path)).timeout(Duration.ofSeconds(20));
        if (route.method().equals("POST")) {
            String type = route.body() == Route.Body.FORM ? "application/x-www-form-urlencoded" : "application/json";
            b.header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(
                    route.body() == Route.Body.FORM ? "" : "{}"));
        }
        if (token == null) {
            return client.sendAnonymous(b.build());
        }
        return client.send(b.header("Authorization", "Bearer " + token).build());
    }

    /** The agent's live feed, once its welcome arrived. */
    private static WebSocket openFeed(String token) throws Exception {
        ServerClient.JsonFrames frames = new ServerClient.JsonFrames();
        WebSocket feed = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.httpPort() + "/agent/ws?token=" + token), frames)
                .get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> !frames.frames.isEmpty());
        return feed;
    }

    private static HttpRequest.Builder json(String path, String body) {
        return HttpRequest.newBuilder(client.uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static HttpResponse<String> login(String agent, String password) throws Exception {
        return client.sendAnonymous(json("/api/agent/login",
                "{\"agentId\":\"" + agent + "\",\"password\":\"" + password + "\"}").build());
    }

    private static String signIn(String agent, String password) throws Exception {
        HttpResponse<String> r = login(agent, password);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return ServerClient.JSON.readTree(r.body()).path("token").asText();
    }

    private static HttpResponse<String> get(String token, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(client.uri(path)).header("Authorization", "Bearer " + token)
                .build());
    }
}
