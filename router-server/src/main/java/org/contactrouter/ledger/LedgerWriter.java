package org.contactrouter.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.server.kafka.KafkaClients;
import org.contactrouter.server.wire.DecisionJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the {@code routing.decisions} topic into the {@link Ledger}: polls a batch, records it in one database
 * transaction, then commits the batch's offsets. A crash between the two redelivers the batch, and the ledger ignores
 * decisions it has: each decision lands exactly once.
 *
 * <p>Reads committed records only (the router writes decisions in Kafka transactions). A record that is not a
 * decision is logged with its topic, partition and offset, counted in {@link #skipped()} and passed over. When the
 * database fails, the batch is read again from its first offsets 5 s later; a batch the database rejects every time
 * (a poison batch) holds the ledger back, logged every 5 s, until the database or the decision is fixed.
 *
 * <p>{@link #run()} on one thread; {@link #close()} from any other stops it after the current batch and closes the
 * consumer.
 */
public final class LedgerWriter implements Runnable, AutoCloseable {

    public static final String TOPIC = "routing.decisions";
    public static final String GROUP_ID = "router-ledger";
    static final Duration POLL_TIMEOUT = Duration.ofSeconds(1);
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(LedgerWriter.class);

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int CLOSED = 2;

    private final Consumer<?, byte[]> consumer;
    private final Ledger ledger;
    private final AtomicInteger state = new AtomicInteger(NEW);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();

    /** A writer over a consumer it now owns (it subscribes it to {@link #TOPIC} and closes it). */
    public LedgerWriter(Consumer<?, byte[]> consumer, Ledger ledger) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        consumer.subscribe(List.of(TOPIC));
    }

    /**
     * A writer with its own Kafka consumer: committed records only, offsets committed by the writer after each batch
     * is in the ledger.
     *
     * @param groupId    {@link #GROUP_ID} when the instances share one ledger database (they split the partitions);
     *                   a group of its own when this ledger is this instance's alone, so it receives every partition
     * @param instanceId static group membership: a restarted instance gets its partitions back at once
     */
    public LedgerWriter(KafkaClients kafka, String groupId, String instanceId, Ledger ledger) {
        this(kafka.consumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, groupId,
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "ledger-" + instanceId,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer()), ledger);
    }

    @Override
    public void run() {
        if (!state.compareAndSet(NEW, RUNNING)) {
            throw new IllegalStateException("the ledger writer runs once");
        }
        try {
            while (state.get() == RUNNING) {
                pollOnce(POLL_TIMEOUT);
            }
        } catch (WakeupException e) {
            if (state.get() == RUNNING) {
                throw e;
            }
        } finally {
            consumer.close();
            stopped.countDown();
        }
    }

    /**
     * One turn of the loop: poll, record, commit.
     *
     * @return how many decisions were new to the ledger
     */
    int pollOnce(Duration timeout) {
        ConsumerRecords<?, byte[]> records = consumer.poll(timeout);
        if (records.isEmpty()) {
            return 0;
        }
        List<RoutingDecision> decisions = new ArrayList<>(records.count());
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<?, byte[]> r : records) {
            next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            RoutingDecision d = decision(r);
            if (d != null) {
                decisions.add(d);
            }
        }
        int added;
        try {
            added = ledger.record(decisions);
        } catch (LedgerException e) {
            LOG.error("ledger write failed; reading {} record(s) again in {}s", records.count(),
                    RETRY_AFTER.toSeconds(), e);
            firstOffsets(records).forEach(consumer::seek);
            pauseFor(RETRY_AFTER);
            return 0;
        }
        recorded.addAndGet(added);
        try {
            consumer.commitSync(next);
        } catch (CommitFailedException | RebalanceInProgressException e) {
            // The batch is in the ledger; whoever takes the partitions reads it again and records nothing new.
            LOG.warn("offsets of {} record(s) not committed: {}", records.count(), e.getMessage());
        }
        return added;
    }

    private RoutingDecision decision(ConsumerRecord<?, byte[]> r) {
        if (r.value() == null) {
            skip(r, "no value");
            return null;
        }
        try {
            return DecisionJson.read(r.value());
        } catch (DecisionJson.InvalidDecisionException e) {
            skip(r, e.getMessage());
            return null;
        }
    }

    private void skip(ConsumerRecord<?, byte[]> r, String why) {
        skipped.incrementAndGet();
        LOG.warn("skipping record {}-{} at offset {}: {}", r.topic(), r.partition(), r.offset(), why);
    }

    /**
     * Waits, still polling (so the group keeps the partitions and {@link #close()} can wake it) with every partition
     * paused. Records of a partition assigned meanwhile are read again later.
     */
    private void pauseFor(Duration wait) {
        consumer.pause(consumer.assignment());
        try {
            firstOffsets(consumer.poll(wait)).forEach(consumer::seek);
        } finally {
            consumer.resume(consumer.assignment());
        }
    }

    private static Map<TopicPartition, Long> firstOffsets(ConsumerRecords<?, byte[]> records) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (ConsumerRecord<?, byte[]> r : records) {
            first.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
        }
        return first;
    }

    /** Decisions new to the ledger so far. */
    public long recorded() {
        return recorded.get();
    }

    /** Records passed over because they were not decisions. */
    public long skipped() {
        return skipped.get();
    }

    /** Stops the loop after the current batch and waits for it (up to 30 s); closes the consumer. */
    @Override
    public void close() {
        int was = state.getAndSet(CLOSED);
        if (was == NEW) {
            consumer.close();
            stopped.countDown();
            return;
        }
        if (was == RUNNING) {
            consumer.wakeup();
        }
        try {
            if (!stopped.await(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("the ledger writer did not stop within {}s", CLOSE_TIMEOUT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
