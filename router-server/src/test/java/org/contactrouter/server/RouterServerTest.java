package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactEventJson;
import org.contactrouter.events.EventData;
import org.contactrouter.events.OfferAccepted;
import org.contactrouter.events.OutboundKind;
import org.contactrouter.events.OutboundMessage;
import org.contactrouter.events.OutboundMessageJson;
import org.contactrouter.events.Presence;
import org.contactrouter.events.PresenceChanged;
import org.contactrouter.server.kafka.KafkaTopics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole server on loopback: embedded Kafka, routing loop, ledger, HTTP. Contacts come in through the REST API,
 * agent actions through the agent.actions topic (as the agent desktop's gateway sends them), and the ledger is read
 * back through the API.
 */
class RouterServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> open = new ArrayList<>();
    private RouterServer server;

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
        server = s;
        return s;
    }

    @Test
    void routesAContactFromTheApiToAnAgentAndRecordsItInTheLedger() throws Exception {
        start();
        agentAction(new PresenceChanged("ann", Presence.AVAILABLE));
        HttpResponse<String> posted = post("/api/contacts", """
                {"id": "crm-1", "channel": "email", "customer": {"name": "Kim Lee", "email": "Kim@Example.com"},
                 "subject": "Cancel my contract", "text": "Please cancel."}""");
        assertThat(posted.statusCode()).isEqualTo(202);

        JsonNode contact = await().atMost(Duration.ofSeconds(20)).until(() -> contactOf("kim@example.com"),
                c -> c != null && has(c, "OFFERED"));
        String contactId = contact.path("contactId").asText();
        String offerId = decision(contact, "OFFERED").path("offerId").asText();
        assertThat(decision(contact, "OFFERED").path("agentId").asText()).isEqualTo("ann");

        agentAction(new OfferAccepted("ann", offerId));
        JsonNode assigned = await().atMost(Duration.ofSeconds(20)).until(() -> get("/api/contacts/" + contactId),
                c -> c != null && has(c, "ASSIGNED"));
        assertThat(decision(assigned, "ASSIGNED").path("agentName").asText()).isEqualTo("Ann Example");
        assertThat(decision(assigned, "QUEUED").path("subject").asText()).isEqualTo("Cancel my contract");

        // What the customer is told is on messages.out, committed with the decisions it comes from.
        List<OutboundMessage> told = await().atMost(Duration.ofSeconds(20)).until(() -> outbound(contactId),
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
        assertThat(post("/api/contacts", body).statusCode()).isEqualTo(202);
        assertThat(post("/api/contacts", body).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> contactOf("lee@example.com"), c -> c != null);
        JsonNode history = get("/api/customers/lee@example.com/contacts");
        assertThat(history).hasSize(1);
    }

    @Test
    void malformedContactsGetA400NamingTheProblem() throws Exception {
        start();
        HttpResponse<String> broken = post("/api/contacts", "{\"id\": \"x\", ");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(broken.body()).path("error").asText()).startsWith("body is not valid JSON");
        HttpResponse<String> badPhone = post("/api/contacts", """
                {"id": "x", "channel": "sms", "customer": {"phone": "0170 123"}}""");
        assertThat(badPhone.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badPhone.body()).path("error").asText()).startsWith("customer.phone: '0170 123'");
        HttpResponse<String> noChannel = post("/api/contacts", """
                {"id": "x", "channel": "fax", "customer": {"email": "a@b.io"}}""");
        assertThat(JSON.readTree(noChannel.body()).path("error").asText()).contains("channel: 'fax'");
        assertThat(http.send(HttpRequest.newBuilder(uri("/nowhere")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(404);
        HttpResponse<String> tooBig = post("/api/contacts", "{\"text\": \"" + "x".repeat(300 * 1024) + "\"}");
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(tooBig.body()).path("error").asText()).startsWith("request body over 262144 bytes");
        HttpResponse<String> wrongMethod = http.send(HttpRequest.newBuilder(uri("/api/contacts")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).contains("POST");
    }

    @Test
    void reportsHealthAndMetrics() throws Exception {
        start();
        assertThat(http.send(HttpRequest.newBuilder(uri("/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        agentAction(new PresenceChanged("bob", Presence.AVAILABLE));
        await().atMost(Duration.ofSeconds(20)).until(() -> http.send(HttpRequest.newBuilder(uri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body(), b -> b.contains("router_decisions_total{"));
    }

    @Test
    void aRestartRestoresRoutingStateFromKafka() throws Exception {
        RouterServer first = start();
        agentAction(new PresenceChanged("ann", Presence.AVAILABLE));
        post("/api/contacts", """
                {"id": "r-1", "channel": "chat", "customer": {"chatVisitor": "v-1"}, "text": "hi"}""");
        JsonNode before = await().atMost(Duration.ofSeconds(20)).until(() -> contactOf("chat:v-1"),
                c -> c != null && has(c, "OFFERED"));
        String offerId = decision(before, "OFFERED").path("offerId").asText();
        open.remove(first);
        first.close();

        start();
        // Ann's availability and the open offer survived: she can accept it after the restart.
        agentAction(new OfferAccepted("ann", offerId));
        JsonNode after = await().atMost(Duration.ofSeconds(30)).until(() -> contactOf("chat:v-1"),
                c -> c != null && has(c, "ASSIGNED"));
        assertThat(decisions(after, "OFFERED")).hasSize(1);
        assertThat(decisions(after, "QUEUED")).hasSize(1);
    }

    // ------------------------------------------------------------------ helpers

    /** The committed messages.out records of one contact, in order. */
    private List<OutboundMessage> outbound(String contactId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<OutboundMessage> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(KafkaTopics.MESSAGES_OUT).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> ends = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    OutboundMessage m = OutboundMessageJson.read(r.value());
                    if (m.contactId().equals(contactId)) {
                        out.add(m);
                    }
                }
            }
        }
        return out;
    }

    private void agentAction(EventData data) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            ContactEvent e = ContactEvent.of(UUID.randomUUID().toString(), "/test", java.time.Instant.now(), data);
            producer.send(new ProducerRecord<>(KafkaTopics.AGENT_ACTIONS, e.domain(), ContactEventJson.writeBytes(e))).get();
        }
    }

    private JsonNode contactOf(String identity) throws Exception {
        JsonNode list = get("/api/customers/" + identity + "/contacts");
        if (list == null || list.isEmpty()) {
            return null;
        }
        return get("/api/contacts/" + list.get(0).path("contactId").asText());
    }

    private static boolean has(JsonNode contact, String type) {
        return !decisions(contact, type).isEmpty();
    }

    private static JsonNode decision(JsonNode contact, String type) {
        return decisions(contact, type).get(0);
    }

    private static List<JsonNode> decisions(JsonNode contact, String type) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode d : contact.path("decisions")) {
            if (d.path("type").asText().equalsIgnoreCase(type)) {
                out.add(d);
            }
        }
        return out;
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.httpPort() + path);
    }
}
