package org.contactrouter.events;

import java.util.Map;
import java.util.Objects;

/**
 * A message from a customer (SMS, WhatsApp, email, chat, web form). It continues the open contact of the same
 * channel and conversation, or opens a new one when there is none.
 */
public record CustomerMessage(
        Channel channel,
        String conversation,
        Customer customer,
        String endpoint,
        String language,
        String subject,
        String text,
        Map<String, String> attributes) implements InboundContact {

    public static final String TYPE = "customer.message";

    public CustomerMessage {
        Objects.requireNonNull(channel, "channel");
        Events.requireText(conversation, "conversation");
        Objects.requireNonNull(customer, "customer");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
