package org.contactrouter.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.ContactWrappedUp;
import org.contactrouter.events.Customer;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.EventData;
import org.contactrouter.events.Identity;
import org.contactrouter.events.OfferAccepted;
import org.contactrouter.events.Presence;
import org.contactrouter.events.PresenceChanged;
import org.contactrouter.routing.Agent;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.EscalationStep;
import org.contactrouter.routing.Queue;
import org.contactrouter.routing.RoutingConfig;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.routing.RoutingEngine;
import org.contactrouter.routing.RoutingRule;
import org.contactrouter.routing.RoutingSettings;
import org.contactrouter.routing.SelectionStrategy;

/**
 * A contact centre around one {@link RoutingEngine}, for the benchmarks: {@code n} agents with a seeded mix of
 * skills, languages and capacities, six queues (every selection strategy), nine rules (keyword, channel, language).
 * It sends events with unique ids at a clock that only moves forward, and checks that each call decided exactly what
 * the caller expects, so a benchmark can never end up measuring refusals.
 */
final class Floor {

    /** Every contact the benchmarks send is one of these: channel x language x topic. */
    record Kind(Channel channel, String language, String text, Map<String, Integer> skills, String requiredLanguage) {

        /** What the engine checks before offering: capacity on the channel, skill levels, language. */
        boolean canBeTakenBy(Agent agent) {
            if (agent.capacityFor(channel) == 0) {
                return false;
            }
            for (Map.Entry<String, Integer> e : skills.entrySet()) {
                if (agent.level(e.getKey()) < e.getValue()) {
                    return false;
                }
            }
            return requiredLanguage == null || agent.languages().contains(requiredLanguage);
        }
    }

    /** A contact an agent owns. */
    record Assignment(String agentId, String contactId) {
    }

    static final List<String> SKILLS = List.of("fraud", "billing", "accounts", "tech", "network", "sales", "returns",
            "shipping");
    static final List<String> LANGUAGES = List.of("en", "de", "fr");
    static final List<Channel> CHANNELS = List.of(Channel.CHAT, Channel.EMAIL, Channel.WHATSAPP);
    private static final List<String> TOPICS = List.of("my card was stolen, looks like fraud",
            "question about my invoice", "I cannot get into my account", "the app shows an error at login",
            "internet outage since this morning", "what is the price of the upgrade", "I want to return these shoes",
            "wo ist mein Paket", "hello");
    private static final String SOURCE = "/benchmark";

    final RoutingEngine engine;
    final List<Agent> agents;
    /** Every kind of contact, with what it needs, as the engine routes it. */
    final List<Kind> kinds;
    final SplittableRandom random;
    private final Map<String, Integer> agentIndex = new HashMap<>();
    /** Customers, who come back in turn. */
    private final Customer[] customers = new Customer[100_000];
    private long nowMillis = Instant.parse("2025-03-03T09:00:00Z").toEpochMilli();
    private Instant now = Instant.ofEpochMilli(nowMillis);
    private long eventSequence;
    private long arrivals;

    Floor(int agentCount, long seed) {
        random = new SplittableRandom(seed);
        agents = agents(agentCount, random);
        for (int i = 0; i < agents.size(); i++) {
            agentIndex.put(agents.get(i).id(), i);
        }
        for (int i = 0; i < customers.length; i++) {
            customers[i] = Customer.of(null, Identity.phone("+4915" + (10_000_000 + i)));
        }
        kinds = routedKinds();
        engine = new RoutingEngine(config(agents), now);
    }

    // ------------------------------------------------------------------ the config

