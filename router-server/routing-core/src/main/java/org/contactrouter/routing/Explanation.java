package org.contactrouter.routing;

import java.util.List;

/**
 * Why a decision came out the way it did: the rule and queue that applied, the strategy, how many agents could take
 * the contact, the first candidates in the strategy's order and what happened to each.
 *
 * @param rule           the routing rule that matched, or null
 * @param queue          the queue, or null
 * @param strategy       the selection strategy used, or null when no agent was chosen
 * @param reason         one line a person can read
 * @param availableAgents agents able to take the contact at that moment
 * @param candidates     the first candidates in the strategy's order
 */
public record Explanation(String rule, String queue, SelectionStrategy strategy, String reason, int availableAgents,
                          List<Candidate> candidates) {

    /**
     * One agent considered.
     *
     * @param agentId the agent
     * @param standing the agent's value under the strategy: idle since (epoch ms), load per mille, skill score, or
     *                 offer sequence
     * @param verdict  "chosen", or why not
     */
    public record Candidate(String agentId, long standing, String verdict) {
    }

    public Explanation {
        candidates = candidates == null ? List.of() : List.copyOf(candidates);
    }

    static Explanation of(String rule, String queue, String reason) {
        return new Explanation(rule, queue, null, reason, 0, List.of());
    }
}
