package org.contactrouter.server.channels;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactEventJson;
import org.contactrouter.events.ContactPublisher;

/**
 * Publishes events to a topic ({@code contacts.in} for what customers send, {@code agent.actions} for what agents
 * do), keyed by routing domain, and returns only when Kafka has confirmed the record (the producer is idempotent with
 * {@code acks=all}). The one way the server stores what channels, agents and the REST API send.
 */
public final class KafkaContactPublisher implements ContactPublisher {

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final long timeoutMillis;

    /**
     * @param timeoutMillis how long to wait for Kafka's confirmation; keep it well under the caller's own deadline
     *                      (Twilio gives up on a webhook after 15 s)
     */
    public KafkaContactPublisher(Producer<String, byte[]> producer, String topic, long timeoutMillis) {
        this.producer = producer;
        this.topic = topic;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void publish(ContactEvent event) throws PublishException {
        try {
            publishLater(event).get();
        } catch (ExecutionException e) {
            throw (PublishException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while storing contact event " + event.id(), e);
        }
    }

    /**
     * Sends the event and returns at once: the future completes when Kafka has confirmed it, or fails with a
     * {@link PublishException} when Kafka refused it or did not confirm it in time. No thread waits meanwhile.
     */
    public CompletableFuture<Void> publishLater(ContactEvent event) {
        CompletableFuture<Void> stored = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(topic, event.domain(), ContactEventJson.writeBytes(event)),
                    (metadata, e) -> {
                        if (e == null) {
                            stored.complete(null);
                        } else {
                            stored.completeExceptionally(new PublishException("Kafka refused contact event "
                                    + event.id() + ": " + e, e));
                        }
                    });
        } catch (RuntimeException e) {
            stored.completeExceptionally(new PublishException("Kafka refused contact event " + event.id() + ": " + e,
                    e));
        }
        return stored.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).exceptionallyCompose(e ->
                CompletableFuture.failedFuture(e instanceof TimeoutException ? new PublishException(
                        "Kafka did not confirm contact event " + event.id() + " within " + timeoutMillis + " ms", e)
                        : e));
    }
}
