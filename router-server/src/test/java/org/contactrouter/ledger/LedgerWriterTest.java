package org.contactrouter.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.server.wire.DecisionJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerWriterTest {

    private static final TopicPartition P0 = new TopicPartition(LedgerWriter.TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(LedgerWriter.TOPIC, 1);

    @TempDir
    Path dir;

    Ledger ledger;
    MockConsumer<byte[], byte[]> consumer;
    LedgerWriter writer;
    List<RoutingDecision> morning;

    @BeforeEach
    void start() {
        ledger = TestLedgers.open(dir);
        consumer = new MockConsumer<>("earliest");
        writer = new LedgerWriter(consumer, ledger);
        consumer.rebalance(List.of(P0, P1));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        morning = LedgerTest.aMorning().log;
    }

    @AfterEach
    void stop() {
        writer.close();
        ledger.close();
    }

    @Test
    void recordsPolledDecisionsThenCommitsTheirOffsets() {
        deliver(P0, 0, morning);

        assertThat(writer.pollOnce(Duration.ZERO)).isEqualTo(morning.size());

        assertThat(ledger.customerContacts(LedgerTest.ANN_PHONE)).hasSize(3);
        assertThat(committed(P0)).isEqualTo(morning.size());
        assertThat(writer.recorded()).isEqualTo(morning.size());
    }

    @Test
    void aRedeliveredBatchChangesNothing() {
        deliver(P0, 0, morning);
        writer.pollOnce(Duration.ZERO);
        String once = LedgerTest.everything(ledger);

        // As after a crash between the database commit and the offset commit: the same records again.
        consumer.seek(P0, 0);
        deliver(P0, 0, morning);

        assertThat(writer.pollOnce(Duration.ZERO)).isZero();
        assertThat(LedgerTest.everything(ledger)).isEqualTo(once);
        assertThat(committed(P0)).isEqualTo(morning.size());
    }

    @Test
    void malformedRecordsAreSkippedAndCounted() {
        int half = morning.size() / 2;
        deliver(P0, 0, morning.subList(0, half));
        consumer.addRecord(new ConsumerRecord<>(LedgerWriter.TOPIC, 0, half, null,
                "{\"id\": oops".getBytes(StandardCharsets.UTF_8)));
        consumer.addRecord(new ConsumerRecord<>(LedgerWriter.TOPIC, 0, half + 1,
                null, null));
        deliver(P0, half + 2, morning.subList(half, morning.size()));

        assertThat(writer.pollOnce(Duration.ZERO)).isEqualTo(morning.size());

        assertThat(writer.skipped()).isEqualTo(2);
        assertThat(committed(P0)).isEqualTo(morning.size() + 2);
        assertThat(LedgerTest.everything(ledger)).isEqualTo(recordedDirectly());
    }

    @Test
    void offsetsAreCommittedOnlyOnceTheBatchIsInTheLedger() throws Exception {
        deliver(P0, 0, morning.subList(0, 10));
        deliver(P1, 0, morning.subList(10, morning.size()));
        try (Connection c = TestLedgers.connect(dir);
             Statement s = c.createStatement()) {
            s.execute("ALTER TABLE decisions RENAME TO decisions_away");

            assertThat(writer.pollOnce(Duration.ZERO)).isZero();

            assertThat(consumer.committed(Set.of(P0, P1))).isEmpty();
            assertThat(consumer.position(P0)).isZero();
            assertThat(consumer.position(P1)).isZero();
            assertThat(consumer.paused()).isEmpty();
            s.execute("ALTER TABLE decisions_away RENAME TO decisions");
        }
        assertThat(ledger.customerContacts(LedgerTest.ANN_PHONE)).isEmpty();

        deliver(P0, 0, morning.subList(0, 10));
        deliver(P1, 0, morning.subList(10, morning.size()));

        assertThat(writer.pollOnce(Duration.ZERO)).isEqualTo(morning.size());
        assertThat(committed(P0)).isEqualTo(10);
        assertThat(committed(P1)).isEqualTo(morning.size() - 10);
        assertThat(LedgerTest.everything(ledger)).isEqualTo(recordedDirectly());
    }

    @Test
    void closeStopsTheLoopAndClosesTheConsumer() throws Exception {
        Thread loop = new Thread(writer, "ledger-writer");
        loop.start();
        consumer.schedulePollTask(() -> deliver(P0, 0, morning));

        await().until(() -> writer.recorded() == morning.size());
        writer.close();

        loop.join(Duration.ofSeconds(10).toMillis());
        assertThat(loop.isAlive()).isFalse();
        assertThat(consumer.closed()).isTrue();
    }

    private void deliver(TopicPartition partition, long offset, List<RoutingDecision> decisions) {
        for (RoutingDecision d : decisions) {
            consumer.addRecord(new ConsumerRecord<>(partition.topic(),
                    partition.partition(), offset++, d.contactId() == null ? null
                    : d.contactId().getBytes(StandardCharsets.UTF_8), DecisionJson.writeBytes(d)));
        }
    }

    private long committed(TopicPartition partition) {
        OffsetAndMetadata offset = consumer.committed(Set.of(partition)).get(partition);
        return offset == null ? -1 : offset.offset();
    }

    private String recordedDirectly() {
        try (Ledger direct = TestLedgers.open(dir.resolve("direct"))) {
            direct.record(morning);
            return LedgerTest.everything(direct);
        }
    }
}
