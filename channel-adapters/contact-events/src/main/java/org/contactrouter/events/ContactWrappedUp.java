package org.contactrouter.events;

import java.time.Instant;

/**
 * The agent finished a contact with a disposition, optionally scheduling a follow-up that comes back to
 * them when due.
 *
 * @param followUpAt when the follow-up is due, or null for none
 * @param followUpNote what the follow-up is about, or null
 */
public record ContactWrappedUp(String agentId, String contactId, String disposition, Instant followUpAt, String followUpNote) implements AgentEvent {

    public static final String TYPE = "contact.wrapped-up";

    public ContactWrappedUp {
        Events.requireText(agentId, "agentId");
        Events.requireText(contactId, "contactId");
        Events.requireText(disposition, "disposition");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
