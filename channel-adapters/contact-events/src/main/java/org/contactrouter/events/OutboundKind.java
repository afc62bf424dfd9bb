package org.contactrouter.events;

/** What an {@link OutboundMessage} tells the customer, so that each channel can say it in its own way. */
public enum OutboundKind {
    /** The first contact of a conversation arrived: the expected response time. */
    ACKNOWLEDGEMENT,
    /** The contact arrived outside business hours: when the business will answer ({@link OutboundMessage#dueAt()}). */
    AFTER_HOURS,
    /** An agent took the contact (a call is bridged to them; a chat shows "agent joined"). */
    AGENT_JOINED,
    /** The contact was transferred: who takes over. */
    HANDOVER,
    /** The agent's reply. */
    REPLY,
    /** The agent wrapped the contact up; the conversation is closed. */
    CLOSED
}
