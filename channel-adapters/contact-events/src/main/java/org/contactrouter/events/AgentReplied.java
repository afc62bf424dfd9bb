package org.contactrouter.events;

/**
 * The agent replied to the customer; adapters send it on the contact's channel.
 */
public record AgentReplied(String agentId, String contactId, String text) implements AgentEvent {

    public static final String TYPE = "agent.replied";

    public AgentReplied {
        Events.requireText(agentId, "agentId");
        Events.requireText(contactId, "contactId");
        java.util.Objects.requireNonNull(text, "text");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
