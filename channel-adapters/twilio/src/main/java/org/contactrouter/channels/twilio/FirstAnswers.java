package org.contactrouter.channels.twilio;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.contactrouter.events.OutboundMessage;

/**
 * The router's first answer to each recent call (its acknowledgement or after-hours notice), by CallSid. A voice
 * webhook waits on it; {@link TwilioChannel#observe} completes it from the outbound stream. It is kept after it is
 * completed so that a webhook Twilio redelivers for the same call gets the same answer at once (the router answers a
 * duplicate contact event only once). Bounded: the oldest calls are forgotten first.
 */
final class FirstAnswers {

    private final Map<String, CompletableFuture<OutboundMessage>> byCall;

    FirstAnswers(int capacity) {
        this.byCall = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<OutboundMessage>> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The answer for a call, to wait on; registered before the call's contact event is published. */
    synchronized CompletableFuture<OutboundMessage> of(String callSid) {
        return byCall.computeIfAbsent(callSid, k -> new CompletableFuture<>());
    }

    /** Records the first answer for a call; later ones do not replace it. */
    void answer(OutboundMessage message) {
        of(message.conversation()).complete(message);
    }
}
