package org.contactrouter.events;

import java.time.Instant;
import java.util.Objects;

/**
 * What a provider said about a message sent to a customer (Twilio's message status callback, a mail server's
 * refusal): recorded on the {@code messages.status} topic so that "did the customer get it?" has an answer.
 *
 * @param channel      the channel it was sent on
 * @param conversation the channel's thread key, when known
 * @param outboundId   the {@link OutboundMessage#id()} it was sent for, when known
 * @param providerId   the provider's id for it (MessageSid, SMTP Message-ID)
 * @param status       the provider's word ("queued", "sent", "delivered", "undelivered", "failed")
 * @param detail       the provider's error code or message, when there is one
 * @param time         when the report arrived
 */
public record DeliveryReport(Channel channel, String conversation, String outboundId, String providerId,
                             String status, String detail, Instant time) {

    public DeliveryReport {
        Objects.requireNonNull(channel, "channel");
        Events.requireText(status, "status");
        Objects.requireNonNull(time, "time");
    }

    /** Where an adapter records delivery reports; never blocks for long and never throws for a lost report. */
    @FunctionalInterface
    public interface Recorder {
        void record(DeliveryReport report);
    }
}
