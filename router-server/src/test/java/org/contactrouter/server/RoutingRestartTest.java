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
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.contactrouter.events.Presence;
import org.contactrouter.events.PresenceChanged;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.server.kafka.EmbeddedKafka;
import org.contactrouter.server.kafka.KafkaClients;
import org.contactrouter.server.kafka.KafkaTopics;
import org.contactrouter.server.runtime.ConfigPublisher;
import org.contactrouter.server.runtime.RoutingLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A routing loop that stops on an unexpected error starts again by itself, restores its state from Kafka, says why it
 * is not ready meanwhile, and decides nothing twice: the instance is never left alive without routing.
 */
class RoutingRestartTest {

    @TempDir
    Path tmp;

    @Test
    void aLoopStoppedByAnUnexpectedErrorStartsAgainWithItsStateAndDecidesNothingTwice() throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start(tmp.resolve("kafka"), 0)) {
            KafkaClients kafka = KafkaClients.plaintext(broker.bootstrapServers());
            try (Admin admin = kafka.admin(Map.of())) {
                KafkaTopics.ensureTopics(admin, 1, (short) 1);
            }
            ConfigSnapshot config = ConfigLoader.snapshot(TestServers.config(tmp));
            try (KafkaProducer<String, byte[]> producer = kafka.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"),
                    new StringSerializer(), new ByteArraySerializer())) {
                new ConfigPublisher(producer, 1, Clock.systemUTC()).publish(config);

                // What the loop tells others after a commit fails once, as a bug there would (the Outbox NPE did).
                AtomicBoolean failNext = new AtomicBoolean(true);
                List<RoutingDecision> told = new CopyOnWriteArrayList<>();
                SimpleMeterRegistry meters = new SimpleMeterRegistry();
                RoutingLoop loop = new RoutingLoop(kafka, "restart", Clock.systemUTC(), config, decisions -> {
                    if (failNext.getAndSet(false)) {
                        throw new IllegalStateException("a bug after the commit");
                    }
                    told.addAll(decisions);
                }, meters, (partition, floor) -> { });
                Thread routing = new Thread(loop, "routing-loop");
                routing.start();
                try {
                    await().atMost(Duration.ofSeconds(30)).until(loop::isReady);

                    send(producer, KafkaTopics.AGENT_ACTIONS, "p-1", new PresenceChanged("ann", Presence.AVAILABLE));
                    await().atMost(Duration.ofSeconds(20)).until(() -> loop.stopReason() != null);
                    assertThat(loop.isReady()).as("not ready while it starts again").isFalse();
                    assertThat(loop.stopReason()).contains("a bug after the commit").contains("starting again in 1 s");

                    await().atMost(Duration.ofSeconds(30)).until(() -> loop.isReady() && loop.stopReason() == null);
                    send(producer, KafkaTopics.CONTACTS_IN, "m-1", new CustomerMessage(Channel.EMAIL, "m-1@example.com",
                            Customer.of("Kim Lee", Identity.email("kim@example.com")), "support@example.com", "en",
                            "Invoice", "I was charged twice.", Map.of()));
                    await().atMost(Duration.ofSeconds(20)).until(() -> told.stream()
                            .anyMatch(d -> d.type() == DecisionType.OFFERED && "ann".equals(d.agentId())));
                } finally {
                    loop.close();
                    routing.join(Duration.ofSeconds(15).toMillis());
                }
                assertThat(meters.get(RouterMeters.ROUTING_RESTARTS.meterName()).functionCounter().count())
                        .isEqualTo(1);
                List<RoutingTraffic.Committed> committed = RoutingTraffic.committedDecisions(broker.bootstrapServers());
                assertThat(committed.stream().filter(c -> c.decision().type() == DecisionType.PRESENCE_CHANGED))
                        .as("the presence decided once: committed before the error, not again after it").hasSize(1);
            }
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String id, EventData data)
            throws Exception {
        ContactEvent event = ContactEvent.of(id, "/test", Instant.now(), data);
        producer.send(new ProducerRecord<>(topic, event.domain(), ContactEventJson.writeBytes(event))).get();
    }
}
