package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.contactrouter.channels.twilio.TwilioApiStub;
import org.contactrouter.channels.twilio.TwilioSignatures;
import org.contactrouter.events.AgentReplied;
import org.contactrouter.events.OfferAccepted;
import org.contactrouter.events.Presence;
import org.contactrouter.events.PresenceChanged;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each channel through the whole server: the adapter's input (a signed Twilio webhook, a mail in an IMAP mailbox, a
 * chat frame on the WebSocket) becomes a contact, the router acknowledges it on the customer's own channel, an agent
 * accepts and replies, and the reply reaches the customer there (the Twilio REST stub, the customer's mailbox, the
 * chat socket).
 */
class ChannelsEndToEndTest {

    private static final String ACCOUNT = "AC" + "0123456789abcdef".repeat(2);
    private static final String TOKEN = "test-auth-token";
    private static final String PUBLIC = "https://support.example.test/router";
    private static final String OUR_NUMBER = "+4930901820";

    @TempDir
    Path tmp;

    private final List<AutoCloseable> open = new ArrayList<>();
    private ServerClient client;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private void start(String channels) throws Exception {
        Path config = tmp.resolve("config");
        Files.createDirectories(config);
        Files.writeString(config.resolve("router.yaml"), "channels:\n" + channels);
        RouterServer server = TestServers.start(tmp, v -> v.equals("TWILIO_AUTH_TOKEN") ? TOKEN
                : v.equals("ROUTER_IMAP_PASSWORD") ? "support-secret" : null);
        open.add(0, server);
        await().atMost(Duration.ofSeconds(30)).until(server::isReady);
        client = new ServerClient(server);
    }

    /** Ann takes the customer's contact: available, the offer comes to her, she accepts. Returns the contact id. */
    private String annAccepts(String identity) throws Exception {
        client.agentAction(new PresenceChanged("ann", Presence.AVAILABLE));
        JsonNode contact = await().atMost(Duration.ofSeconds(20)).until(() -> client.contactOf(identity),
                c -> c != null && ServerClient.has(c, "OFFERED"));
        client.agentAction(new OfferAccepted("ann", ServerClient.decision(contact, "OFFERED").path("offerId").asText()));
        return contact.path("contactId").asText();
    }

    @Test
    void anSmsIsAcknowledgedAndAnsweredByTheAgentThroughTwiliosApi() throws Exception {
        TwilioApiStub twilio = new TwilioApiStub();
        open.add(twilio);
        start(twilioChannel(twilio));
        Map<String, List<String>> sms = Map.of("AccountSid", List.of(ACCOUNT), "MessageSid", List.of("SM" + "1".repeat(32)),
                "From", List.of("+4917012345678"), "To", List.of(OUR_NUMBER), "Body", List.of("My internet is down"));

        // Unsigned, or signed for the address the server listens on rather than the public one: refused, not stored.
        assertThat(webhook("/twilio/sms", sms, null).statusCode()).isEqualTo(403);
        assertThat(webhook("/twilio/sms", sms, TwilioSignatures.sign(TOKEN, client.uri("/twilio/sms").toString(), sms))
                .statusCode()).isEqualTo(403);
        // Signed as Twilio signs it, for the public URL: stored, twice (a redelivery) is still one contact.
        String signature = TwilioSignatures.sign(TOKEN, PUBLIC + "/twilio/sms", sms);
        assertThat(webhook("/twilio/sms", sms, signature).statusCode()).isEqualTo(200);
        assertThat(webhook("/twilio/sms", sms, signature).statusCode()).isEqualTo(200);

        TwilioApiStub.Recorded ack = await().atMost(Duration.ofSeconds(20)).until(() -> sent(twilio), l -> !l.isEmpty())
                .get(0);
        assertThat(ack.param("To")).isEqualTo("+4917012345678");
        assertThat(ack.param("From")).isEqualTo(OUR_NUMBER);
        assertThat(ack.param("Body")).startsWith("Thank you for contacting us. An agent will answer");
        assertThat(ack.path()).isEqualTo("/2010-04-01/Accounts/" + ACCOUNT + "/Messages.json");

        String contactId = annAccepts("+4917012345678");
        client.agentAction(new AgentReplied("ann", contactId, "We are on it: a technician comes at 2 pm."));
        List<String> bodies = await().atMost(Duration.ofSeconds(20))
                .until(() -> sent(twilio).stream().map(r -> r.param("Body")).toList(),
                        l -> l.stream().anyMatch(b -> b.startsWith("We are on it")));
        assertThat(bodies).hasSize(3); // acknowledgement, "Ann Example is now looking after you.", the reply
        assertThat(bodies.get(1)).isEqualTo("Ann Example is now looking after you.");
        assertThat(bodies.get(2)).startsWith("We are on it: a technician comes at 2 pm.").contains("Ann Example");
        assertThat(client.get("/api/customers/+4917012345678/contacts")).hasSize(1);
    }

