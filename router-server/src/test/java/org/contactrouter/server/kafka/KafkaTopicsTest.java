package org.contactrouter.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.contactrouter.server.kafka.KafkaTestClients.admin;
import static org.contactrouter.server.kafka.KafkaTestClients.producer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaTopicsTest {

    @TempDir
    static Path dataDir;

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start(dataDir, 0);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void ensureTopicsIsIdempotentAndRejectsAPartitionMismatch() throws Exception {
        try (Admin admin = admin(kafka)) {
            // One topic exists already, as another instance or an operator could have created it.
            admin.createTopics(List.of(new NewTopic(KafkaTopics.CONTACTS_IN, 3, (short) 1))).all().get();
            // The broker's metadata can lag the create call for a moment.
            Uuid preExisting = await().atMost(Duration.ofSeconds(10))
                    .until(() -> topicIds(admin).get(KafkaTopics.CONTACTS_IN), java.util.Objects::nonNull);

            KafkaTopics.ensureTopics(admin, 3, (short) 1);

            Map<String, TopicDescription> topics = admin.describeTopics(KafkaTopics.ALL).allTopicNames().get();
            assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(KafkaTopics.ALL);
            assertThat(topics.values()).allSatisfy(t -> assertThat(t.partitions()).hasSize(3));
            Map<String, Uuid> ids = topicIds(admin);
            assertThat(ids.get(KafkaTopics.CONTACTS_IN)).isEqualTo(preExisting);

            Config decisions = topicConfig(admin, KafkaTopics.ROUTING_DECISIONS);
            assertThat(decisions.get("retention.ms").value()).isEqualTo("-1");
            assertThat(decisions.get("retention.bytes").value()).isEqualTo("-1");
            assertThat(decisions.get("cleanup.policy").value()).isEqualTo("delete");
            assertThat(topicConfig(admin, KafkaTopics.ROUTING_JOURNAL).get("retention.ms").value())
                    .as("the journal is kept a week: restore reads the tail after the latest snapshot")
                    .isEqualTo(Long.toString(Duration.ofDays(7).toMillis()));
            assertThat(topicConfig(admin, KafkaTopics.ROUTING_SNAPSHOTS).get("cleanup.policy").value())
                    .isEqualTo("compact");

            KafkaTopics.ensureTopics(admin, 3, (short) 1);
            assertThat(topicIds(admin)).as("a second call recreates nothing").isEqualTo(ids);

            assertThatThrownBy(() -> KafkaTopics.ensureTopics(admin, 4, (short) 1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Kafka topic " + KafkaTopics.ROUTING_JOURNAL + " has 3 partitions")
                    .hasMessageContaining("but 4 are configured");
            assertThat(admin.describeTopics(KafkaTopics.ALL).allTopicNames().get().values())
                    .as("not repartitioned").allSatisfy(t -> assertThat(t.partitions()).hasSize(3));

            assertThatThrownBy(() -> KafkaTopics.ensureTopics(admin, 0, (short) 1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void partitionForMatchesTheDefaultPartitioner() throws Exception {
        String topic = "partitioner-check";
        int partitions = 6;
        try (Admin admin = admin(kafka)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        List<String> domains = List.of("sales", "support", "billing", "vip", "de.sales", "fr.support",
                "emea/retail", "Kundendienst-Zürich", "顧客サポート", "", "a", "b", "c", "d", "e", "f", "g", "h");
        Map<String, Future<RecordMetadata>> sent = new LinkedHashMap<>();
        try (KafkaProducer<String, String> producer = producer(kafka, null)) {
            for (String domain : domains) {
                sent.put(domain, producer.send(new ProducerRecord<>(topic, domain, "event for " + domain)));
            }
            producer.flush();
        }
        Map<String, Integer> kafkaChose = new LinkedHashMap<>();
        Map<String, Integer> weComputed = new LinkedHashMap<>();
        for (var entry : sent.entrySet()) {
            kafkaChose.put(entry.getKey(), entry.getValue().get().partition());
            weComputed.put(entry.getKey(), KafkaTopics.partitionFor(entry.getKey(), partitions));
        }
        assertThat(weComputed).isEqualTo(kafkaChose);
        assertThat(new HashSet<>(kafkaChose.values())).as("the domains spread over several partitions").hasSizeGreaterThan(3);
    }

    @Test
    void partitionForIsStableAndInRange() {
        // Pinned values: if they change, every producer keyed by domain would disagree with the router.
        assertThat(KafkaTopics.partitionFor("sales", 6)).isEqualTo(4);
        assertThat(KafkaTopics.partitionFor("support", 6)).isEqualTo(4);
        assertThat(KafkaTopics.partitionFor("billing", 6)).isEqualTo(3);
        assertThat(KafkaTopics.partitionFor("vip", 6)).isEqualTo(0);
        for (int partitions = 1; partitions <= 64; partitions++) {
            for (String domain : List.of("sales", "support", "", "ü")) {
                assertThat(KafkaTopics.partitionFor(domain, partitions)).isBetween(0, partitions - 1);
            }
        }
        assertThat(KafkaTopics.partitionFor("anything", 1)).isZero();
        assertThatThrownBy(() -> KafkaTopics.partitionFor("sales", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KafkaTopics.partitionFor(null, 6)).isInstanceOf(NullPointerException.class);
    }

    private static Config topicConfig(Admin admin, String topic) throws Exception {
        return admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
                .all().get().values().iterator().next();
    }

    @Test
    void topicConfigsKeepTheDecisionsForever() {
        assertThat(KafkaTopics.ALL).containsExactly("contacts.in", "agent.actions", "routing.config",
                "routing.journal", "routing.snapshots", "routing.decisions", "messages.out", "messages.status",
                "ops.floor", "agent.signouts");
        Set<String> forever = KafkaTopics.ALL.stream()
                .filter(t -> "-1".equals(KafkaTopics.configsOf(t).get("retention.ms")))
                .collect(Collectors.toSet());
        assertThat(forever).containsExactly(KafkaTopics.ROUTING_DECISIONS);
        assertThatThrownBy(() -> KafkaTopics.configsOf("other")).isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<String, Uuid> topicIds(Admin admin) throws Exception {
        List<String> existing = new ArrayList<>(admin.listTopics().names().get());
        existing.retainAll(KafkaTopics.ALL);
        return admin.describeTopics(existing).allTopicNames().get().values().stream()
                .collect(Collectors.toMap(TopicDescription::name, TopicDescription::topicId));
    }
}
