package org.contactrouter.events;

/** Something an agent did, from the desktop or the REST API. */
public sealed interface AgentEvent extends EventData
        permits PresenceChanged, OfferAccepted, OfferRejected, AgentReplied, NoteAdded, TransferRequested,
        ContactWrappedUp {

    String agentId();
}
