package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.contactrouter.events.OfferAccepted;
import org.contactrouter.events.OutboundKind;
import org.contactrouter.events.OutboundMessage;
import org.contactrouter.events.Presence;
import org.contactrouter.events.PresenceChanged;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole server on loopback: embedded Kafka, routing loop, ledger, HTTP. Contacts come in through the REST API,
 * agent actions through the agent.actions topic (as the agent desktop's gateway sends them), and the ledger is read
 * back through the API.
 */
class RouterServerTest {

    private static final ObjectMapper JSON = ServerClient.JSON;

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

    private RouterServer start() throws Exception {
        RouterServer s = TestServers.start(tmp);
        open.add(0, s);
        await().atMost(Duration.ofSeconds(30)).until(s::isReady);
        client = new ServerClient(s);
        return s;
    }

    @Test
    void routesAContactFromTheApiToAnAgentAndRecordsItInTheLedger() throws Exception {
        start();
        client.agentAction(new PresenceChanged("ann", Presence.AVAILABLE));
        HttpResponse<String> posted = client.post("/api/contacts", """
                {"id": "crm-1", "channel": "email", "customer": {"name": "Kim Lee", "email": "Kim@Example.com"},
                 "subject": "Cancel my contract", "text": "Please cancel."}""");
        assertThat(posted.statusCode()).isEqualTo(202);

        JsonNode contact = await().atMost(Duration.ofSeconds(20)).until(() -> client.contactOf("kim@example.com"),
                c -> c != null && ServerClient.has(c, "OFFERED"));
        String contactId = contact.path("contactId").asText();
        String offerId = ServerClient.decision(contact, "OFFERED").path("offerId").asText();
        assertThat(ServerClient.decision(contact, "OFFERED").path("agentId").asText()).isEqualTo("ann");

        client.agentAction(new OfferAccepted("ann", offerId));
        JsonNode assigned = await().atMost(Duration.ofSeconds(20)).until(() -> client.get("/api/contacts/" + contactId),
                c -> c != null && ServerClient.has(c, "ASSIGNED"));
        assertThat(ServerClient.decision(assigned, "ASSIGNED").path("agentName").asText()).isEqualTo("Ann Example");
        assertThat(ServerClient.decision(assigned, "QUEUED").path("subject").asText()).isEqualTo("Cancel my contract");

        // What the customer is told is on messages.out, committed with the decisions it comes from.
        List<OutboundMessage> told = await().atMost(Duration.ofSeconds(20)).until(() -> client.outbound(contactId),
                l -> l.size() >= 2);
        assertThat(told).extracting(OutboundMessage::kind)
                .containsExactly(OutboundKind.ACKNOWLEDGEMENT, OutboundKind.AGENT_JOINED);
        assertThat(told.get(0).conversation()).isEqualTo("api:crm-1");
        assertThat(told.get(1).agentName()).isEqualTo("Ann Example");
    }

    @Test
    void theSameContactPostedTwiceIsOneContact() throws Exception {
        start();
        String body = """
                {"id": "form-7", "channel": "email", "customer": {"email": "lee@example.com"}, "text": "hello"}""";
        assertThat(client.post("/api/contacts", body).statusCode()).isEqualTo(202);
        assertThat(client.post("/api/contacts", body).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> client.contactOf("lee@example.com"), c -> c != null);
        JsonNode history = client.get("/api/customers/lee@example.com/contacts");
        assertThat(history).hasSize(1);
    }

    @Test
    void malformedContactsGetA400NamingTheProblem() throws Exception {
        start();
        HttpResponse<String> broken = client.post("/api/contacts", "{\"id\": \"x\", ");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(broken.body()).path("error").asText()).startsWith("body is not valid JSON");
        HttpResponse<String> badPhone = client.post("/api/contacts", """
                {"id": "x", "channel": "sms", "customer": {"phone": "0170 123"}}""");
        assertThat(badPhone.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badPhone.body()).path("error").asText()).startsWith("customer.phone: '0170 123'");
        HttpResponse<String> noChannel = client.post("/api/contacts", """
                {"id": "x", "channel": "fax", "customer": {"email": "a@b.io"}}""");
        assertThat(JSON.readTree(noChannel.body()).path("error").asText()).contains("channel: 'fax'");
        assertThat(client.send(HttpRequest.newBuilder(client.uri("/nowhere")).build())
                .statusCode()).isEqualTo(404);
        HttpResponse<String> tooBig = client.post("/api/contacts", "{\"text\": \"" + "x".repeat(300 * 1024) + "\"}");
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(tooBig.body()).path("error").asText()).startsWith("request body over 262144 bytes");
        HttpResponse<String> wrongMethod = client.send(HttpRequest.newBuilder(client.uri("/api/contacts")).GET().build());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).contains("POST");
    }

    @Test
    void reportsHealthAndMetrics() throws Exception {
        start();
        assertThat(client.send(HttpRequest.newBuilder(client.uri("/health/ready")).build()).statusCode())
                .isEqualTo(200);
        client.agentAction(new PresenceChanged("bob", Presence.AVAILABLE));
        String metrics = await().atMost(Duration.ofSeconds(20)).until(
                () -> client.send(HttpRequest.newBuilder(client.uri("/metrics")).build()).body(),
                b -> b.contains("router_decisions_total{"));
        assertThat(metrics).as("the JVM's and the process's meters beside the router's")
                .contains("jvm_memory_used_bytes{", "jvm_gc_", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                        "process_cpu_usage", "process_uptime_seconds", "process_files_open_files");
    }

    @Test
    void aRestartRestoresRoutingStateFromKafka() throws Exception {
        RouterServer first = start();
        client.agentAction(new PresenceChanged("ann", Presence.AVAILABLE));
        client.post("/api/contacts", """
                {"id": "r-1", "channel": "chat", "customer": {"chatVisitor": "v-1"}, "text": "hi"}""");
        JsonNode before = await().atMost(Duration.ofSeconds(20)).until(() -> client.contactOf("chat:v-1"),
                c -> c != null && ServerClient.has(c, "OFFERED"));
        String offerId = ServerClient.decision(before, "OFFERED").path("offerId").asText();
        open.remove(first);
        first.close();

        start();
        // Ann's availability and the open offer survived: she can accept it after the restart.
        client.agentAction(new OfferAccepted("ann", offerId));
        JsonNode after = await().atMost(Duration.ofSeconds(30)).until(() -> client.contactOf("chat:v-1"),
                c -> c != null && ServerClient.has(c, "ASSIGNED"));
        assertThat(ServerClient.decisions(after, "OFFERED")).hasSize(1);
        assertThat(ServerClient.decisions(after, "QUEUED")).hasSize(1);
    }
}
