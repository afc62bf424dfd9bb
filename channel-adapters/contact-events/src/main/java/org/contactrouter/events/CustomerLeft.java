package org.contactrouter.events;

import java.util.Objects;

/**
 * The customer ended the contact: hung up, closed the chat, or the call failed. A contact still waiting becomes
 * abandoned; an assigned one ends and waits for the agent's wrap-up.
 *
 * @param reason the channel's word for it ("completed", "no-answer", "chat-closed"); free text
 */
public record CustomerLeft(Channel channel, String conversation, String reason) implements EventData {

    public static final String TYPE = "customer.left";

    public CustomerLeft {
        Objects.requireNonNull(channel, "channel");
        Events.requireText(conversation, "conversation");
    }

    @Override
    public String type() {
        return TYPE;
    }
}
