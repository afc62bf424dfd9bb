package org.contactrouter.routing;

import java.util.TreeSet;

/**
 * Contacts of one queue and one requirement waiting for an agent, highest effective priority first.
 *
 * <p>Priority ages linearly: {@code effective(now) = priority + agingPerMinute * waitedMinutes}. Within one queue the
 * aging rate is the same for all, so the order does not change with time and is kept by a time-independent key,
 * {@code priority * 60000 - agingPerMinute * enqueuedAtMillis}. Across queues, {@link #effective} compares at now.
 */
final class WaitingList {

    record Entry(long key, long sequence, ContactState contact) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            int c = Long.compare(o.key, key);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    final Queue queue;
    final Requirement requirement;
    final TreeSet<Entry> entries = new TreeSet<>();

    WaitingList(Queue queue, Requirement requirement) {
        this.queue = queue;
        this.requirement = requirement;
    }

    Entry entryFor(ContactState c, long sequence) {
        return new Entry(c.priority * 60_000L - queue.agingPerMinute() * c.agingSinceMillis, sequence, c);
    }

    /** Effective priority at now, in priority-milliseconds, comparable across queues. */
    long effective(Entry e, long nowMillis) {
        return e.key + queue.agingPerMinute() * nowMillis;
    }
}
