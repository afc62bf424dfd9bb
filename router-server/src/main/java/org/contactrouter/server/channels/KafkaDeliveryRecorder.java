package org.contactrouter.server.channels;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.contactrouter.events.DeliveryReport;
import org.contactrouter.events.OutboundMessageJson;
import org.contactrouter.server.kafka.KafkaTopics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records delivery reports on {@code messages.status}, keyed by conversation so one conversation's reports stay in
 * order. Does not wait for Kafka: a report that cannot be stored is logged, never thrown at the provider's callback.
 */
public final class KafkaDeliveryRecorder implements DeliveryReport.Recorder {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaDeliveryRecorder.class);

    private final Producer<String, byte[]> producer;

    public KafkaDeliveryRecorder(Producer<String, byte[]> producer) {
        this.producer = producer;
    }

    @Override
    public void record(DeliveryReport report) {
        String key = report.conversation() != null ? report.conversation() : report.channel().wireName();
        LOG.info("delivery {} on {} for {}: {}{}", report.status(), report.channel().wireName(),
                report.outboundId() != null ? report.outboundId() : report.providerId(), report.status(),
                report.detail() == null ? "" : " (" + report.detail() + ")");
        producer.send(new ProducerRecord<>(KafkaTopics.MESSAGES_STATUS, key, OutboundMessageJson.writeBytes(report)),
                (meta, e) -> {
                    if (e != null) {
                        LOG.warn("delivery report for {} not stored: {}", report.providerId(), e.toString());
                    }
                });
    }
}
