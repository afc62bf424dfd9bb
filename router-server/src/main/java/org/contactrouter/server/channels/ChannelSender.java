package org.contactrouter.server.channels;

import java.util.Set;
import java.util.function.Predicate;
import org.contactrouter.events.Channel;
import org.contactrouter.events.OutboundMessage;

/**
 * One channel adapter's outbound side as the server drives it: the channels it sends on and how it sends one message.
 *
 * @param name     a short name for logs, metrics and the consumer group ({@code twilio}, {@code email})
 * @param channels the channels whose messages it sends
 * @param send      sends one message; throws to have it retried later (delivery is at-least-once, a redelivery has
 *                  the same message id)
 * @param retryable whether a failure can go away by sending again later (a timeout can; an invalid number cannot)
 */
public record ChannelSender(String name, Set<Channel> channels, Send send, Predicate<Exception> retryable) {

    /** Sends one message or throws. */
    @FunctionalInterface
    public interface Send {
        void send(OutboundMessage message) throws Exception;
    }
}