    @Test
    void aCallerHearsTheExpectedWaitAndIsBridgedToTheAgentWhoAccepts() throws Exception {
        TwilioApiStub twilio = new TwilioApiStub();
        open.add(twilio);
        start(twilioChannel(twilio));
        String callSid = "CA" + "2".repeat(32);
        Map<String, List<String>> call = Map.of("AccountSid", List.of(ACCOUNT), "CallSid", List.of(callSid),
                "From", List.of("+4917099887766"), "To", List.of(OUR_NUMBER), "CallStatus", List.of("ringing"));

        // The webhook waits for the router's acknowledgement, which comes back through Kafka, and speaks it.
        HttpResponse<String> answer = webhook("/twilio/voice", call,
                TwilioSignatures.sign(TOKEN, PUBLIC + "/twilio/voice", call));
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("<Say>Thank you for contacting us. An agent will answer")
                .contains("<Enqueue").contains(">default</Enqueue>");

        annAccepts("+4917099887766");
        TwilioApiStub.Recorded bridge = await().atMost(Duration.ofSeconds(20)).until(() -> twilio.requests().stream()
                .filter(r -> r.path().endsWith("/Calls/" + callSid + ".json")).toList(), l -> !l.isEmpty()).get(0);
        assertThat(bridge.param("Twiml")).contains("Connecting you to Ann Example.").contains("<Client>ann</Client>");

        Map<String, List<String>> hungUp = Map.of("AccountSid", List.of(ACCOUNT), "CallSid", List.of(callSid),
                "From", List.of("+4917099887766"), "To", List.of(OUR_NUMBER), "CallStatus", List.of("completed"));
        assertThat(webhook("/twilio/voice/status", hungUp,
                TwilioSignatures.sign(TOKEN, PUBLIC + "/twilio/voice/status", hungUp)).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> client.contactOf("+4917099887766"),
                c -> ServerClient.has(c, "ENDED"));
    }

    @Test
    void aTwilioWebhookWhoseBodyIsNotFormEncodedIsRefused400NotA500() throws Exception {
        TwilioApiStub twilio = new TwilioApiStub();
        open.add(twilio);
        start(twilioChannel(twilio));

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(client.uri("/twilio/sms"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-Twilio-Signature", "c2ln")
                .POST(HttpRequest.BodyPublishers.ofString("MessageSid=SM1&Body=100%zz")).build());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("application/x-www-form-urlencoded");
    }

    private static String twilioChannel(TwilioApiStub twilio) {
        return """
                  twilio:
                    enabled: true
                    accountSid: %s
                    publicBaseUrl: %s
                    apiBaseUrl: %s
                    numbers: { "%s": default }
                """.formatted(ACCOUNT, PUBLIC, twilio.baseUrl(), OUR_NUMBER);
    }

    @Test
    void aMailIsAcknowledgedAndTheAgentsReplyArrivesInTheCustomersThread() throws Exception {
        GreenMail mail = new GreenMail(new ServerSetup[] {
                new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
                new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP)});
        mail.start();
        open.add(mail::stop);
        mail.setUser("support@nordwind.test", "support", "support-secret");
        mail.setUser("kim@example.test", "kim", "kim-secret");
        start("""
                  email:
                    enabled: true
                    address: support@nordwind.test
                    displayName: Nordwind Support
                    imap: { host: 127.0.0.1, port: %d, tls: false, user: support }
                    smtp: { host: 127.0.0.1, port: %d, startTls: false }
                    pollInterval: 5s
                """.formatted(mail.getImap().getPort(), mail.getSmtp().getPort()));

        MimeMessage question = GreenMailUtil.createTextEmail("support@nordwind.test", "Kim Lee <kim@example.test>",
                "Invoice too high", "Why is my invoice 20 EUR higher this month?", mail.getSmtp().getServerSetup());
        GreenMailUtil.sendMimeMessage(question);
        String questionId = question.getMessageID();

        MimeMessage ack = await().atMost(Duration.ofSeconds(30)).until(() -> inbox(mail, "kim@example.test"),
                l -> !l.isEmpty()).get(0);
        assertThat(ack.getSubject()).isEqualTo("Re: Invoice too high");
        assertThat(ack.getHeader("Auto-Submitted", null)).isEqualTo("auto-replied");
        assertThat(ack.getHeader("In-Reply-To", null)).isEqualTo(questionId);

        String contactId = annAccepts("kim@example.test");
        client.agentAction(new AgentReplied("ann", contactId, "It is the new router rental; I have refunded it."));
        MimeMessage reply = await().atMost(Duration.ofSeconds(30)).until(() -> inbox(mail, "kim@example.test"),
                l -> l.size() >= 2).get(1);
        assertThat(reply.getSubject()).isEqualTo("Re: Invoice too high");
        assertThat(reply.getHeader("In-Reply-To", null)).isEqualTo(questionId);
        assertThat(reply.getHeader("References", null)).contains(questionId);
        assertThat(reply.getHeader("Auto-Submitted", null)).isNull();
        assertThat(reply.getRecipients(Message.RecipientType.TO)[0].toString()).contains("kim@example.test");
        assertThat(GreenMailUtil.getBody(reply)).contains("It is the new router rental").contains("Ann Example");
    }

