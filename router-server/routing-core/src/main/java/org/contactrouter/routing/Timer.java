package org.contactrouter.routing;

/**
 * Something due at a time: timers are data in the engine's state, fired by {@link RoutingEngine#advanceTo}, never
 * threads or sleeps. A timer carries the generation it was set for; when it fires for a contact that has moved on, it
 * does nothing.
 */
record Timer(Kind kind, ContactState contact, long generation, String ref) {

    enum Kind {
        OFFER_TIMEOUT,
        ESCALATION,
        SLA_BREACH,
        AFFINITY_EXPIRED,
        CYCLE_RESET,
        DUE,
        WRAP_UP_LIMIT
    }

    /** Position in the timer queue: due time, then the order timers were set. */
    record Key(long dueMillis, long sequence) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(dueMillis, o.dueMillis);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }
}
