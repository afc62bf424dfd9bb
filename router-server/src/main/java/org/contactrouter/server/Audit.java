package org.contactrouter.server;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.contactrouter.events.ContactEventJson;
import org.contactrouter.events.InboundContact;
import org.contactrouter.ledger.Ledger;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.server.kafka.KafkaClients;
import org.contactrouter.server.kafka.KafkaTopics;
import org.contactrouter.server.wire.DecisionJson;

/**
 * Defence in depth, because exactly-once has had edge cases of its own: re-reads the committed decision log, the
 * accepted customer events and the ledger, and reports
 * <ul>
 *   <li>a contact owned by two agents at once (an ASSIGNED while another agent still owns it),</li>
 *   <li>a customer event accepted into {@code contacts.in} that no decision answers (never decided),</li>
 *   <li>a decision in the log that is missing from the ledger.</li>
 * </ul>
 * It reads everything committed up to the moment it starts; what arrives meanwhile is left for the next run. A
 * customer event or decision younger than {@code grace} is not counted yet: routing or the ledger writer may still be
 * on it.
 */
final class Audit {

    /** What one audit run found; {@code clean} when nothing (lists are cut at 100 items). */
    record Report(Instant at, boolean clean, long decisionsRead, long eventsRead, List<String> doubleOwners,
                  List<String> undecided, List<String> missingFromLedger) {
    }

    private static final int MAX_LISTED = 100;

    private final KafkaClients kafka;
    private final Ledger ledger;
    private final Duration grace;

    Audit(KafkaClients kafka, Ledger ledger, Duration grace) {
        this.kafka = kafka;
        this.ledger = ledger;
        this.grace = grace;
    }

    Report run(Instant now) {
        Map<String, String> owner = new HashMap<>();
        Set<String> causes = new HashSet<>();
        List<String> doubleOwners = new ArrayList<>();
        Set<String> logIds = new HashSet<>();
        Instant cutoff = now.minus(grace);
        long decisions = readAll(KafkaTopics.ROUTING_DECISIONS, r -> {
            RoutingDecision d = DecisionJson.read(r.value());
            if (d.decidedAt().isBefore(cutoff)) {
                logIds.add(d.id());
            }
            if (d.causeEventId() != null) {
                causes.add(d.causeEventId());
            }
            if (d.contactId() == null) {
                return;
            }
            if (d.type() == DecisionType.ASSIGNED) {
                String previous = owner.put(d.contactId(), d.agentId());
                if (previous != null) {
                    add(doubleOwners, d.contactId() + " assigned to " + d.agentId() + " while owned by " + previous
                            + " (decision " + d.id() + ")");
                }
            } else if (d.type() == DecisionType.TRANSFERRED || d.type() == DecisionType.WRAPPED_UP) {
                owner.remove(d.contactId());
            }
        });
        List<String> undecided = new ArrayList<>();
        long events = readAll(KafkaTopics.CONTACTS_IN, r -> {
            var event = ContactEventJson.read(r.value());
            if (event.data() instanceof InboundContact && r.timestamp() < cutoff.toEpochMilli()
                    && !causes.contains(event.id())) {
                add(undecided, event.id() + " (" + KafkaTopics.CONTACTS_IN + "-" + r.partition() + "@" + r.offset() + ")");
            }
        });
        Set<String> recorded = ledger.decisionIds();
        List<String> missing = new ArrayList<>();
        for (String id : new TreeSet<>(logIds)) {
            if (!recorded.contains(id)) {
                add(missing, id);
            }
        }
        boolean clean = doubleOwners.isEmpty() && undecided.isEmpty() && missing.isEmpty();
        return new Report(now, clean, decisions, events, doubleOwners, undecided, missing);
    }

    private static void add(List<String> list, String item) {
        if (list.size() < MAX_LISTED) {
            list.add(item);
        }
    }

    /** Reads a topic from the beginning to its end as of now (read_committed); unreadable records are skipped. */
    private long readAll(String topic, java.util.function.Consumer<ConsumerRecord<String, byte[]>> each) {
        long read = 0;
        try (KafkaConsumer<String, byte[]> c = kafka.consumer(Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, "router-audit",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo info : c.partitionsFor(topic)) {
                tps.add(new TopicPartition(topic, info.partition()));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;
                    }
                    try {
                        each.accept(r);
                        read++;
                    } catch (RuntimeException e) {
                        // Unreadable records are the routing loop's and the ledger writer's to report.
                    }
                }
            }
        }
        return read;
    }
}
