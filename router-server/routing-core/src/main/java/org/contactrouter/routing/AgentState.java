package org.contactrouter.routing;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.contactrouter.events.Channel;
import org.contactrouter.events.Presence;

/** An agent at run time: presence, load per channel, and their places in the agent indexes. */
final class AgentState {

    Agent agent;
    /** The agent's capacity per channel ordinal, copied from {@link #agent}: read on every offer decision. */
    int[] capacity;
    /** False once the agent is removed from the config: they may finish their contacts but get no offers. */
    boolean configured = true;
    /** A reload lowered a capacity below the agent's load: they keep their contacts, get no new ones meanwhile. */
    boolean overCapacityByConfig;
    Presence presence = Presence.OFFLINE;
    /** Offers open plus contacts owned (assigned or ended, not yet wrapped up), per channel ordinal. */
    final int[] load = new int[Channel.values().length];
    /** Offers and contacts on exclusive channels. */
    int exclusiveLoad;
    long idleSinceMillis;
    long lastOfferSequence;
    long decisionCount;
    int handled;
    /** Contacts reserved for this agent: a returning customer waiting for them, or their due follow-up. */
    final Set<ContactState> reserved = new LinkedHashSet<>();
    /** Contacts offered to this agent and not yet answered. */
    final Set<ContactState> offered = new LinkedHashSet<>();
    /** The indexes whose requirement this agent meets, whether or not they can take a contact now. */
    final List<AgentIndex> indexes = new ArrayList<>();
    /** The agent's current entry in each index where they are offerable. */
    final Map<AgentIndex, AgentIndex.Entry> entries = new IdentityHashMap<>();
    /** Distinct requirements among {@link #indexes}, in creation order. */
    final Set<Requirement> requirements = new LinkedHashSet<>();

    AgentState(Agent agent, long nowMillis) {
        configure(agent);
        this.idleSinceMillis = nowMillis;
    }

    void configure(Agent a) {
        agent = a;
        capacity = new int[Channel.values().length];
        for (Channel ch : Channel.values()) {
            capacity[ch.ordinal()] = a.capacityFor(ch);
        }
    }

    String id() {
        return agent.id();
    }

    /**
     * Whether a new contact of this channel may be offered now. Exclusivity is one-way: while the agent has a contact
     * on an exclusive channel (a call) nothing else is offered, but a call may be offered next to open chats and mails.
     */
    boolean canTake(Channel channel) {
        return configured && presence == Presence.AVAILABLE && exclusiveLoad == 0
                && load[channel.ordinal()] < capacity[channel.ordinal()];
    }

    int totalLoad() {
        int total = 0;
        for (int n : load) {
            total += n;
        }
        return total;
    }

    long loadPerMille(Channel channel) {
        int cap = capacity[channel.ordinal()];
        return cap == 0 ? 1000 : load[channel.ordinal()] * 1000L / cap;
    }

    void take(Channel channel) {
        load[channel.ordinal()]++;
        if (agent.exclusive().contains(channel)) {
            exclusiveLoad++;
        }
    }

    void release(Channel channel) {
        load[channel.ordinal()]--;
        if (agent.exclusive().contains(channel)) {
            exclusiveLoad--;
        }
    }
}
