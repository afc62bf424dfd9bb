package org.contactrouter.events;

/**
 * The agent added an internal note to a contact; notes travel with the contact on transfer.
 */
public record NoteAdded(String agentId, String contactId, String text) implements AgentEvent {

    public static final String TYPE = "note.added";

    public NoteAdded {
        Events.requireText(agentId, "agentId");
        Events.requireText(contactId, "contactId");
        Events.requireText(text, "text");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
