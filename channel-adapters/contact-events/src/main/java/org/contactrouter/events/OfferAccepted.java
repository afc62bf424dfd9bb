package org.contactrouter.events;

/**
 * The agent accepted an offer: the contact is theirs.
 */
public record OfferAccepted(String agentId, String offerId) implements AgentEvent {

    public static final String TYPE = "offer.accepted";

    public OfferAccepted {
        Events.requireText(agentId, "agentId");
        Events.requireText(offerId, "offerId");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
