package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.contactrouter.config.ConfigLoader;
import org.contactrouter.config.ConfigSnapshot;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactEventJson;
import org.contactrouter.events.Customer;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.EventData;
import org.contactrouter.events.Identity;
import org.contactrouter.events.OfferAccepted;
import org.contactrouter.events.Presence;
import org.contactrouter.events.PresenceChanged;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.RoutingConfig;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.routing.RoutingEngine;
import org.contactrouter.server.kafka.EmbeddedKafka;
import org.contactrouter.server.kafka.KafkaClients;
import org.contactrouter.server.kafka.KafkaTopics;
import org.contactrouter.server.runtime.ConfigPublisher;
import org.contactrouter.server.runtime.JournalEntry;
import org.contactrouter.server.runtime.PartitionSnapshot;
import org.contactrouter.server.runtime.RoutingLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restore time is bounded by the snapshot interval, not by history: a routing loop restores a partition from its
 * latest snapshot and reads only the journal after it, and the restored state decides on as the old one would.
 */
class SnapshotRestoreTest {

    @TempDir
    Path tmp;

    @Test
    void aRestartedLoopReadsOnlyTheJournalAfterItsLatestSnapshotAndDecidesOn() throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start(tmp.resolve("kafka"), 0)) {
            KafkaClients kafka = KafkaClients.plaintext(broker.bootstrapServers());
            try (Admin admin = kafka.admin(Map.of())) {
                KafkaTopics.ensureTopics(admin, 1, (short) 1);
            }
            ConfigSnapshot config = ConfigLoader.snapshot(TestServers.config(tmp));
            RoutingLoop.SnapshotPolicy often = new RoutingLoop.SnapshotPolicy(20, Duration.ofMinutes(10));
            try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
                new ConfigPublisher(producer, 1, Clock.systemUTC()).publish(config);
                List<RoutingDecision> told = new CopyOnWriteArrayList<>();
                RoutingDecision offer;
                try (Running first = Running.start(kafka, config, often, told)) {
                    // Many journal entries: the presence toggled 120 times, then one contact offered to Ann.
                    for (int i = 0; i < 120; i++) {
                        send(producer, KafkaTopics.AGENT_ACTIONS, "p-" + i,
                                new PresenceChanged("ann", i % 2 == 0 ? Presence.AVAILABLE : Presence.AWAY));
                    }
                    send(producer, KafkaTopics.AGENT_ACTIONS, "p-last", new PresenceChanged("ann", Presence.AVAILABLE));
                    send(producer, KafkaTopics.CONTACTS_IN, "m-1", message("m-1", "kim@example.com"));
                    await().atMost(Duration.ofSeconds(30)).until(() -> told.stream()
                            .anyMatch(d -> d.type() == DecisionType.OFFERED && "ann".equals(d.agentId())));
                    offer = told.stream().filter(d -> d.type() == DecisionType.OFFERED).findFirst().orElseThrow();
                    assertThat(first.loop.restores().get(0).snapshotJournalOffset()).as("nothing to restore at first")
                            .isEqualTo(-1);
                }

                told.clear();
                try (Running second = Running.start(kafka, config, often, told)) {
                    RoutingLoop.Restored restored = second.loop.restores().get(0);
                    assertThat(restored.snapshotJournalOffset()).as("restored from a snapshot").isGreaterThan(100);
                    assertThat(restored.tailEntries()).as("only the journal after the snapshot is read")
                            .isLessThan(60);
                    // The restored state knows Ann's open offer: accepting it assigns the contact.
                    send(producer, KafkaTopics.AGENT_ACTIONS, "accept-1", new OfferAccepted("ann", offer.offerId()));
                    await().atMost(Duration.ofSeconds(30)).until(() -> told.stream()
                            .anyMatch(d -> d.type() == DecisionType.ASSIGNED && offer.contactId().equals(d.contactId())));
                }
            }
            List<RoutingTraffic.Committed> committed = RoutingTraffic.committedDecisions(broker.bootstrapServers());
            assertThat(committed.stream().map(c -> c.decision().id()).distinct().count())
                    .as("no decision twice").isEqualTo(committed.size());
        }
    }

    /**
     * A journal of a million entries, generated directly (a config, Ann signing in, then a million ticks), with a
     * snapshot a thousand entries before its end: restore reads the snapshot and those thousand entries only.
     */
    @Test
    void aMillionEntryJournalIsRestoredFromItsSnapshotAndTheTailAfterIt() throws Exception {
        int entries = 1_000_000;
        int tail = 1_000;
        try (EmbeddedKafka broker = EmbeddedKafka.start(tmp.resolve("kafka"), 0)) {
            KafkaClients kafka = KafkaClients.plaintext(broker.bootstrapServers());
            try (Admin admin = kafka.admin(Map.of())) {
                KafkaTopics.ensureTopics(admin, 1, (short) 1);
            }
            ConfigSnapshot files = ConfigLoader.snapshot(TestServers.config(tmp));
            RoutingConfig config = ConfigLoader.load(files).config().orElseThrow();
            String domain = ContactEvent.DEFAULT_DOMAIN;
            Instant t0 = Instant.parse("2026-12-01T08:00:00Z");
            ContactEvent signIn = ContactEvent.of("p-ann", "/test", t0, new PresenceChanged("ann", Presence.AVAILABLE));
            long snapshotAt = entries - tail;
            try (KafkaProducer<String, byte[]> producer = kafka.producer(Map.of(ProducerConfig.ACKS_CONFIG, "1",
                    ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20),
                    new StringSerializer(), new ByteArraySerializer())) {
                journal(producer, JournalEntry.config(RoutingLoop.PARTITION, files, t0));
                journal(producer, JournalEntry.config(domain, files, t0));
                journal(producer, JournalEntry.event(signIn, t0));
                for (int i = 3; i < entries; i++) {
                    journal(producer, JournalEntry.tick(domain, t0.plusMillis(i)));
                }
                // The state after entries 0 .. snapshotAt-1, as the loop would have snapshotted it.
                RoutingEngine engine = new RoutingEngine(domain, config, t0);
                engine.decide(signIn, t0);
                engine.advanceTo(t0.plusMillis(snapshotAt - 1));
                PartitionSnapshot snapshot = new PartitionSnapshot(snapshotAt, t0, files, Map.of(files.version(), files),
                        List.of(new PartitionSnapshot.DomainState(domain, files.version(), engine.snapshot())));
                for (ProducerRecord<String, byte[]> r : snapshot.records(0, 0)) {
                    producer.send(r);
                }
                producer.flush();
            }

            List<RoutingDecision> told = new CopyOnWriteArrayList<>();
            try (KafkaProducer<String, byte[]> producer = producer(kafka);
                 Running loop = Running.start(kafka, files, RoutingLoop.SnapshotPolicy.DEFAULT, told)) {
                RoutingLoop.Restored restored = loop.loop.restores().get(0);
                assertThat(restored.snapshotJournalOffset()).isEqualTo(snapshotAt);
                assertThat(restored.tailEntries()).as("entries read after the snapshot").isEqualTo(tail);
                // Ann's sign-in is in the snapshot only: a new contact goes to her.
                send(producer, KafkaTopics.CONTACTS_IN, "m-1", message("m-1", "kim@example.com"));
                await().atMost(Duration.ofSeconds(30)).until(() -> told.stream()
                        .anyMatch(d -> d.type() == DecisionType.OFFERED && "ann".equals(d.agentId())));
            }
        }
    }

    /** A routing loop on its own thread, ready when started. */
    private record Running(RoutingLoop loop, Thread thread) implements AutoCloseable {
        static Running start(KafkaClients kafka, ConfigSnapshot config, RoutingLoop.SnapshotPolicy policy,
                             List<RoutingDecision> told) {
            RoutingLoop loop = new RoutingLoop(kafka, "snapshots", Clock.systemUTC(), config, told::addAll,
                    new SimpleMeterRegistry(), (partition, floor) -> { }, policy);
            Thread thread = new Thread(loop, "routing-loop");
            thread.start();
            await().atMost(Duration.ofSeconds(60)).until(loop::isReady);
            return new Running(loop, thread);
        }

        @Override
        public void close() throws InterruptedException {
            loop.close();
            thread.join(Duration.ofSeconds(15).toMillis());
        }
    }

    private static KafkaProducer<String, byte[]> producer(KafkaClients kafka) {
        return kafka.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(),
                new ByteArraySerializer());
    }

    private static void journal(KafkaProducer<String, byte[]> producer, JournalEntry entry) {
        producer.send(new ProducerRecord<>(KafkaTopics.ROUTING_JOURNAL, 0, entry.domain(), entry.toBytes()));
    }

    private static CustomerMessage message(String conversation, String email) {
        return new CustomerMessage(Channel.EMAIL, conversation + "@example.com",
                Customer.of("Kim Lee", Identity.email(email)), "support@example.com", "en", "Invoice",
                "I was charged twice.", Map.of());
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String id, EventData data)
            throws Exception {
        ContactEvent event = ContactEvent.of(id, "/test", Instant.now(), data);
        producer.send(new ProducerRecord<>(topic, event.domain(), ContactEventJson.writeBytes(event))).get();
    }
}
