package org.contactrouter.server.channels;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.contactrouter.server.kafka.KafkaClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows every committed record of one topic to this instance's observers: {@code messages.out} to the chat sessions
 * connected here and the voice webhooks waiting here for the router's first answer; {@code routing.decisions} to the
 * agents' desktops connected here and the agent actions waiting for their outcome. Every instance reads every
 * partition (no group), because the socket or request may be on any of them.
 *
 * <p>It starts {@code lookback} before now, or at the beginning when that is null (a compacted topic). Observers are called on this thread and must be quick; one that throws
 * is logged and the others still see the record. A record the reader cannot read is skipped.
 *
 * @param <T> what the records are
 */
public final class ObserverLoop<T> implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ObserverLoop.class);

    private final KafkaClients kafka;
    private final Map<String, Object> settings;
    private final String topic;
    private final Function<ConsumerRecord<String, byte[]>, T> reader;
    private final List<Consumer<T>> observers;
    private final Clock clock;
    private final Duration lookback;
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private volatile KafkaConsumer<String, byte[]> consumer;

    /**
     * @param reader reads a record (its value, and its headers where they matter); throws (any RuntimeException)
     *               for one it cannot read
     */
    public ObserverLoop(KafkaClients kafka, String instanceId, String topic, Function<ConsumerRecord<String, byte[]>, T> reader,
                        List<Consumer<T>> observers, Clock clock, Duration lookback) {
        this.topic = topic;
        this.reader = reader;
        this.observers = List.copyOf(observers);
        this.clock = clock;
        this.lookback = lookback;
        this.kafka = kafka;
        this.settings = Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, topic + "-observer-" + instanceId,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    }

    /** True once the records from before the start have been shown. */
    public boolean caughtUp() {
        return caughtUp;
    }

    @Override
    public void run() {
        try (KafkaConsumer<String, byte[]> c = kafka.consumer(settings, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = c;
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(partitions);
            Map<TopicPartition, Long> ends = c.endOffsets(partitions);
            if (lookback == null) {
                c.seekToBeginning(partitions);
            } else {
                long from = Math.max(0, clock.millis() - lookback.toMillis());
                Map<TopicPartition, Long> times = new HashMap<>();
                partitions.forEach(tp -> times.put(tp, from));
                Map<TopicPartition, OffsetAndTimestamp> offsets = c.offsetsForTimes(times);
                for (TopicPartition tp : partitions) {
                    OffsetAndTimestamp at = offsets.get(tp);
                    c.seek(tp, at != null ? at.offset() : ends.get(tp));
                }
            }
            while (running) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    show(r);
                }
                if (!caughtUp && partitions.stream().allMatch(tp -> c.position(tp) >= ends.get(tp))) {
                    caughtUp = true;
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("{} observer stopped", topic, e);
        }
    }

    private void show(ConsumerRecord<String, byte[]> r) {
        T value;
        try {
            value = reader.apply(r);
        } catch (RuntimeException e) {
            LOG.debug("{} offset {} skipped: {}", topic, r.offset(), e.toString());
            return;
        }
        for (Consumer<T> o : observers) {
            try {
                o.accept(value);
            } catch (RuntimeException e) {
                LOG.warn("a {} observer failed at offset {}", topic, r.offset(), e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }
}
