package org.contactrouter.server.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.contactrouter.server.kafka.KafkaTestClients.admin;
import static org.contactrouter.server.kafka.KafkaTestClients.consumer;
import static org.contactrouter.server.kafka.KafkaTestClients.producer;
import static org.contactrouter.server.kafka.KafkaTestClients.readAll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    private static final String READ_COMMITTED = "read_committed";
    private static final String READ_UNCOMMITTED = "read_uncommitted";

    @TempDir
    static Path sharedDir;

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafka.start(sharedDir, 0);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void startsABrokerThatTakesTransactionalWrites() throws Exception {
        assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());
        assertThat(kafka.port()).isPositive();
        assertThat(kafka.logDir()).isEqualTo(sharedDir.toAbsolutePath().resolve("kafka"));
        try (Admin admin = admin(kafka)) {
            KafkaTopics.ensureTopics(admin, 2, (short) 1);
            assertThat(admin.describeCluster().clusterId().get()).isEqualTo(kafka.clusterId());
        }

        String topic = KafkaTopics.CONTACTS_IN;
        try (KafkaProducer<String, String> producer = producer(kafka, "embedded-kafka-test")) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "sales", "committed-1"));
            producer.send(new ProducerRecord<>(topic, "support", "committed-2"));
            producer.commitTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "sales", "aborted-1"));
            producer.send(new ProducerRecord<>(topic, "support", "aborted-2"));
            producer.flush();
            producer.abortTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "sales", "committed-3"));
            producer.commitTransaction();
        }

        assertThat(readAll(kafka, topic, READ_COMMITTED))
                .containsExactlyInAnyOrder("committed-1", "committed-2", "committed-3");
        assertThat(readAll(kafka, topic, READ_UNCOMMITTED)) // the aborted records were written, then aborted
                .containsExactlyInAnyOrder("committed-1", "committed-2", "aborted-1", "aborted-2", "committed-3");
    }

    @Test
    void keepsTopicsRecordsAndOffsetsAcrossARestart(@TempDir Path dataDir) throws Exception {
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        String topic = KafkaTopics.ROUTING_JOURNAL;
        TopicPartition partition = new TopicPartition(topic, 0);
        String clusterId;
        long committedOffset;
        try (EmbeddedKafka first = EmbeddedKafka.start(dataDir, 0)) {
            clusterId = first.clusterId();
            try (Admin admin = admin(first)) {
                KafkaTopics.ensureTopics(admin, 1, (short) 1);
            }
            try (KafkaProducer<String, String> producer = producer(first, "restart-test")) {
                producer.initTransactions();
                producer.beginTransaction();
                for (int i = 1; i <= 5; i++) {
                    producer.send(new ProducerRecord<>(topic, "sales", "event-" + i));
                }
                producer.commitTransaction();
            }
            try (KafkaConsumer<String, String> consumer = consumer(first, "restart-group", READ_COMMITTED)) {
                consumer.subscribe(List.of(topic));
                List<ConsumerRecord<String, String>> seen = new ArrayList<>();
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ZERO).until(() -> {
                    consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
                    return seen.size() >= 5;
                });
                // Processed the first three: commit the offset of the fourth.
                committedOffset = seen.get(3).offset();
                consumer.commitSync(Map.of(partition, new OffsetAndMetadata(committedOffset)));
            }
        }

        int fixedPort = freePort();
        try (EmbeddedKafka second = EmbeddedKafka.start(dataDir, fixedPort)) {
            assertThat(second.bootstrapServers()).isEqualTo("127.0.0.1:" + fixedPort);
            assertThat(second.clusterId()).isEqualTo(clusterId);
            try (Admin admin = admin(second)) {
                assertThat(admin.listTopics().names().get()).containsAll(KafkaTopics.ALL);
                assertThat(admin.describeCluster().clusterId().get()).isEqualTo(clusterId);
                KafkaTopics.ensureTopics(admin, 1, (short) 1); // still the same topics: nothing to do
                Map<TopicPartition, OffsetAndMetadata> offsets =
                        admin.listConsumerGroupOffsets("restart-group").partitionsToOffsetAndMetadata().get();
                assertThat(offsets).containsKey(partition);
                assertThat(offsets.get(partition).offset()).isEqualTo(committedOffset);
            }
            assertThat(readAll(second, topic, READ_COMMITTED))
                    .containsExactly("event-1", "event-2", "event-3", "event-4", "event-5");
            try (KafkaConsumer<String, String> consumer = consumer(second, "restart-group", READ_COMMITTED)) {
                consumer.subscribe(List.of(topic));
                List<String> resumed = new ArrayList<>();
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ZERO).until(() -> {
                    consumer.poll(Duration.ofMillis(100)).forEach(r -> resumed.add(r.value()));
                    return resumed.size() >= 2;
                });
                assertThat(resumed).containsExactly("event-4", "event-5");
            }
        }

        assertNoThreadsLeftFrom(threadsBefore);
    }

    @Test
    void refusesAPortThatIsTakenWithAClearMessage(@TempDir Path dataDir) throws Exception {
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, taken.getLocalPort()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort());
        }
        assertNoThreadsLeftFrom(threadsBefore);
    }

    @Test
    void refusesADataDirThatAnotherBrokerUses(@TempDir Path dataDir) throws Exception {
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        try (EmbeddedKafka owner = EmbeddedKafka.start(dataDir, 0)) {
            assertThatThrownBy(() -> EmbeddedKafka.start(dataDir, 0))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another Kafka broker")
                    .hasMessageContaining(owner.logDir().toString());
            try (Admin admin = admin(owner)) {
                assertThat(admin.describeCluster().clusterId().get()).isEqualTo(owner.clusterId());
            }
        }
        assertNoThreadsLeftFrom(threadsBefore);
    }

    @Test
    void retriesWhenTheControllerPortIsTakenBeforeTheControllerBindsIt(@TempDir Path dataDir) throws Exception {
        // Kafka's controller halts the JVM when it fails to start; the embedding must turn that into a retry.
        Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int brokerPort = freePort();
            AtomicInteger picks = new AtomicInteger();
            IntSupplier firstATakenPort = () -> picks.getAndIncrement() == 0 ? taken.getLocalPort() : uncheckedFreePort();
            try (EmbeddedKafka retried = EmbeddedKafka.start(dataDir, brokerPort, firstATakenPort)) {
                assertThat(picks).hasValueGreaterThanOrEqualTo(2);
                assertThat(retried.bootstrapServers()).isEqualTo("127.0.0.1:" + brokerPort);
                try (Admin admin = admin(retried)) {
                    assertThat(admin.describeCluster().clusterId().get()).isEqualTo(retried.clusterId());
                }
            }
        }
        assertNoThreadsLeftFrom(threadsBefore);
    }

    /** Every thread started since {@code before} has ended (threads of the shared broker were there before). */
    private static void assertNoThreadsLeftFrom(Set<Thread> before) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(newLiveThreads(before))
                .as("threads started since the test began and still alive").isEmpty());
    }

    private static List<String> newLiveThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t))
                .filter(t -> !t.getName().startsWith("ForkJoinPool.commonPool")
                        && !t.getName().startsWith("awaitility")
                        && !t.getName().equals("Attach Listener"))
                .map(Thread::getName)
                .sorted()
                .collect(Collectors.toList());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            return socket.getLocalPort();
        }
    }

    private static int uncheckedFreePort() {
        try {
            return freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
