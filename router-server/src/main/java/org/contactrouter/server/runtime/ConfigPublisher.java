package org.contactrouter.server.runtime;

import java.time.Clock;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.contactrouter.config.ConfigSnapshot;
import org.contactrouter.server.kafka.KafkaTopics;

/**
 * Publishes a config version to every partition of {@code routing.config}, so each routing engine switches to it at
 * one point of its own event order, and every instance and every replay switches at the same point. Publishing the
 * version already in force changes nothing: the routing loop skips it.
 */
public final class ConfigPublisher {

    private final Producer<String, byte[]> producer;
    private final int partitions;
    private final Clock clock;

    public ConfigPublisher(Producer<String, byte[]> producer, int partitions, Clock clock) {
        this.producer = producer;
        this.partitions = partitions;
        this.clock = clock;
    }

    /**
     * The largest config record the server publishes: Kafka takes about 1 MB per record by default
     * ({@code max.request.size}, {@code message.max.bytes}), and the routing journal holds the same config again.
     */
    public static final int MAX_RECORD_BYTES = 1_000_000;

    /** How large {@code snapshot} is as one record of {@code routing.config} (and of the journal). */
    public static int recordSize(ConfigSnapshot snapshot) {
        return JournalEntry.config(RoutingLoop.PARTITION, snapshot, java.time.Instant.EPOCH).toBytes().length;
    }

    /**
     * Publishes and waits until Kafka has it on every partition.
     *
     * @throws IllegalArgumentException when the config is larger than one record may be, saying so
     */
    public void publish(ConfigSnapshot snapshot) throws InterruptedException, ExecutionException {
        byte[] value = JournalEntry.config(RoutingLoop.PARTITION, snapshot, clock.instant()).toBytes();
        if (value.length > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException(tooLarge(value.length));
        }
        for (int p = 0; p < partitions; p++) {
            producer.send(new ProducerRecord<>(KafkaTopics.ROUTING_CONFIG, p, snapshot.version(), value)).get();
        }
    }

    /** What to tell a person whose config is {@code bytes} large as one record. */
    public static String tooLarge(int bytes) {
        return "the config is " + bytes + " bytes as one Kafka record, over the " + MAX_RECORD_BYTES + " the server "
                + "can publish (Kafka's record size): the router cannot start or reload with it. Until a config can be "
                + "split over records, keep the files smaller (comments, `defaults` shared by agents)";
    }
}
