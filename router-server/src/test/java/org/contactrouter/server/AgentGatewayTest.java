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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.contactrouter.access.Passwords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent works through the REST API and the live feed, as the desktop and integrations do: sign in, go available,
 * receive an offer on the WebSocket, accept, reply, wrap up with a follow-up that comes back when due; and every
 * action the router refuses is answered with the reason.
 */
class AgentGatewayTest {

    @TempDir
    Path tmp;

    private final List<AutoCloseable> open = new ArrayList<>();
    private ServerClient client;

    @BeforeEach
    void start() throws Exception {
        Path config = tmp.resolve("config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("agents.yaml"), """
                skills: [support]
                agents:
                  - id: ann
                    name: Ann Example
                    skills: { support: 3 }
                    password: "%s"
                  - id: bob
                    name: Bob Example
                    skills: { support: 3 }
                """.formatted(Passwords.hash("ann-password-1".toCharArray())));
        RouterServer server = TestServers.start(tmp);
        open.add(0, server);
        await().atMost(Duration.ofSeconds(30)).until(server::isReady);
        client = new ServerClient(server);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void anAgentSignsInTakesAnOfferFromTheFeedRepliesAndGetsTheFollowUpBackWhenDue() throws Exception {
        assertThat(client.post("/api/agent/login", "{\"agentId\":\"ann\",\"password\":\"wrong-password\"}")
                .statusCode()).isEqualTo(401);
        assertThat(client.post("/api/agent/login", "{\"agentId\":\"bob\",\"password\":\"ann-password-1\"}")
                .statusCode()).as("an agent without a password cannot sign in").isEqualTo(401);
        HttpResponse<String> login = client.post("/api/agent/login",
                "{\"agentId\":\"ann\",\"password\":\"ann-password-1\"}");
        assertThat(login.statusCode()).isEqualTo(200);
        String token = ServerClient.JSON.readTree(login.body()).path("token").asText();

        ServerClient.JsonFrames listener = new ServerClient.JsonFrames();
        LinkedBlockingQueue<JsonNode> feed = listener.frames;
        WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + client.uri("/").getPort() + "/agent/ws?token=" + token),
                        listener).get(10, TimeUnit.SECONDS);
        open.add(0, () -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
        assertThat(next(feed, "welcome").path("agentId").asText()).isEqualTo("ann");

        assertThat(act(null, "/api/agent/presence", "{\"presence\":\"available\"}").statusCode()).isEqualTo(401);
        HttpResponse<String> available = act(token, "/api/agent/presence", "{\"presence\":\"available\"}");
        assertThat(available.statusCode()).isEqualTo(200);
        assertThat(ServerClient.JSON.readTree(available.body()).path("decisions").get(0).path("type").asText())
                .isEqualTo("presence-changed");
        assertThat(act(token, "/api/agent/presence", "{\"presence\":\"busy\"}").statusCode()).isEqualTo(400);

        client.post("/api/contacts", """
                {"id": "g-1", "channel": "chat", "customer": {"name": "Kim Lee", "chatVisitor": "v-g1"},
                 "text": "My router blinks red"}""");
        JsonNode offer = nextDecision(feed, "offered");
        String offerId = offer.path("offerId").asText();
        String contactId = offer.path("contactId").asText();

        HttpResponse<String> accepted = act(token, "/api/agent/offers/" + offerId + "/accept", "");
        assertThat(accepted.statusCode()).isEqualTo(200);
        assertThat(accepted.body()).contains("\"type\":\"assigned\"");
        HttpResponse<String> again = act(token, "/api/agent/offers/" + offerId + "/accept", "");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(ServerClient.JSON.readTree(again.body()).path("reason").asText()).isEqualTo("offer-not-open");

        JsonNode me = await().atMost(Duration.ofSeconds(10)).until(() -> get(token, "/api/agent/me"),
                m -> m.path("contacts").size() == 1 && "ann".equals(m.path("contacts").get(0).path("owner").asText()));
        assertThat(me.path("agent").path("load").path("chat").asInt()).isEqualTo(1);
        JsonNode floor = client.get("/api/ops/floor");
        assertThat(floor.path("queues").get(0).path("queue").asText()).isEqualTo("support");
        assertThat(floor.path("agents")).extracting(a -> a.path("agent").asText()).contains("ann", "bob");
        JsonNode recent = client.get("/api/ops/decisions");
        assertThat(recent.get(0).path("type").asText()).as("the second accept, newest first").isEqualTo("refused");
        assertThat(recent).anySatisfy(d -> assertThat(d.path("explanation").path("queue").asText()).isEqualTo("support"));
        assertThat(client.sendAnonymous(HttpRequest.newBuilder(client.uri("/api/agent/me")).build()).statusCode())
                .isEqualTo(401);

        HttpResponse<String> reply = act(token, "/api/agent/contacts/" + contactId + "/reply",
                "{\"text\":\"Please restart it.\"}");
        assertThat(reply.statusCode()).as("a contact made through the API has no channel thread to answer on")
                .isEqualTo(409);
        assertThat(ServerClient.JSON.readTree(reply.body()).path("reason").asText()).isEqualTo("undeliverable");
        HttpResponse<String> notOurs = act(token, "/api/agent/contacts/c-nothing/reply", "{\"text\":\"hello\"}");
        assertThat(notOurs.statusCode()).isEqualTo(409);
        assertThat(ServerClient.JSON.readTree(notOurs.body()).path("error").asText()).isNotBlank();
        assertThat(act(token, "/api/agent/contacts/" + contactId + "/transfer", "{\"toAgent\":\"bob\"}")
                .statusCode()).as("a transfer needs a note").isEqualTo(400);

        // Wrap up with a follow-up due in two seconds: it comes back to Ann, on her feed.
        Instant due = Instant.now().plusSeconds(2);
        HttpResponse<String> wrapped = act(token, "/api/agent/contacts/" + contactId + "/wrap-up",
                "{\"disposition\":\"solved\",\"followUpAt\":\"" + due + "\",\"followUpNote\":\"check the line\"}");
        assertThat(wrapped.statusCode()).as(wrapped.body()).isEqualTo(200);
        assertThat(wrapped.body()).contains("\"type\":\"wrapped-up\"").contains("\"type\":\"follow-up-scheduled\"");
        JsonNode followUp = nextDecision(feed, "follow-up-due");
        assertThat(followUp.path("agentId").asText()).isEqualTo("ann");
        assertThat(nextDecision(feed, "offered").path("contactId").asText()).startsWith(contactId + ".f");
    }

    @Test
    void aForgedTokenOrAnotherSitesPageCannotOpenTheFeed() throws Exception {
        String token = ServerClient.JSON.readTree(client.post("/api/agent/login",
                "{\"agentId\":\"ann\",\"password\":\"ann-password-1\"}").body()).path("token").asText();
        String forged = token.substring(0, token.indexOf('.')) + ".AAAA";
        URI feed = URI.create("ws://127.0.0.1:" + client.uri("/").getPort() + "/agent/ws?token=");

        assertThat(handshakeStatus(feed + forged, null)).isEqualTo(401);
        assertThat(handshakeStatus(feed + token, "https://evil.example")).isEqualTo(403);
        assertThat(act(forged, "/api/agent/presence", "{\"presence\":\"available\"}").statusCode()).isEqualTo(401);
    }

    // ------------------------------------------------------------------ helpers

    private HttpResponse<String> act(String token, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(client.uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token == null) {
            return client.sendAnonymous(b.build());
        }
        return client.send(b.header("Authorization", "Bearer " + token).build());
    }

    private JsonNode get(String token, String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(client.uri(path))
                .header("Authorization", "Bearer " + token).build());
        return r.statusCode() == 200 ? ServerClient.JSON.readTree(r.body()) : null;
    }

    private static int handshakeStatus(String uri, String origin) {
        WebSocket.Builder b = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder();
        if (origin != null) {
            b.header("Origin", origin);
        }
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() ->
                b.buildAsync(URI.create(uri), new ServerClient.JsonFrames()).get(10, TimeUnit.SECONDS));
        assertThat(failure).hasCauseInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) failure.getCause()).getResponse().statusCode();
    }

    private static JsonNode nextDecision(LinkedBlockingQueue<JsonNode> feed, String type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            JsonNode f = feed.poll(200, TimeUnit.MILLISECONDS);
            if (f != null && f.path("type").asText().equals("decision")
                    && f.path("decision").path("type").asText().equals(type)) {
                return f.path("decision");
            }
        }
        throw new AssertionError("no '" + type + "' decision on the feed within 20 s");
    }

    private static JsonNode next(LinkedBlockingQueue<JsonNode> feed, String type) throws InterruptedException {
        JsonNode f = feed.poll(10, TimeUnit.SECONDS);
        assertThat(f).as("a '" + type + "' frame").isNotNull();
        assertThat(f.path("type").asText()).isEqualTo(type);
        return f;
    }
}
