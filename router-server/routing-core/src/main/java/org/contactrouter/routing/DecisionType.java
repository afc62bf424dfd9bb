package org.contactrouter.routing;

/** What a {@link RoutingDecision} records. A closed set: it is also the {@code outcome} tag of the decision metric. */
public enum DecisionType {
    /** A new contact matched a rule and entered a queue (with its estimated wait, for the acknowledgement). */
    QUEUED,
    /** The contact arrived outside its queue's business hours; it is scheduled for the next opening. */
    AFTER_HOURS,
    /** The contact was offered to one agent. */
    OFFERED,
    /** The agent accepted: the contact is theirs. */
    ASSIGNED,
    OFFER_REJECTED,
    OFFER_TIMED_OUT,
    /** An open offer was taken back (the agent signed off, or the customer left). */
    OFFER_WITHDRAWN,
    /** A customer message on a contact that is still waiting; it stays with the contact. */
    MESSAGE_QUEUED,
    /** A customer message on an assigned contact, delivered to its owner: never re-routed. */
    MESSAGE_TO_OWNER,
    /** The owner replied; the channel adapter sends it. */
    REPLIED,
    NOTE_ADDED,
    /** An escalation step applied: skills widened, priority raised, or moved to another queue. */
    ESCALATED,
    /** The contact waited past its queue's response-time target. */
    SLA_BREACHED,
    TRANSFERRED,
    /** The customer left an assigned contact; it waits for the agent's wrap-up. */
    ENDED,
    /** The customer left before an agent took the contact. */
    ABANDONED,
    WRAPPED_UP,
    FOLLOW_UP_SCHEDULED,
    /** A follow-up fell due and goes back to the agent who scheduled it. */
    FOLLOW_UP_DUE,
    PRESENCE_CHANGED,
    CONFIG_APPLIED,
    /** An event was not applied; {@link RoutingDecision#reason()} says why. */
    REFUSED
}
