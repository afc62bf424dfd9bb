package org.contactrouter.server.kafka;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Clients for the tests of this package, with settings that keep a test on a small machine short. */
final class KafkaTestClients {

    private KafkaTestClients() {
    }

    static Admin admin(EmbeddedKafka kafka) {
        return KafkaClients.plaintext(kafka.bootstrapServers()).admin(Map.of());
    }

    static KafkaProducer<String, String> producer(EmbeddedKafka kafka, String transactionalId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        if (transactionalId != null) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        }
        return KafkaClients.plaintext(kafka.bootstrapServers()).producer(p, new StringSerializer(),
                new StringSerializer());
    }

    /** A consumer; {@code groupId} null for one that is assigned partitions by hand. */
    static KafkaConsumer<String, String> consumer(EmbeddedKafka kafka, String groupId, String isolationLevel) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        if (groupId != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        return KafkaClients.plaintext(kafka.bootstrapServers()).consumer(p, new StringDeserializer(),
                new StringDeserializer());
    }

    /**
     * Reads every partition of {@code topic} from the beginning up to its end (for read_committed: the last stable
     * offset) and returns the values in partition order, then offset order.
     */
    static List<String> readAll(EmbeddedKafka kafka, String topic, String isolationLevel) {
        try (KafkaConsumer<String, String> consumer = consumer(kafka, null, isolationLevel)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ZERO).until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
            return records.stream()
                    .sorted((a, b) -> a.partition() != b.partition()
                            ? Integer.compare(a.partition(), b.partition())
                            : Long.compare(a.offset(), b.offset()))
                    .map(ConsumerRecord::value)
                    .toList();
        }
    }
}
