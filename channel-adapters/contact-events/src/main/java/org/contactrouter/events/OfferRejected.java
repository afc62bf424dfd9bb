package org.contactrouter.events;

/**
 * The agent declined an offer; it goes to the next agent, and not back to this one in the same cycle.
 */
public record OfferRejected(String agentId, String offerId, String reason) implements AgentEvent {

    public static final String TYPE = "offer.rejected";

    public OfferRejected {
        Events.requireText(agentId, "agentId");
        Events.requireText(offerId, "offerId");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
