package org.contactrouter.routing;

/** Why the engine refused an event instead of applying it. A closed set, counted per reason. */
public enum RefusalReason {
    DUPLICATE_EVENT,
    UNKNOWN_AGENT,
    UNKNOWN_CONTACT,
    UNKNOWN_QUEUE,
    /** The offer expired, was withdrawn, or was made to someone else. */
    OFFER_NOT_OPEN,
    /** Only the agent who owns a contact may act on it. */
    NOT_OWNER,
    CONTACT_CLOSED,
    /** A contact.opened for a conversation that already has an open contact. */
    CONVERSATION_ALREADY_OPEN,
    /** No queue takes the contact's channel. */
    NO_QUEUE,
    TRANSFER_LIMIT,
    /** The transfer target cannot take the contact now (offline, busy, lacks the channel). */
    TRANSFER_TARGET_UNAVAILABLE,
    /** Accepting would give the contact a second owner. */
    SECOND_OWNER,
    /** Accepting would push the agent past their capacity. */
    OVER_CAPACITY
}
