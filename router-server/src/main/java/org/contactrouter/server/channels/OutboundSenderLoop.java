package org.contactrouter.server.channels;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.contactrouter.events.DeliveryReport;
import org.contactrouter.events.InvalidEventException;
import org.contactrouter.events.OutboundMessage;
import org.contactrouter.events.OutboundMessageJson;
import org.contactrouter.server.RouterMeters;
import org.contactrouter.server.kafka.KafkaClients;
import org.contactrouter.server.kafka.KafkaTopics;
import org.contactrouter.server.runtime.Restarts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one adapter's share of {@code messages.out}: a consumer in the group {@code sender-<name>}, so that across
 * all instances each message is sent by one of them, and each adapter has its own group, so a mail server that is
 * down does not hold up SMS.
 *
 * <p>At least once: the offset of a message is committed only after its send returned. A failed send is retried
 * with backoff (1 s doubling to 60 s) by seeking back and pausing the partition, so the consumer keeps polling and
 * stays in its group; after {@link #MAX_ATTEMPTS} attempts, or at once when the adapter says the failure is not
 * retryable (a mistyped number), the message is given up, recorded as a {@code failed} delivery report and logged, so
 * one undeliverable message cannot block its partition for ever.
 * Only committed routing transactions are read ({@code read_committed}).
 */
public final class OutboundSenderLoop implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboundSenderLoop.class);
    static final int MAX_ATTEMPTS = 8;

    private final ChannelSender sender;
    private final Restarts restarts;
    private final KafkaClients kafka;
    private final Map<String, Object> settings;
    private final DeliveryReport.Recorder reports;
    private final Clock clock;
    private final Counter sent;
    private final Counter retried;
    private final Counter failed;
    private final Map<TopicPartition, Retry> retries = new HashMap<>();
    private volatile boolean running = true;
    private volatile KafkaConsumer<String, byte[]> consumer;

    private record Retry(long offset, int attempts, long notBeforeMillis) {
    }

    public OutboundSenderLoop(KafkaClients kafka, String instanceId, ChannelSender sender,
                              DeliveryReport.Recorder reports, Clock clock, MeterRegistry metrics) {
        this.sender = sender;
        this.restarts = new Restarts("sender " + sender.name());
        this.reports = reports;
        this.clock = clock;
        this.kafka = kafka;
        this.settings = Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "sender-" + sender.name(),
                ConsumerConfig.CLIENT_ID_CONFIG, "sender-" + sender.name() + "-" + instanceId,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        sent = counter(metrics, "sent");
        retried = counter(metrics, "retried");
        failed = counter(metrics, "failed");
    }

    private Counter counter(MeterRegistry metrics, String outcome) {
        return Counter.builder(RouterMeters.CHANNEL_MESSAGES.meterName()).tag("sender", sender.name())
                .tag("outcome", outcome).description(RouterMeters.CHANNEL_MESSAGES.doc()).register(metrics);
    }

    @Override
    public void run() {
        restarts.run(this::runOnce);
    }

    /** Why this sender is not sending now (starting again after an error), or null while it works. */
    public String stopReason() {
        return restarts.stopReason();
    }

    /** One run with one consumer, until closed or an error (then {@link Restarts} starts it again). */
    private void runOnce() {
        retries.clear(); // a new consumer resumes from the committed offsets
        try (KafkaConsumer<String, byte[]> c = kafka.consumer(settings, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = c;
            c.subscribe(List.of(KafkaTopics.MESSAGES_OUT));
            restarts.working();
            while (running) {
                resumeDue(c);
                ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(500));
                for (TopicPartition tp : records.partitions()) {
                    sendAll(c, tp, records.records(tp));
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        }
    }

    private void sendAll(KafkaConsumer<String, byte[]> c, TopicPartition tp, List<ConsumerRecord<String, byte[]>> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            OutboundMessage m;
            try {
                m = OutboundMessageJson.read(r.value());
            } catch (InvalidEventException e) {
                LOG.error("messages.out {}-{} offset {} is not an outbound message; skipped: {}", tp.topic(),
                        tp.partition(), r.offset(), e.getMessage());
                commit(c, tp, r.offset());
                continue;
            }
            if (!sender.channels().contains(m.channel())) {
                commit(c, tp, r.offset());
                continue;
            }
            Retry previous = retries.get(tp);
            int attempt = previous != null && previous.offset() == r.offset() ? previous.attempts() + 1 : 1;
            try {
                sender.send().send(m);
                sent.increment();
                retries.remove(tp);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                c.seek(tp, r.offset());
                return;
            } catch (Exception e) {
                if (attempt >= MAX_ATTEMPTS || !sender.retryable().test(e)) {
                    failed.increment();
                    retries.remove(tp);
                    LOG.error("{}: gave up sending {} ({} {} on {}) after {} attempts: {}", sender.name(), m.id(),
                            m.kind(), m.channel(), m.conversation(), attempt, e.toString());
                    // The adapter may have recorded the provider's own report already; this one says it was given up.
                    reports.record(new DeliveryReport(m.channel(), m.conversation(), m.id(), null, "failed",
                            "gave up after " + attempt + " attempts: " + e, clock.instant()));
                } else {
                    retried.increment();
                    long backoff = Math.min(60_000L, 1_000L << (attempt - 1));
                    LOG.warn("{}: sending {} failed (attempt {} of {}), retrying in {} ms: {}", sender.name(), m.id(),
                            attempt, MAX_ATTEMPTS, backoff, e.toString());
                    retries.put(tp, new Retry(r.offset(), attempt, System.currentTimeMillis() + backoff));
                    c.seek(tp, r.offset());
                    c.pause(List.of(tp));
                    return;
                }
            }
            commit(c, tp, r.offset());
        }
    }

    private void resumeDue(KafkaConsumer<String, byte[]> c) {
        long now = System.currentTimeMillis();
        for (TopicPartition tp : c.paused()) {
            Retry r = retries.get(tp);
            if (r == null || r.notBeforeMillis() <= now) {
                c.resume(List.of(tp));
            }
        }
    }

    private static void commit(KafkaConsumer<String, byte[]> c, TopicPartition tp, long offset) {
        c.commitSync(Map.of(tp, new OffsetAndMetadata(offset + 1)));
    }

    @Override
    public void close() {
        running = false;
        restarts.close();
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }
}