    @Test
    void aChatVisitorIsToldTheWaitThenTheAgentJoinsAndReplies() throws Exception {
        start("""
                  chat:
                    enabled: true
                    widgetId: website
                """);
        ServerClient.JsonFrames listener = new ServerClient.JsonFrames();
        LinkedBlockingQueue<JsonNode> frames = listener.frames;
        String origin = "http://127.0.0.1:" + client.uri("/").getPort();
        WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder().header("Origin", origin)
                .buildAsync(URI.create(origin.replace("http", "ws") + "/chat/ws"), listener)
                .get(10, TimeUnit.SECONDS);
        open.add(0, () -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));

        socket.sendText("{\"type\":\"hello\",\"name\":\"Kim Lee\"}", true).get();
        String session = next(frames, "welcome").path("session").asText();
        socket.sendText("{\"type\":\"message\",\"seq\":1,\"text\":\"Is there an outage in Berlin?\"}", true).get();
        assertThat(next(frames, "ack").path("seq").asInt()).isEqualTo(1);
        assertThat(next(frames, "wait").path("text").asText()).startsWith("Thank you for contacting us.");

        String contactId = annAccepts("chat:" + session);
        assertThat(next(frames, "agent-joined").path("agentName").asText()).isEqualTo("Ann Example");
        client.agentAction(new AgentReplied("ann", contactId, "No outage; let us check your line."));
        JsonNode reply = next(frames, "message");
        assertThat(reply.path("from").asText()).isEqualTo("agent");
        assertThat(reply.path("text").asText()).isEqualTo("No outage; let us check your line.");

        // The web chat's origin check: another site may not open the socket.
        assertThatThrownBy(() -> java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Origin", "https://evil.example")
                .buildAsync(URI.create(origin.replace("http", "ws") + "/chat/ws"), new ServerClient.JsonFrames())
                .get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode())
                        .isEqualTo(403));
    }

    // ------------------------------------------------------------------ helpers

    private HttpResponse<String> webhook(String path, Map<String, List<String>> form, String signature) throws Exception {
        String body = form.entrySet().stream().flatMap(e -> e.getValue().stream().map(v ->
                        URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(client.uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            b.header("X-Twilio-Signature", signature);
        }
        return client.send(b.build());
    }

    private static List<TwilioApiStub.Recorded> sent(TwilioApiStub twilio) {
        return twilio.requests().stream().filter(r -> r.path().endsWith("/Messages.json")).toList();
    }

    private static List<MimeMessage> inbox(GreenMail mail, String address) {
        return List.of(mail.getReceivedMessagesForDomain("example.test")).stream().filter(m -> {
            try {
                return m.getRecipients(Message.RecipientType.TO)[0].toString().contains(address);
            } catch (jakarta.mail.MessagingException e) {
                return false;
            }
        }).toList();
    }

    /** The next frame of this type, skipping others (the transcript echo, pings). */
    private static JsonNode next(LinkedBlockingQueue<JsonNode> frames, String type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            JsonNode f = frames.poll(200, TimeUnit.MILLISECONDS);
            if (f != null && f.path("type").asText().equals(type)) {
                return f;
            }
        }
        throw new AssertionError("no '" + type + "' frame within 20 s");
    }
}
