package org.contactrouter.events;

/**
 * The agent set their presence.
 */
public record PresenceChanged(String agentId, Presence presence) implements AgentEvent {

    public static final String TYPE = "agent.presence";

    public PresenceChanged {
        Events.requireText(agentId, "agentId");
        java.util.Objects.requireNonNull(presence, "presence");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
