package org.contactrouter.routing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.contactrouter.events.Channel;
import org.contactrouter.events.Customer;

/** A contact at run time, from arrival to wrap-up. Mutable, owned by the engine's single thread. */
final class ContactState {

    final String id;
    final Channel channel;
    final String customerKey;
    /** The customer's last agent, shared by all contacts of the customer: updated without a lookup. */
    RoutingEngine.LastAgent lastAgent;
    final String language;
    final String tier;
    /** The contact this one follows up, or null. */
    final String originContactId;
    /** Who the customer is, as the opening event said; null for follow-ups. */
    Customer customer;
    /** The channel's thread key and where the customer reached us, as the opening event said; null for follow-ups. */
    String conversation;
    String endpoint;
    String subject;
    String firstText;

    ContactStatus status = ContactStatus.SCHEDULED;
    long decisionCount;

    String ruleId;
    Queue queue;
    int priority;
    Map<String, Integer> extraSkills = Map.of();
    Requirement requirement;

    /** Start of the current wait (arrival, or a transfer to a queue). */
    long waitStartedMillis;
    /** Since when the current target (queue and requirement) applies; escalation delays count from here. */
    long targetSinceMillis;
    /** When priority started aging; survives overflow. */
    long agingSinceMillis;
    /** Bumped when a new wait starts: timers of an older wait are stale. */
    long waitGeneration;
    /** Bumped when the routing target changes: escalation and cycle timers of the older target are stale. */
    long targetGeneration;

    WaitingList waitingList;
    WaitingList.Entry waitingEntry;
    /** The agent this contact is reserved for (affinity or follow-up), or null. */
    AgentState reservedFor;

    String offerId;
    AgentState offeredTo;
    Instant offerExpiresAt;
    int offerCount;
    /** Timers set for this contact and not fired yet: cancelled when it is assigned or closed. */
    final List<Timer> timers = new ArrayList<>(4);
    /** Agents who declined or missed it in this cycle; null while there are none, as for most contacts. */
    private Set<String> excluded;

    AgentState owner;
    long assignedAtMillis;
    String previousAgentId;
    int transfers;
    final List<String> notes = new ArrayList<>();
    int followUps;
    /** For a scheduled contact: when it becomes due. */
    Instant dueAt;
    String followUpNote;
    /** For a follow-up: the agent who scheduled it and gets it back. */
    String followUpAgentId;

    ContactState(String id, Channel channel, String customerKey, String language, String tier, String originContactId) {
        this.id = id;
        this.channel = channel;
        this.customerKey = customerKey;
        this.language = language;
        this.tier = tier;
        this.originContactId = originContactId;
    }

    /** Whether the agent declined or missed this contact in this cycle. */
    boolean excludes(String agentId) {
        return excluded != null && excluded.contains(agentId);
    }

    void exclude(String agentId) {
        if (excluded == null) {
            excluded = new HashSet<>();
        }
        excluded.add(agentId);
    }

    /** The agents excluded in this cycle, sorted by id. */
    List<String> exclusions() {
        return excluded == null ? List.of() : excluded.stream().sorted().toList();
    }

    boolean hasExclusions() {
        return excluded != null && !excluded.isEmpty();
    }

    /** A new cycle: every agent may be offered the contact again. */
    void clearExclusions() {
        excluded = null;
    }
}
