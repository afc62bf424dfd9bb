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

    /** Publishes and waits until Kafka has it on every partition. */
    public void publish(ConfigSnapshot snapshot) throws InterruptedException, ExecutionException {
        byte[] value = JournalEntry.config(RoutingLoop.PARTITION, snapshot, clock.instant()).toBytes();
        for (int p = 0; p < partitions; p++) {
            producer.send(new ProducerRecord<>(KafkaTopics.ROUTING_CONFIG, p, snapshot.version(), value)).get();
        }
    }
}
