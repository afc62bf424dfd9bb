package org.contactrouter.routing;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One step a waiting contact takes when its response-time target comes near: it widens the agents who may take it,
 * moves it to another queue, or raises its priority. Steps apply in order; each applies once.
 *
 * @param after        fire this long after the contact started waiting, or null when {@code slaPercent} is used
 * @param slaPercent   fire when this share of the queue's response target for the channel has passed (1..100), or 0
 * @param skills       new minimum levels for the named skills; level 0 drops the skill from the requirement
 * @param anyLanguage  drop the language requirement
 * @param overflowTo   move the contact to this queue (keeping its waiting time), or null
 * @param raisePriority added to the contact's priority
 */
public record EscalationStep(Duration after, int slaPercent, Map<String, Integer> skills, boolean anyLanguage,
                             String overflowTo, int raisePriority) {

    public EscalationStep {
        skills = Sorted.map(Objects.requireNonNull(skills, "skills"));
        if ((after == null) == (slaPercent == 0)) {
            throw new IllegalArgumentException("escalation.at: expected exactly one of a duration or a percentage");
        }
        if (slaPercent < 0 || slaPercent > 100) {
            throw new IllegalArgumentException("escalation.at: " + slaPercent + "% (expected 1..100%)");
        }
    }

    /** When this step fires, measured from when the contact started waiting, given the queue's target. */
    public Duration delay(Duration responseTarget) {
        return after != null ? after : responseTarget.multipliedBy(slaPercent).dividedBy(100);
    }

    /**
     * {@link #delay} in milliseconds, in long arithmetic: {@code Duration.dividedBy} goes through {@code BigDecimal},
     * and this runs for every arrival in a queue with escalation steps. Truncates exactly as {@link #delay} does.
     */
    long delayMillis(Duration responseTarget) {
        if (after != null) {
            return after.toMillis();
        }
        if (responseTarget.isNegative() || responseTarget.getSeconds() > Long.MAX_VALUE / 1_000_000_000L / 100) {
            return delay(responseTarget).toMillis();
        }
        return responseTarget.toNanos() * slaPercent / 100 / 1_000_000;
    }
}
