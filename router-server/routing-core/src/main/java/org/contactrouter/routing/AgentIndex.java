package org.contactrouter.routing;

import java.util.TreeSet;

/**
 * The agents who can take a contact of one requirement right now, in one strategy's order. Kept up to date on every
 * change of an agent's presence or load, so choosing an agent is a walk from the head, not a scan.
 */
final class AgentIndex {

    /** An agent's place in the order; lower sorts first. */
    record Entry(long primary, long secondary, String agentId) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            int c = Long.compare(primary, o.primary);
            if (c != 0) {
                return c;
            }
            c = Long.compare(secondary, o.secondary);
            return c != 0 ? c : agentId.compareTo(o.agentId);
        }
    }

    final Requirement requirement;
    final SelectionStrategy strategy;
    final TreeSet<Entry> entries = new TreeSet<>();
    /** The explanation's reason when this index chose: made once, not per decision. */
    final String description;

    AgentIndex(Requirement requirement, SelectionStrategy strategy) {
        this.requirement = requirement;
        this.strategy = strategy;
        this.description = strategy.wireName() + " among agents with " + requirement;
    }

    Entry entryFor(AgentState a) {
        long idle = a.idleSinceMillis;
        return switch (strategy) {
            case LONGEST_IDLE -> new Entry(idle, 0, a.id());
            case LEAST_OCCUPIED -> new Entry(a.loadPerMille(requirement.channel()), idle, a.id());
            case BEST_SKILL_MATCH -> new Entry(-requirement.skillScore(a.agent), idle, a.id());
            case ROUND_ROBIN -> new Entry(a.lastOfferSequence, 0, a.id());
        };
    }
}
