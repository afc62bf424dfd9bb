package org.contactrouter.events;

/**
 * The owning agent hands the contact to another agent or to a queue, with a note for whoever takes it.
 *
 * @param toAgentId the agent to transfer to, or null
 * @param toQueueId the queue to transfer to, or null; exactly one of the two is set
 */
public record TransferRequested(String agentId, String contactId, String toAgentId, String toQueueId, String note) implements AgentEvent {

    public static final String TYPE = "transfer.requested";

    public TransferRequested {
        Events.requireText(agentId, "agentId");
        Events.requireText(contactId, "contactId");
        Events.requireText(note, "note");
        if (toAgentId != null) {
            Events.requireText(toAgentId, "toAgentId");
        }
        if (toQueueId != null) {
            Events.requireText(toQueueId, "toQueueId");
        }
        if ((toAgentId == null) == (toQueueId == null)) {
            throw new IllegalArgumentException("transfer: toAgentId=" + toAgentId + ", toQueueId=" + toQueueId
                    + " (expected exactly one of the two)");
        }
    }

    @Override
    public String type() {
        return TYPE;
    }
}
