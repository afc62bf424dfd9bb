package org.contactrouter.routing;

import java.util.TreeSet;

/**
 * The agents who can take a contact of one requirement right now, in one strategy's order. Kept up to date on every
 * change of an agent's presence or load, so choosing an agent is a walk from the head, not a scan.
 */
final class AgentIndex {

    /**
     * An agent's place in the order; lower sorts first. Ties go by agent id, compared through the id's rank among all
     * agents ({@link AgentState#idRank}): the same order as comparing the ids, without reading the strings.
     */
    record Entry(long primary, long secondary, int idRank, AgentState agent) implements Comparable<Entry> {
        String agentId() {
            return agent.id();
        }

        @Override
        public int compareTo(Entry o) {
            int c = Long.compare(primary, o.primary);
            if (c != 0) {
                return c;
            }
            c = Long.compare(secondary, o.secondary);
            return c != 0 ? c : Integer.compare(idRank, o.idRank);
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

    /** The agent's entry now; {@code skillScore} is their {@link Requirement#skillScore} for this requirement. */
    Entry entryFor(AgentState a, int skillScore) {
        long idle = a.idleSinceMillis;
        return switch (strategy) {
            case LONGEST_IDLE -> new Entry(idle, 0, a.idRank, a);
            case LEAST_OCCUPIED -> new Entry(a.loadPerMille(requirement.channel()), idle, a.idRank, a);
            case BEST_SKILL_MATCH -> new Entry(-skillScore, idle, a.idRank, a);
            case ROUND_ROBIN -> new Entry(a.lastOfferSequence, 0, a.idRank, a);
        };
    }
}
