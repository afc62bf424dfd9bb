package org.contactrouter.events;

/**
 * The payload of a {@link ContactEvent}. Each kind has one CloudEvents type, {@code org.contactrouter.<type()>}.
 * Customer-side events come from channel adapters; agent-side events come from the agent desktop or the REST API.
 */
public sealed interface EventData
        permits InboundContact, CustomerLeft, AgentEvent {

    /** The short type name, e.g. {@code "customer.message"}; the CloudEvents type is {@link ContactEvent#TYPE_PREFIX} + this. */
    String type();
}
