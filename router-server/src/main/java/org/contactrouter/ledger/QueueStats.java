package org.contactrouter.ledger;

import java.time.Duration;

/**
 * How one queue did with the contacts that entered it in a period. A contact counts for the queue it was last in
 * (after an overflow or a transfer to a queue, the new one).
 *
 * @param queueId             the queue
 * @param contacts            contacts that entered the queue
 * @param answered            of those, accepted by an agent
 * @param abandoned           of those, left by the customer before an agent took them
 * @param averageWaitToAnswer mean time from entering the queue to the first accept, or null when none was answered
 * @param slaBreaches         contacts that waited past the queue's response-time target
 */
public record QueueStats(String queueId, long contacts, long answered, long abandoned, Duration averageWaitToAnswer,
                         long slaBreaches) {
}
