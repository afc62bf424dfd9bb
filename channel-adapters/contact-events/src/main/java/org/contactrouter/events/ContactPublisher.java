package org.contactrouter.events;

/**
 * Where a channel adapter hands its contact events. {@link #publish} returns only once the event is durably stored
 * (on Kafka, in the server), so an adapter acknowledges its source (HTTP 200 to Twilio, a mail marked seen) only
 * after it returns. A redelivered event (same id) may be published again: the router recognises it by its id.
 */
@FunctionalInterface
public interface ContactPublisher {

    /**
     * Stores the event durably or fails.
     *
     * @throws PublishException when the store did not confirm it in time; the adapter must not acknowledge its source
     */
    void publish(ContactEvent event) throws PublishException;

    /** The event could not be stored; the source must keep it and deliver it again. */
    final class PublishException extends Exception {
        public PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
