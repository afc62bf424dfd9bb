package org.contactrouter.routing;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings that apply across queues.
 *
 * @param offerTimeout          how long an agent has to accept an offer
 * @param offerRetryAfter       after every able agent declined or missed a contact, wait this long and start a new cycle
 * @param awayOnMissedOffer     an agent who lets an offer time out is set away, so the next contact is not offered to
 *                              an empty desk
 * @param affinityLookback      a customer's last agent counts as theirs for this long after their last contact
 * @param affinityWait          how long a returning customer waits for their own agent before others are offered
 * @param maxTransfersPerContact agent-initiated transfers allowed per contact
 * @param wrapUpLimit           an ended contact not wrapped up within this time is wrapped up automatically
 * @param duplicateWindow       event ids are remembered this long to recognise redeliveries
 */
public record RoutingSettings(Duration offerTimeout, Duration offerRetryAfter, boolean awayOnMissedOffer,
                              Duration affinityLookback, Duration affinityWait, int maxTransfersPerContact,
                              Duration wrapUpLimit, Duration duplicateWindow) {

    public RoutingSettings {
        Objects.requireNonNull(offerTimeout, "offerTimeout");
        Objects.requireNonNull(offerRetryAfter, "offerRetryAfter");
        Objects.requireNonNull(affinityLookback, "affinityLookback");
        Objects.requireNonNull(affinityWait, "affinityWait");
        Objects.requireNonNull(wrapUpLimit, "wrapUpLimit");
        Objects.requireNonNull(duplicateWindow, "duplicateWindow");
        if (maxTransfersPerContact < 0) {
            throw new IllegalArgumentException("maxTransfersPerContact: " + maxTransfersPerContact + " (expected >= 0)");
        }
    }

    /** The defaults documented in docs/configuration.md. */
    public static RoutingSettings defaults() {
        return new RoutingSettings(Duration.ofSeconds(20), Duration.ofSeconds(30), true, Duration.ofDays(30),
                Duration.ofSeconds(20), 1, Duration.ofMinutes(5), Duration.ofHours(24));
    }
}
