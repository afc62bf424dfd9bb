package org.contactrouter.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.contactrouter.server.http.HttpResponse;
import org.contactrouter.server.kafka.KafkaTopics;
import org.contactrouter.server.runtime.RoutingLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole floor, whichever instance routes which domain: each instance writes the floor of the partitions it routes
 * to the compacted topic {@code ops.floor} when it changes, and every instance reads all of it, so the supervisor
 * view and an agent's desktop show every domain from any instance.
 */
final class FloorBoard {

    private static final Logger LOG = LoggerFactory.getLogger(FloorBoard.class);

    private final Producer<String, byte[]> producer;
    private final Map<Integer, RoutingLoop.Floor> byPartition = new ConcurrentHashMap<>();

    FloorBoard(Producer<String, byte[]> producer) {
        this.producer = producer;
    }

    /** Writes a partition's new floor (from the routing thread; does not wait for Kafka). */
    void publish(int partition, RoutingLoop.Floor floor) {
        ObjectNode record = HttpResponse.JSON.createObjectNode();
        record.put("partition", partition);
        record.set("floor", HttpResponse.JSON.valueToTree(floor));
        byte[] value;
        try {
            value = HttpResponse.JSON.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        producer.send(new ProducerRecord<>(KafkaTopics.OPS_FLOOR, partition, String.valueOf(partition), value),
                (meta, e) -> {
                    if (e != null) {
                        LOG.warn("the floor of partition {} was not shared: {}", partition, e.toString());
                    }
                });
    }

    /** Reads one record of the topic (from the observer). */
    void read(byte[] value) {
        try {
            JsonNode record = HttpResponse.JSON.readTree(value);
            byPartition.put(record.path("partition").asInt(),
                    HttpResponse.JSON.treeToValue(record.path("floor"), RoutingLoop.Floor.class));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every partition's last floor in one, with each queue's oldest wait in seconds as of {@code now}. */
    RoutingLoop.Floor merged(Instant now) {
        Instant at = Instant.EPOCH;
        List<Map<String, Object>> queues = new ArrayList<>();
        List<Map<String, Object>> agents = new ArrayList<>();
        List<Map<String, Object>> contacts = new ArrayList<>();
        for (RoutingLoop.Floor f : new java.util.TreeMap<>(byPartition).values()) {
            at = f.at().isAfter(at) ? f.at() : at;
            for (Map<String, Object> q : f.queues()) {
                Map<String, Object> row = new LinkedHashMap<>(q);
                Object since = q.get("oldestWaitSince");
                row.put("oldestWaitSeconds", since == null ? 0
                        : Math.max(0, Duration.between(Instant.parse(since.toString()), now).toSeconds()));
                queues.add(row);
            }
            agents.addAll(f.agents());
            contacts.addAll(f.contacts());
        }
        return new RoutingLoop.Floor(at, queues, agents, contacts);
    }
}
