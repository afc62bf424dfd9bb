package org.contactrouter.events;

import java.util.Locale;

/** The ways a customer reaches the business. On the wire: the lower-case name ({@code "sms"}). */
public enum Channel {
    VOICE,
    SMS,
    WHATSAPP,
    EMAIL,
    CHAT;

    /** The wire and config name, e.g. {@code "whatsapp"}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire or config name, case-insensitively. */
    public static Channel fromWire(String name) {
        for (Channel c : values()) {
            if (c.name().equalsIgnoreCase(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("channel: '" + name + "' (expected one of: voice, sms, whatsapp, email, chat)");
    }
}
