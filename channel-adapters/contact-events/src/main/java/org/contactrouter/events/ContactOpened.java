package org.contactrouter.events;

import java.util.Map;
import java.util.Objects;

/**
 * A contact that is new by nature, such as an inbound call: it always opens a new contact.
 */
public record ContactOpened(
        Channel channel,
        String conversation,
        Customer customer,
        String endpoint,
        String language,
        String subject,
        String text,
        Map<String, String> attributes) implements InboundContact {

    public static final String TYPE = "contact.opened";

    public ContactOpened {
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
