package org.contactrouter.events;

import java.util.Locale;

/**
 * An agent's presence. Agents set AVAILABLE, AWAY, BUSY and OFFLINE themselves; WRAP_UP is set by the router
 * after a call ends and lasts until the agent wraps the call up. Only an AVAILABLE agent receives offers.
 */
public enum Presence {
    OFFLINE,
    AVAILABLE,
    AWAY,
    BUSY,
    WRAP_UP;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Presence fromWire(String name) {
        for (Presence p : values()) {
            if (p.wireName().equalsIgnoreCase(name) || p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                "presence: '" + name + "' (expected one of: offline, available, away, busy, wrap-up)");
    }
}
