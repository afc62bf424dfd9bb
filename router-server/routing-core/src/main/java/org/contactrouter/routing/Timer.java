package org.contactrouter.routing;

/**
 * Something due at a time: timers are data in the engine's state, fired by {@link RoutingEngine#advanceTo}, never
 * threads or sleeps. A timer carries the generation it was set for; when it fires for a contact that has moved on, it
 * does nothing. Timers fire in order of due time, then of the order they were set ({@link #sequence}).
 */
final class Timer {

    enum Kind {
        OFFER_TIMEOUT,
        ESCALATION,
        SLA_BREACH,
        AFFINITY_EXPIRED,
        CYCLE_RESET,
        DUE,
        WRAP_UP_LIMIT
    }

    private final Kind kind;
    private final ContactState contact;
    private final long generation;
    private final String ref;
    private final long dueMillis;
    private final long sequence;
    /** Where the timer is in its {@link TimerQueue}, or -1 when it is in none. */
    int position = -1;

    Timer(Kind kind, ContactState contact, long generation, String ref, long dueMillis, long sequence) {
        this.kind = kind;
        this.contact = contact;
        this.generation = generation;
        this.ref = ref;
        this.dueMillis = dueMillis;
        this.sequence = sequence;
    }

    Kind kind() {
        return kind;
    }

    ContactState contact() {
        return contact;
    }

    long generation() {
        return generation;
    }

    /** The offer id, SLA target in milliseconds or escalation step the timer is about, as text; or null. */
    String ref() {
        return ref;
    }

    long dueMillis() {
        return dueMillis;
    }

    long sequence() {
        return sequence;
    }
}
