package org.contactrouter.routing;

import java.util.Locale;

/** How a queue picks among the agents able to take a contact. */
public enum SelectionStrategy {
    /** The agent free the longest (fairness; the classic ACD default). */
    LONGEST_IDLE,
    /** The agent with the lowest load on the contact's channel relative to capacity; ties by longest idle. */
    LEAST_OCCUPIED,
    /** The agent with the highest total level in the required skills; ties by longest idle. */
    BEST_SKILL_MATCH,
    /** The agent offered a contact least recently. */
    ROUND_ROBIN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static SelectionStrategy fromWire(String name) {
        for (SelectionStrategy s : values()) {
            if (s.wireName().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("strategy: '" + name
                + "' (expected one of: longest-idle, least-occupied, best-skill-match, round-robin)");
    }
}
