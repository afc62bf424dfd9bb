package org.contactrouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactEventJson;
import org.contactrouter.events.EventData;
import org.contactrouter.events.OutboundMessage;
import org.contactrouter.events.OutboundMessageJson;
import org.contactrouter.server.kafka.KafkaTopics;

/**
 * A test's view of a running server: its HTTP API, agent actions on {@code agent.actions} (as the agent desktop's
 * gateway sends them), the ledger's contacts, and what the customer was told on {@code messages.out}.
 */
final class ServerClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final RouterServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    ServerClient(RouterServer server) {
        this.server = server;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.httpPort() + path);
    }

    /** Sends a request as it is, without credentials unless it carries its own. */
    HttpResponse<String> sendAnonymous(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Sends a request, with the test integration's key unless it carries credentials of its own. */
    HttpResponse<String> send(HttpRequest request) throws Exception {
        if (request.headers().firstValue("Authorization").isEmpty()) {
            request = HttpRequest.newBuilder(request, (name, value) -> true)
                    .header("Authorization", "Bearer " + TestServers.API_KEY).build();
        }
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The JSON answer of a GET, or null unless it is a 200. */
    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri(path)).build());
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    HttpResponse<String> post(String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    void agentAction(EventData data) throws Exception {
        try (KafkaProducer<String, byte[]> producer = server.kafkaClients().producer(Map.of(), new StringSerializer(),
                new ByteArraySerializer())) {
            ContactEvent e = ContactEvent.of(UUID.randomUUID().toString(), "/test", Instant.now(), data);
            producer.send(new ProducerRecord<>(KafkaTopics.AGENT_ACTIONS, e.domain(), ContactEventJson.writeBytes(e))).get();
        }
    }

    /** The ledger's record of the customer's first contact, or null while there is none. */
    JsonNode contactOf(String identity) throws Exception {
        JsonNode list = get("/api/customers/" + identity + "/contacts");
        if (list == null || list.isEmpty()) {
            return null;
        }
        return get("/api/contacts/" + list.get(0).path("contactId").asText());
    }

    static boolean has(JsonNode contact, String type) {
        return !decisions(contact, type).isEmpty();
    }

    static JsonNode decision(JsonNode contact, String type) {
        return decisions(contact, type).get(0);
    }

    static List<JsonNode> decisions(JsonNode contact, String type) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode d : contact.path("decisions")) {
            if (d.path("type").asText().equalsIgnoreCase(type)) {
                out.add(d);
            }
        }
        return out;
    }

    /** Collects a WebSocket's text frames as JSON, for the chat and agent feed tests. */
    static final class JsonFrames implements java.net.http.WebSocket.Listener {
        final java.util.concurrent.LinkedBlockingQueue<JsonNode> frames = new java.util.concurrent.LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data,
                                                              boolean last) {
            partial.append(data);
            if (last) {
                try {
                    frames.add(JSON.readTree(partial.toString()));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }

    /** The committed messages.out records of one contact, in order. */
    List<OutboundMessage> outbound(String contactId) {
        List<OutboundMessage> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = server.kafkaClients().consumer(
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
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
}