    static RoutingConfig config(List<Agent> agents) {
        Map<Channel, Duration> targets = Map.of(Channel.CHAT, Duration.ofMinutes(3),
                Channel.WHATSAPP, Duration.ofMinutes(10), Channel.EMAIL, Duration.ofMinutes(10));
        Duration handle = Duration.ofMinutes(6);
        List<Queue> queues = List.of(
                new Queue("fraud", "Fraud", Set.of(Channel.CHAT, Channel.EMAIL), Map.of("fraud", 5), 7, 6, targets,
                        SelectionStrategy.LONGEST_IDLE, null, false, handle, List.of()),
                new Queue("billing", "Billing", Set.copyOf(CHANNELS), Map.of("billing", 3), 5, 6, targets,
                        SelectionStrategy.LONGEST_IDLE, null, true, handle, List.of()),
                new Queue("tech", "Technical support", Set.of(Channel.CHAT, Channel.EMAIL), Map.of("tech", 4), 5, 6,
                        targets, SelectionStrategy.BEST_SKILL_MATCH, null, true, handle,
                        List.of(new EscalationStep(null, 80, Map.of(), true, null, 0))),
                new Queue("sales", "Sales", Set.of(Channel.CHAT, Channel.WHATSAPP), Map.of("sales", 2), 6, 6, targets,
                        SelectionStrategy.ROUND_ROBIN, null, true, handle, List.of()),
                new Queue("returns", "Returns", Set.of(Channel.EMAIL), Map.of("returns", 2), 4, 6, targets,
                        SelectionStrategy.LEAST_OCCUPIED, null, true, handle, List.of()),
                new Queue("general", "General", Set.copyOf(CHANNELS), Map.of(), 4, 6, targets,
                        SelectionStrategy.LEAST_OCCUPIED, null, true, handle, List.of()));
        List<RoutingRule> rules = List.of(
                rule("fraud", Set.of(), Set.of(), List.of("fraud", "stolen"), "fraud", Map.of()),
                rule("whatsapp-sales", Set.of(Channel.WHATSAPP), Set.of(), List.of("price", "upgrade"), "sales",
                        Map.of()),
                rule("returns-by-mail", Set.of(Channel.EMAIL), Set.of(), List.of("return"), "returns", Map.of()),
                rule("account", Set.of(), Set.of(), List.of("account"), "billing", Map.of("accounts", 2)),
                rule("billing", Set.of(), Set.of(), List.of("invoice", "refund"), "billing", Map.of()),
                rule("outage", Set.of(), Set.of(), List.of("outage"), "tech", Map.of("network", 3)),
                rule("tech", Set.of(), Set.of(), List.of("error", "login"), "tech", Map.of()),
                rule("german-parcels", Set.of(), Set.of("de"), List.of("paket"), "general", Map.of("shipping", 1)),
                rule("everything-else", Set.of(), Set.of(), List.of(), "general", Map.of()));
        // Affinity is off (look-back 0): a returning customer would be reserved for their last agent, another path.
        // Event ids are remembered for 1 minute instead of 24 h, so the id memory reaches its steady size in warm-up.
        RoutingSettings settings = new RoutingSettings(Duration.ofSeconds(20), Duration.ofSeconds(30), true,
                Duration.ZERO, Duration.ofSeconds(20), 1, Duration.ofMinutes(5), Duration.ofMinutes(1));
        return new RoutingConfig("benchmark-1", settings, SKILLS, agents, queues, rules, List.of(), List.of())
                .validated();
    }

    private static RoutingRule rule(String id, Set<Channel> channels, Set<String> languages, List<String> keywords,
                                    String queue, Map<String, Integer> skills) {
        return new RoutingRule(id, channels, Set.of(), languages, Set.of(), keywords, queue, null, skills);
    }

