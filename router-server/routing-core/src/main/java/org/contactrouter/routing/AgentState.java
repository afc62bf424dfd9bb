package org.contactrouter.routing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.contactrouter.events.Channel;
import org.contactrouter.events.Presence;

/** An agent at run time: presence, load per channel, and their places in the agent indexes. */
final class AgentState {

    Agent agent;
    /** The agent's capacity per channel ordinal, copied from {@link #agent}: read on every offer decision. */
    int[] capacity;
    /** The agent's exclusive channels as bits by channel ordinal, copied from {@link #agent}. */
    int exclusiveChannels;
    /** Position of the agent id in the sorted ids of all agents: breaks ties in the indexes as the id would. */
    int idRank;
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
    /** Contacts offered to this agent and not yet answered, a handful at most; in no particular order. */
    final List<ContactState> offered = new ArrayList<>(4);
    /*
     * The indexes whose requirement this agent meets, whether or not they can take a contact now, and the
     * requirements among them. Parallel arrays rather than an object per index: a freed agent's indexes and
     * requirements are read on every wrap-up and offer, long after the agent was last touched, and arrays keep each
     * of them in a few cache lines.
     */
    /** Number of indexes used in {@link #indexes}, {@link #skillScores} and {@link #entries}. */
    int indexCount;
    AgentIndex[] indexes = new AgentIndex[4];
    /** The agent's standing under best-skill-match in each index, fixed while the config is. */
    int[] skillScores = new int[4];
    /** The agent's entry in each index while they are offerable there, else null. */
    AgentIndex.Entry[] entries = new AgentIndex.Entry[4];
    /** Distinct requirements among {@link #indexes}, in creation order. */
    final List<Requirement> requirements = new ArrayList<>();
    /** The engine's waiting lists of each of {@link #requirements}: the same list object, so later lists show here. */
    final List<List<WaitingList>> waitingLists = new ArrayList<>();

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
        exclusiveChannels = 0;
        for (Channel ch : a.exclusive()) {
            exclusiveChannels |= 1 << ch.ordinal();
        }
    }

    /** Adds an index whose requirement the agent meets; returns its position in {@link #indexes}. */
    int join(AgentIndex index) {
        if (indexCount == indexes.length) {
            indexes = Arrays.copyOf(indexes, indexCount * 2);
            skillScores = Arrays.copyOf(skillScores, indexCount * 2);
            entries = Arrays.copyOf(entries, indexCount * 2);
        }
        indexes[indexCount] = index;
        skillScores[indexCount] = index.requirement.skillScore(agent);
        entries[indexCount] = null;
        return indexCount++;
    }

    /** Leaves every index: they are being rebuilt. */
    void leaveIndexes() {
        Arrays.fill(indexes, 0, indexCount, null);
        Arrays.fill(entries, 0, indexCount, null);
        indexCount = 0;
        requirements.clear();
        waitingLists.clear();
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
        if (isExclusive(channel)) {
            exclusiveLoad++;
        }
    }

    void release(Channel channel) {
        load[channel.ordinal()]--;
        if (isExclusive(channel)) {
            exclusiveLoad--;
        }
    }

    private boolean isExclusive(Channel channel) {
        return (exclusiveChannels & 1 << channel.ordinal()) != 0;
    }
}
