package org.contactrouter.routing;

/** Where a contact is in its life. */
public enum ContactStatus {
    /** Waiting for business hours to open, or for a follow-up's due time. */
    SCHEDULED,
    /** In a queue, or reserved for one agent (the customer's own agent, or a follow-up's). */
    WAITING,
    /** Offered to one agent, who has not answered yet. */
    OFFERED,
    /** Owned by an agent. */
    ASSIGNED,
    /** The customer left; the owner has not wrapped up yet. */
    ENDED,
    /** Wrapped up. */
    CLOSED,
    /** The customer left before an agent took it. */
    ABANDONED;

    public boolean isOpen() {
        return this != CLOSED && this != ABANDONED;
    }
}