    /** 1 to 3 skills at levels 1..10; everyone speaks English, 40 % German, 25 % French; half take WhatsApp. */
    private static List<Agent> agents(int n, SplittableRandom random) {
        List<Agent> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, Integer> skills = new HashMap<>();
            int count = 1 + random.nextInt(3);
            while (skills.size() < count) {
                skills.put(SKILLS.get(random.nextInt(SKILLS.size())), 1 + random.nextInt(10));
            }
            Set<String> languages = new LinkedHashSet<>(List.of("en"));
            if (random.nextInt(100) < 40) {
                languages.add("de");
            }
            if (random.nextInt(100) < 25) {
                languages.add("fr");
            }
            Map<Channel, Integer> capacity = new EnumMap<>(Channel.class);
            capacity.put(Channel.CHAT, 3);
            capacity.put(Channel.EMAIL, 2);
            capacity.put(Channel.WHATSAPP, random.nextBoolean() ? 2 : 0);
            list.add(new Agent("agent-" + i, null, skills, languages, capacity, Set.of(), null));
        }
        return List.copyOf(list);
    }

    /**
     * Every channel x language x topic, with the skills and language the engine will require for it. The queue and
     * rule come from the engine itself: a probe engine with nobody available queues one contact of each kind.
     */
    private List<Kind> routedKinds() {
        RoutingConfig config = config(agents);
        RoutingEngine probe = new RoutingEngine(config, now);
        Map<String, Queue> queues = config.queuesById();
        Map<String, RoutingRule> rules = new HashMap<>();
        config.rules().forEach(r -> rules.put(r.id(), r));
        List<Kind> list = new ArrayList<>();
        int n = 0;
        for (Channel channel : CHANNELS) {
            for (String language : LANGUAGES) {
                for (String text : TOPICS) {
                    CustomerMessage m = new CustomerMessage(channel, "probe-" + n, customers[n], null, language, null,
                            text, Map.of());
                    RoutingDecision queued = expect(probe.decide(ContactEvent.of("probe-" + n++, SOURCE, now, m), now),
                            DecisionType.QUEUED);
                    Queue q = queues.get(queued.queueId());
                    Map<String, Integer> skills = new HashMap<>(q.skills());
                    rules.get(queued.ruleId()).skills().forEach((s, level) -> skills.merge(s, level, Math::max));
                    list.add(new Kind(channel, language, text, Map.copyOf(skills), q.matchLanguage() ? language : null));
                }
            }
        }
        return List.copyOf(list);
    }

    // ------------------------------------------------------------------ building a state

    /** A random agent's free or busy slot, then a kind of contact that agent can take on that slot's channel. */
    Kind kindForRandomSlot() {
        Agent agent = agents.get(random.nextInt(agents.size()));
        int slots = 0;
        for (Channel ch : CHANNELS) {
            slots += agent.capacityFor(ch);
        }
        int slot = random.nextInt(slots);
        for (Channel ch : CHANNELS) {
            slot -= agent.capacityFor(ch);
            if (slot < 0) {
                return kindFor(agent, ch);
            }
        }
        throw new AssertionError("unreachable");
    }

    /** A random kind of contact the agent can take on the channel. */
    Kind kindFor(Agent agent, Channel channel) {
        List<Kind> fitting = new ArrayList<>();
        for (Kind k : kinds) {
            if (k.channel() == channel && k.canBeTakenBy(agent)) {
                fitting.add(k);
            }
        }
        return fitting.get(random.nextInt(fitting.size()));
    }

    void everyoneAvailable() {
        for (Agent a : agents) {
            expect(send(new PresenceChanged(a.id(), Presence.AVAILABLE)), DecisionType.PRESENCE_CHANGED);
        }
    }

    /** A contact arrives, is offered to whoever the engine picks, and accepted. */
    Assignment assign(Kind kind) {
        RoutingDecision offer = expect(arrive(kind), DecisionType.QUEUED, DecisionType.OFFERED);
        expect(accept(offer.agentId(), offer.offerId()), DecisionType.ASSIGNED);
        return new Assignment(offer.agentId(), offer.contactId());
    }

    int indexOf(String agentId) {
        return agentIndex.get(agentId);
    }

    // ------------------------------------------------------------------ events

    /**
     * A contact of this kind arrives, 1 ms after the previous event: the clock moves before each arrival, so simulated
     * time runs at 1,000 arrivals a second. An arrival never shares its millisecond with an earlier accept or wrap-up:
     * with a look-back of 0, the engine would still count a customer handled in the same millisecond as returning.
     */
    List<RoutingDecision> arrive(Kind kind) {
        now = Instant.ofEpochMilli(++nowMillis);
        long n = ++eventSequence;
        Customer customer = customers[(int) (arrivals++ % customers.length)];
        return decide(n, new CustomerMessage(kind.channel(), "conversation-" + n, customer, null, kind.language(),
                null, kind.text(), Map.of()));
    }

    List<RoutingDecision> accept(String agentId, String offerId) {
        return send(new OfferAccepted(agentId, offerId));
    }

    List<RoutingDecision> wrapUp(String agentId, String contactId) {
        return send(new ContactWrappedUp(agentId, contactId, "resolved", null, null));
    }

    private List<RoutingDecision> send(EventData data) {
        return decide(++eventSequence, data);
    }

    private List<RoutingDecision> decide(long n, EventData data) {
        return engine.decide(ContactEvent.of("event-" + n, SOURCE, now, data), now);
    }

    // ------------------------------------------------------------------ checks

    /** The only decision, which must be of this type. */
    static RoutingDecision expect(List<RoutingDecision> decisions, DecisionType type) {
        if (decisions.size() != 1 || decisions.get(0).type() != type) {
            throw unexpected(decisions, type.toString());
        }
        return decisions.get(0);
    }

    /** The second of exactly two decisions, which must be of these types. */
    static RoutingDecision expect(List<RoutingDecision> decisions, DecisionType first, DecisionType second) {
        if (decisions.size() != 2 || decisions.get(0).type() != first || decisions.get(1).type() != second) {
            throw unexpected(decisions, first + ", " + second);
        }
        return decisions.get(1);
    }

    private static IllegalStateException unexpected(List<RoutingDecision> decisions, String expected) {
        StringBuilder b = new StringBuilder("expected [" + expected + "], the engine decided:");
        for (RoutingDecision d : decisions) {
            b.append("\n  ").append(d.type()).append(' ').append(d.contactId()).append(" agent=").append(d.agentId())
                    .append(" queue=").append(d.queueId()).append(" reason=").append(d.reason())
                    .append(" text=").append(d.text());
        }
        return new IllegalStateException(b.toString());
    }
}
