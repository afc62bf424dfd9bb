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
    /** Read directly only to go through all entries; changes go through {@link #add} and {@link #remove}. */
    final TreeSet<Entry> entries = new TreeSet<>();
    /**
     * The first entry, or null when not known: every freed agent looks at the head of each list they can serve, and
     * this saves walking the tree down to it each time. Set on the first look, dropped when the head leaves.
     */
    private Entry head;

    WaitingList(Queue queue, Requirement requirement) {
        this.queue = queue;
        this.requirement = requirement;
    }

    void add(Entry e) {
        entries.add(e);
        if (head != null && e.compareTo(head) < 0) {
            head = e;
        }
    }

    void remove(Entry e) {
        entries.remove(e);
        if (e == head) {
            head = null;
        }
    }

    /** The first entry whose contact the agent did not decline or miss in this cycle, or null. */
    Entry firstFor(String agentId) {
        if (head == null && !entries.isEmpty()) {
            head = entries.first();
        }
        if (head == null || !head.contact().excludes(agentId)) {
            return head;
        }
        for (Entry e : entries.tailSet(head, false)) {
            if (!e.contact().excludes(agentId)) {
                return e;
            }
        }
        return null;
    }

    Entry entryFor(ContactState c, long sequence) {
        return new Entry(c.priority * 60_000L - queue.agingPerMinute() * c.agingSinceMillis, sequence, c);
    }

    /** Effective priority at now, in priority-milliseconds, comparable across queues. */
    long effective(Entry e, long nowMillis) {
        return e.key + queue.agingPerMinute() * nowMillis;
    }
}
