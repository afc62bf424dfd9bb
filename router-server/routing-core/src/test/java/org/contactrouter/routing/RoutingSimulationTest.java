package org.contactrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactWrappedUp;
import org.contactrouter.events.Identity;
import org.contactrouter.events.OfferAccepted;
import org.contactrouter.events.Presence;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded simulation of a contact centre: random arrivals, messages, presence changes, accepts, rejects, time-outs,
 * transfers, wrap-ups, follow-ups, redeliveries and config reloads, on random configs. After every step the engine's
 * invariants hold (no contact offered or owned twice, nobody over capacity, nothing waits while an able agent idles),
 * the decision stream is consistent on its own, and at the end every contact is wrapped up or abandoned: none lost.
 * The same seed gives the same decisions. A failing seed is printed; add it to {@link #regressions}.
 */
class RoutingSimulationTest {

    private static final String[] SKILLS = {"billing", "tech", "sales"};
    private static final Channel[] CHANNELS = {Channel.CHAT, Channel.SMS, Channel.EMAIL, Channel.VOICE};

    static LongStream seeds() {
        return LongStream.range(0, 150).map(i -> 0x5EED_0000L + i * 7919);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void invariantsHoldAndNoContactIsLost(long seed) {
        run(seed);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1592614093L, 1592677445L})
    void regressions(long seed) {
        run(seed);
    }

    /** Every fifth seed: replaying is the same code path for every seed, and each run plays two whole days. */
    static LongStream replaySeeds() {
        return seeds().filter(seed -> seed % 5 == 0);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("replaySeeds")
    void sameEventsGiveSameDecisions(long seed) {
        assertThat(new Simulation(seed).play().log).isEqualTo(new Simulation(seed).play().log);
    }

    /**
     * A router that restores from a snapshot decides exactly as one that never stopped: the same seed played with the
     * engine replaced by its restored snapshot every few steps gives the same decisions, byte for byte, as the
     * uninterrupted run (every decision is compared, so a difference in any field fails).
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("replaySeeds")
    void snapshotAndTailGiveTheSameDecisionsAsFullReplay(long seed) {
        Simulation uninterrupted = new Simulation(seed).play();
        uninterrupted.drain();
        Simulation restored = new Simulation(seed);
        restored.restoreEvery = 1 + (int) Math.floorMod(seed, 17L);
        restored.play();
        restored.drain();
        assertThat(restored.restores).as("restores made").isGreaterThan(10);
        assertThat(restored.log).isEqualTo(uninterrupted.log);
        assertThat(restored.desk.engine.snapshot()).isEqualTo(uninterrupted.desk.engine.snapshot());
    }

    private static void run(long seed) {
        Simulation sim = new Simulation(seed);
        try {
            sim.play();
            sim.drain();
            sim.assertNoneLost();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("simulation failed with seed " + seed + " at step " + sim.step
                    + " (replay: add " + seed + "L to RoutingSimulationTest.regressions): " + e.getMessage(), e);
        }
    }

    static final class Simulation {
        final SplittableRandom random;
        final Desk desk;
        final List<RoutingDecision> log;
        final StreamCheck stream = new StreamCheck();
        RoutingConfig config;
        /** Every this many steps the engine is replaced by its restored snapshot; 0 for never. */
        int restoreEvery;
        int restores;
        int step;
        int conversations;
        String lastEventId;

        Simulation(long seed) {
            random = new SplittableRandom(seed);
            config = randomConfig("sim-1");
            desk = new Desk(config);
            log = desk.log;
        }

        Simulation play() {
            for (step = 0; step < 250; step++) {
                int before = log.size();
                if (restoreEvery > 0 && step % restoreEvery == 0) {
                    desk.restoreFromSnapshot();
                    restores++;
                }
                act();
                stream.accept(log.subList(before, log.size()));
            }
            return this;
        }

        private void act() {
            int dice = random.nextInt(100);
            List<ContactView> open = desk.engine.openContacts();
            if (dice < 22) {
                arrive();
            } else if (dice < 30 && !open.isEmpty()) {
                ContactView c = pick(open);
                if (c.originContactId() == null) {
                    desk.inbound(c.channel(), conversationOf(c), identityOf(c), null, null, "more", Map.of());
                }
            } else if (dice < 36 && !open.isEmpty()) {
                ContactView c = pick(open);
                if (c.originContactId() == null) {
                    desk.left(c.channel(), conversationOf(c));
                }
            } else if (dice < 46) {
                Agent a = config.agents().get(random.nextInt(config.agents().size()));
                Presence[] ps = {Presence.AVAILABLE, Presence.AVAILABLE, Presence.AWAY, Presence.OFFLINE, Presence.BUSY};
                desk.presence(a.id(), ps[random.nextInt(ps.length)]);
            } else if (dice < 60) {
                ContactView c = pickWhere(open, ContactStatus.OFFERED);
                if (c != null) {
                    if (random.nextInt(4) == 0) {
                        desk.reject(c.offeredToAgentId(), c.id());
                    } else {
                        desk.accept(c.offeredToAgentId(), c.id());
                    }
                }
            } else if (dice < 63) {
                ContactView c = pickWhere(open, ContactStatus.OFFERED);
                if (c != null) {
                    // Someone else, or a stale offer id: both must be refused.
                    desk.send(new OfferAccepted(config.agents().get(random.nextInt(config.agents().size())).id(),
                            c.id() + ".o" + (1 + random.nextInt(3))));
                }
            } else if (dice < 68) {
                ContactView c = pickWhere(open, ContactStatus.ASSIGNED);
                if (c != null) {
                    if (random.nextBoolean()) {
                        Agent to = config.agents().get(random.nextInt(config.agents().size()));
                        desk.transferToAgent(c.ownerAgentId(), c.id(), to.id(), "over to you");
                    } else {
                        Queue to = config.queues().get(random.nextInt(config.queues().size()));
                        desk.transferToQueue(c.ownerAgentId(), c.id(), to.id(), "wrong queue");
                    }
                }
            } else if (dice < 78) {
                ContactView c = pickOwned(open);
                if (c != null) {
                    boolean followUp = random.nextInt(5) == 0;
                    desk.send(new ContactWrappedUp(c.ownerAgentId(), c.id(), "done",
                            followUp ? desk.now().plusSeconds(random.nextInt(3600)) : null, followUp ? "call back" : null));
                }
            } else if (dice < 80 && !open.isEmpty()) {
                ContactView c = pick(open);
                desk.reply(config.agents().get(random.nextInt(config.agents().size())).id(), c.id(), "hello");
            } else if (dice < 82 && lastEventId != null) {
                // A redelivery of an event already applied.
                desk.send(lastEventId, new org.contactrouter.events.PresenceChanged(config.agents().get(0).id(), Presence.AWAY));
            } else if (dice < 84) {
                config = randomConfig("sim-" + step);
                desk.applyConfig(config);
            } else {
                desk.advance(Duration.ofSeconds(random.nextInt(45)));
            }
        }

        private void arrive() {
            Channel ch = CHANNELS[random.nextInt(CHANNELS.length)];
            int customer = random.nextInt(12);
            String text = new String[]{"invoice", "broken", "buy", "hello"}[random.nextInt(4)];
            String conversation = "conv-" + (++conversations);
            lastEventId = "arrival-" + conversations;
            Identity from = ch == Channel.EMAIL ? Identity.email("c" + customer + "@example.com")
                    : ch == Channel.CHAT ? Identity.chatVisitor("visitor-" + customer)
                    : Identity.phone("+491700000" + (100 + customer));
            if (ch == Channel.VOICE) {
                desk.send(lastEventId, new org.contactrouter.events.ContactOpened(ch, conversation,
                        org.contactrouter.events.Customer.of(null, from), "+4930111", null, null, null, Map.of()));
            } else {
                desk.send(lastEventId, new org.contactrouter.events.CustomerMessage(ch, conversation,
                        org.contactrouter.events.Customer.of(null, from), "e", random.nextBoolean() ? "de" : "en",
                        null, text, Map.of()));
            }
            conversationsByContact.put(log.get(log.size() - 1).contactId(), conversation);
            identities.put(conversation, from);
        }

        final Map<String, String> conversationsByContact = new HashMap<>();
        final Map<String, Identity> identities = new HashMap<>();

        private String conversationOf(ContactView c) {
            return conversationsByContact.get(c.id());
        }

        private Identity identityOf(ContactView c) {
            return identities.get(conversationOf(c));
        }

        /** Everyone available, time moves on, offers accepted, contacts wrapped up; who still waits, leaves. */
        void drain() {
            for (int round = 0; round < 60 && !desk.engine.openContacts().isEmpty(); round++) {
                for (Agent a : config.agents()) {
                    desk.presence(a.id(), Presence.AVAILABLE);
                }
                for (ContactView c : desk.engine.openContacts()) {
                    ContactView now = desk.engine.contact(c.id()).orElse(null);
                    if (now == null) {
                        continue;
                    }
                    if (now.status() == ContactStatus.OFFERED) {
                        desk.accept(now.offeredToAgentId(), now.id());
                    } else if (now.status() == ContactStatus.ASSIGNED || now.status() == ContactStatus.ENDED) {
                        desk.wrapUp(now.ownerAgentId(), now.id(), "drained");
                    }
                }
                desk.advance(Duration.ofHours(round < 30 ? 1 : 24));
            }
            for (ContactView c : desk.engine.openContacts()) {
                if (c.originContactId() == null && desk.engine.contact(c.id()).isPresent()) {
                    desk.left(c.channel(), conversationOf(c));
                }
            }
        }

        void assertNoneLost() {
            Map<String, DecisionType> lastOf = new HashMap<>();
            for (RoutingDecision d : log) {
                if (d.contactId() != null && d.type() != DecisionType.REFUSED) {
                    lastOf.put(d.contactId(), d.type());
                }
            }
            List<String> stillOpen = new ArrayList<>();
            for (ContactView c : desk.engine.openContacts()) {
                stillOpen.add(c.id() + " " + c.status() + " reserved for " + c.reservedFor());
            }
            // Only follow-ups of agents removed from the config may remain; none may be waiting in a queue.
            assertThat(desk.engine.openContacts()).allSatisfy(c -> assertThat(c.status())
                    .as("open after drain: %s", stillOpen).isIn(ContactStatus.WAITING, ContactStatus.SCHEDULED));
            for (Map.Entry<String, DecisionType> e : lastOf.entrySet()) {
                if (desk.engine.contact(e.getKey()).isEmpty()) {
                    assertThat(e.getValue()).as("last decision of %s", e.getKey())
                            .isIn(DecisionType.WRAPPED_UP, DecisionType.ABANDONED, DecisionType.FOLLOW_UP_SCHEDULED);
                }
            }
        }

        private ContactView pick(List<ContactView> list) {
            return list.get(random.nextInt(list.size()));
        }

        private ContactView pickWhere(List<ContactView> list, ContactStatus status) {
            List<ContactView> matching = list.stream().filter(c -> c.status() == status).toList();
            return matching.isEmpty() ? null : pick(matching);
        }

        private ContactView pickOwned(List<ContactView> list) {
            List<ContactView> owned = list.stream().filter(c -> c.ownerAgentId() != null).toList();
            return owned.isEmpty() ? null : pick(owned);
        }

        private RoutingConfig randomConfig(String version) {
            TestConfig cfg = TestConfig.create().version(version);
            int agents = 2 + random.nextInt(5);
            for (int i = 0; i < agents; i++) {
                int id = random.nextInt(8);
                int skill = random.nextInt(SKILLS.length);
                int level = 1 + random.nextInt(5);
                boolean german = random.nextBoolean();
                int chats = 1 + random.nextInt(3);
                if (cfg.build().agents().stream().noneMatch(a -> a.id().equals("agent" + id))) {
                    cfg.agent("agent" + id, a -> a.skill(SKILLS[skill], level).capacity(Channel.CHAT, chats)
                            .languages(german ? new String[]{"en", "de"} : new String[]{"en"}));
                }
            }
            int queues = 2 + random.nextInt(2);
            for (int i = 0; i < queues; i++) {
                SelectionStrategy strategy = SelectionStrategy.values()[random.nextInt(4)];
                int skill = random.nextInt(SKILLS.length);
                int level = 1 + random.nextInt(4);
                boolean escalate = random.nextBoolean();
                String overflow = i == 0 ? "q1" : "q0";
                cfg.queue("q" + i, q -> {
                    q.strategy(strategy).skill(SKILLS[skill], level).target(Channel.CHAT, Duration.ofSeconds(60))
                            .priority(random.nextInt(3));
                    if (escalate) {
                        q.escalate(new EscalationStep(null, 50, Map.of(SKILLS[skill], 1), true, null, 2));
                        q.escalate(new EscalationStep(Duration.ofSeconds(90), 0, Map.of(), false, overflow, 0));
                    }
                });
            }
            cfg.rule("invoices", "q0", r -> r.keywords("invoice"));
            cfg.rule("broken", "q1", r -> r.keywords("broken"));
            cfg.rule("rest", "q" + random.nextInt(queues), r -> { });
            return cfg.build();
        }
    }

    /**
     * Checks the decision stream by itself, as the ledger sees it: a contact is offered to one agent at a time, owned
     * by at most one, offers are answered once, and decision ids never repeat.
     */
    static final class StreamCheck {
        final Set<String> ids = new HashSet<>();
        final Map<String, String> owner = new HashMap<>();
        final Map<String, String> openOffer = new HashMap<>();

        void accept(List<RoutingDecision> decisions) {
            for (RoutingDecision d : decisions) {
                assertThat(ids.add(d.id())).as("decision id %s repeated", d.id()).isTrue();
                String c = d.contactId();
                switch (d.type()) {
                    case OFFERED -> {
                        assertThat(openOffer).as("%s offered while an offer is open", c).doesNotContainKey(c);
                        assertThat(owner).as("%s offered while owned", c).doesNotContainKey(c);
                        openOffer.put(c, d.offerId());
                    }
                    case ASSIGNED -> {
                        assertThat(openOffer.remove(c)).as("%s assigned without its offer", c).isEqualTo(d.offerId());
                        assertThat(owner.put(c, d.agentId())).as("%s got a second owner", c).isNull();
                    }
                    case OFFER_REJECTED, OFFER_TIMED_OUT, OFFER_WITHDRAWN ->
                            assertThat(openOffer.remove(c)).as("%s answered an offer not open", c).isEqualTo(d.offerId());
                    case ABANDONED -> {
                        openOffer.remove(c);
                        assertThat(owner).doesNotContainKey(c);
                    }
                    case TRANSFERRED, WRAPPED_UP -> assertThat(owner.remove(c)).as("%s released by a non-owner", c)
                            .isEqualTo(d.type() == DecisionType.TRANSFERRED ? d.previousAgentId() : d.agentId());
                    default -> {
                    }
                }
            }
        }
    }
}
