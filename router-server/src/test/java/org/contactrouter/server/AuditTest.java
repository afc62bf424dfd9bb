package org.contactrouter.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactEventJson;
import org.contactrouter.events.Customer;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.Identity;
import org.contactrouter.ledger.Ledger;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.Desk;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.routing.TestConfig;
import org.contactrouter.server.kafka.EmbeddedKafka;
import org.contactrouter.server.kafka.KafkaClients;
import org.contactrouter.server.kafka.KafkaTopics;
import org.contactrouter.server.wire.DecisionJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit finds each kind of fault it is for, in real topics and a real ledger, and nothing when there is none. */
class AuditTest {

    @TempDir
    Path tmp;

    @Test
    void findsADoubleOwnerAnUndecidedContactAndADecisionMissingFromTheLedger() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(tmp, 0);
             Ledger ledger = Ledger.h2(tmp.resolve("ledger"));
             KafkaProducer<String, byte[]> producer = KafkaClients.plaintext(kafka.bootstrapServers())
                     .producer(Map.of(), new StringSerializer(), new ByteArraySerializer())) {
            try (Admin admin = KafkaClients.plaintext(kafka.bootstrapServers()).admin(Map.of())) {
                KafkaTopics.ensureTopics(admin, 2, (short) 1);
            }
            // A real conversation through the engine: queued, offered to ann, accepted.
            Desk desk = new Desk(TestConfig.create().agent("ann", a -> { }).agent("bob", a -> { })
                    .queue("q", q -> { }).build());
            desk.available("ann", "bob");
            ContactEvent hello = ContactEvent.of("chat:s1:1", "/webchat", desk.now(), new CustomerMessage(Channel.CHAT,
                    "s1", Customer.of("Kim", Identity.chatVisitor("s1")), "widget", null, null, "hello", Map.of()));
            List<RoutingDecision> routed = desk.send(hello.id(), hello.data());
            String contact = routed.get(0).contactId();
            RoutingDecision assigned = desk.accept(desk.last(DecisionType.OFFERED).agentId(), contact).get(0);
            send(producer, KafkaTopics.CONTACTS_IN, ContactEventJson.writeBytes(hello));
            for (RoutingDecision d : desk.log) {
                send(producer, KafkaTopics.ROUTING_DECISIONS, DecisionJson.writeBytes(d));
            }
            ledger.record(desk.log);

            Audit audit = new Audit(KafkaClients.plaintext(kafka.bootstrapServers()), ledger, Duration.ofSeconds(30));
            Instant later = Instant.now().plus(Duration.ofMinutes(5));
            Audit.Report clean = audit.run(later);
            assertThat(clean.clean()).as("%s", clean).isTrue();
            assertThat(clean.decisionsRead()).isEqualTo(desk.log.size());

            // Faults: a second ASSIGNED to another agent while ann owns it; an accepted event no decision answers.
            RoutingDecision second = new RoutingDecision(contact + "/99", 99, contact, Instant.now(),
                    assigned.configVersion(), DecisionType.ASSIGNED, assigned.customerKey(), null, null,
                    assigned.channel(), assigned.conversation(), assigned.endpoint(), assigned.queueId(), assigned.ruleId(), "bob", null, "Bob", "forged", null,
                    null, null, null, null, null, null);
            send(producer, KafkaTopics.ROUTING_DECISIONS, DecisionJson.writeBytes(second));
            ContactEvent lost = ContactEvent.of("chat:s2:1", "/webchat", Instant.now(), new CustomerMessage(
                    Channel.CHAT, "s2", Customer.of(null, Identity.chatVisitor("s2")), "widget", null, null, "hi",
                    Map.of()));
            send(producer, KafkaTopics.CONTACTS_IN, ContactEventJson.writeBytes(lost));

            Audit.Report found = audit.run(later);
            assertThat(found.clean()).isFalse();
            assertThat(found.doubleOwners()).singleElement().asString()
                    .contains(contact + " assigned to bob while owned by " + assigned.agentId());
            assertThat(found.undecided()).singleElement().asString().startsWith("chat:s2:1 (contacts.in-");
            assertThat(found.missingFromLedger()).containsExactly(contact + "/99");
            // Within the grace period an undecided event or an unrecorded decision is not counted yet (routing and the
            // ledger writer may still be on it); a double owner is a fault at any age.
            Audit.Report early = audit.run(Instant.now());
            assertThat(early.undecided()).isEmpty();
            assertThat(early.missingFromLedger()).isEmpty();
            assertThat(early.doubleOwners()).hasSize(1);
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, "default", value)).get();
    }
}
