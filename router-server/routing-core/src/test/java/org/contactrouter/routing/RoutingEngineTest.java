package org.contactrouter.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.contactrouter.routing.DecisionType.ABANDONED;
import static org.contactrouter.routing.DecisionType.AFTER_HOURS;
import static org.contactrouter.routing.DecisionType.ASSIGNED;
import static org.contactrouter.routing.DecisionType.ENDED;
import static org.contactrouter.routing.DecisionType.ESCALATED;
import static org.contactrouter.routing.DecisionType.FOLLOW_UP_DUE;
import static org.contactrouter.routing.DecisionType.FOLLOW_UP_SCHEDULED;
import static org.contactrouter.routing.DecisionType.MESSAGE_TO_OWNER;
import static org.contactrouter.routing.DecisionType.OFFERED;
import static org.contactrouter.routing.DecisionType.OFFER_REJECTED;
import static org.contactrouter.routing.DecisionType.OFFER_TIMED_OUT;
import static org.contactrouter.routing.DecisionType.PRESENCE_CHANGED;
import static org.contactrouter.routing.DecisionType.QUEUED;
import static org.contactrouter.routing.DecisionType.REFUSED;
import static org.contactrouter.routing.DecisionType.SLA_BREACHED;
import static org.contactrouter.routing.DecisionType.TRANSFERRED;
import static org.contactrouter.routing.DecisionType.WRAPPED_UP;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.contactrouter.events.Channel;
import org.contactrouter.events.ContactEvent;
import org.contactrouter.events.Customer;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.Identity;
import org.contactrouter.events.Presence;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RoutingEngineTest {

    /** Two billing agents and one tech agent; one queue per skill and a catch-all. */
    static TestConfig shop() {
        return TestConfig.create()
                .agent("ann", a -> a.skill("billing", 5).languages("en", "de"))
                .agent("bob", a -> a.skill("billing", 2))
                .agent("tia", a -> a.skill("tech", 4))
                .queue("billing", q -> q.skill("billing", 2).target(Channel.CHAT, Duration.ofSeconds(60)))
                .queue("tech", q -> q.skill("tech", 1))
                .queue("general", q -> { })
                .rule("invoices", "billing", r -> r.keywords("invoice", "refund"))
                .rule("broken", "tech", r -> r.keywords("broken"))
                .rule("rest", "general", r -> { });
    }

    static List<DecisionType> types(List<RoutingDecision> ds) {
        return ds.stream().map(RoutingDecision::type).toList();
    }

    @Nested
    class Assignment {

        @Test
        void offersNewContactToTheLongestIdleAgentWithTheSkills() {
            Desk desk = new Desk(shop().build());
            desk.available("ann");
            desk.advance(Duration.ofSeconds(5));
            desk.available("bob", "tia");
            List<RoutingDecision> ds = desk.chat("v1", "my invoice is wrong");
            assertThat(types(ds)).containsExactly(QUEUED, OFFERED);
            RoutingDecision offer = ds.get(1);
            assertThat(offer.agentId()).isEqualTo("ann");
            assertThat(offer.queueId()).isEqualTo("billing");
            assertThat(offer.ruleId()).isEqualTo("invoices");
            assertThat(offer.explanation().strategy()).isEqualTo(SelectionStrategy.LONGEST_IDLE);
            assertThat(offer.explanation().availableAgents()).isEqualTo(2);
            assertThat(offer.explanation().candidates()).extracting(Explanation.Candidate::agentId).containsExactly("ann");
            assertThat(offer.dueAt()).isEqualTo(desk.now().plusSeconds(20));
        }

        @Test
        void theFirstDecisionOfAContactSaysWhoTheCustomerIsAndWhatTheyWrote() {
            Desk desk = new Desk(shop().build());
            Customer kim = new Customer("Kim Lee", List.of(Identity.email("kim@example.com")));
            RoutingDecision queued = desk.send(new CustomerMessage(Channel.EMAIL, "thread-1", kim, "support@shop.example",
                    "en", "Refund for order 7", "Hello, I was charged twice.", Map.of())).get(0);
            assertThat(queued.type()).isEqualTo(QUEUED);
            assertThat(queued.customer()).isEqualTo(kim);
            assertThat(queued.subject()).isEqualTo("Refund for order 7");
            assertThat(queued.text()).isEqualTo("Hello, I was charged twice.");
        }

        @Test
        void acceptedOfferMakesTheAgentTheOwner() {
            Desk desk = new Desk(shop().build());
            desk.available("tia");
            String c = desk.chat("v1", "router broken").get(0).contactId();
            List<RoutingDecision> ds = desk.accept("tia", c);
            assertThat(types(ds)).containsExactly(ASSIGNED);
            assertThat(ds.get(0).agentName()).isEqualTo("Tia");
            assertThat(desk.engine.contact(c).orElseThrow().ownerAgentId()).isEqualTo("tia");
        }

        @Test
        void contactWaitsUntilAnAgentWhoCanTakeItBecomesAvailable() {
            Desk desk = new Desk(shop().build());
            desk.available("tia");
            List<RoutingDecision> ds = desk.chat("v1", "refund please");
            assertThat(types(ds)).containsExactly(QUEUED);
            assertThat(ds.get(0).estimatedWait()).isNull();
            List<RoutingDecision> later = desk.available("bob");
            assertThat(types(later)).containsExactly(PRESENCE_CHANGED, OFFERED);
            assertThat(later.get(1).agentId()).isEqualTo("bob");
            assertThat(later.get(1).contactId()).isEqualTo(ds.get(0).contactId());
        }

        @Test
        void agentIsNotOfferedMoreThanTheirCapacityPerChannel() {
            Desk desk = new Desk(shop().build());
            desk.available("tia");
            desk.chat("v1", "broken");
            desk.chat("v2", "broken");
            List<RoutingDecision> third = desk.chat("v3", "broken");
            assertThat(types(third)).containsExactly(QUEUED);
            assertThat(desk.engine.agent("tia").orElseThrow().load()).containsEntry(Channel.CHAT, 2);
        }

        @Test
        void aCallIsExclusive_nothingElseIsOfferedDuringIt() {
            Desk desk = new Desk(TestConfig.create().agent("ann", a -> { }).queue("q", q -> { }).build());
            desk.available("ann");
            String call = desk.call("CA1", "+4917000000001").get(1).contactId();
            desk.accept("ann", call);
            assertThat(types(desk.chat("v1", "hi"))).containsExactly(QUEUED);
            desk.left(Channel.VOICE, "CA1");
            List<RoutingDecision> ds = desk.wrapUp("ann", call, "solved");
            assertThat(types(ds)).containsExactly(WRAPPED_UP, OFFERED);
        }

        @Test
        void messageOnAnOpenConversationGoesToItsOwnerAndIsNeverReRouted() {
            Desk desk = new Desk(shop().build());
            desk.available("ann", "bob");
            String c = desk.chat("v1", "invoice question").get(0).contactId();
            desk.accept("ann", c);
            desk.presence("ann", Presence.AWAY);
            List<RoutingDecision> ds = desk.chat("v1", "are you there?");
            assertThat(types(ds)).containsExactly(MESSAGE_TO_OWNER);
            assertThat(ds.get(0).contactId()).isEqualTo(c);
            assertThat(ds.get(0).agentId()).isEqualTo("ann");
            assertThat(ds.get(0).text()).isEqualTo("are you there?");
        }

        @Test
        void messagesOfOneSmsThreadStayOneContact() {
            Desk desk = new Desk(shop().build());
            desk.available("bob");
            String c = desk.sms("+4917000000001", "refund?").get(0).contactId();
            desk.accept("bob", c);
            assertThat(desk.sms("+4917000000001", "order 123").get(0).contactId()).isEqualTo(c);
        }
    }

    @Nested
    class Affinity {

        @Test
        void returningCustomerIsOfferedFirstToTheAgentTheyHadLast() {
            Desk desk = new Desk(shop().build());
            desk.available("ann", "bob");
            String first = desk.chat("v1", "invoice").get(0).contactId();
            assertThat(desk.last(OFFERED).agentId()).isEqualTo("ann");
            desk.reject("ann", first);
            desk.accept("bob", first);
            desk.wrapUp("bob", first, "solved");
            desk.advance(Duration.ofHours(2));
            // Ann has been idle longest, but the customer had Bob.
            List<RoutingDecision> ds = desk.chat("v1", "invoice again");
            assertThat(ds.get(1).agentId()).isEqualTo("bob");
            assertThat(ds.get(1).explanation().reason()).contains("handled this customer last");
        }

        @Test
        void returningCustomerWaitsForTheirAgentThenTheTargetWidensToTheQueue() {
            Desk desk = new Desk(shop().build());
            desk.available("ann");
            String first = desk.chat("v1", "invoice").get(0).contactId();
            desk.accept("ann", first);
            desk.wrapUp("ann", first, "solved");
            desk.chat("v2", "invoice");
            desk.accept("ann", desk.lastContact(OFFERED));
            desk.chat("v3", "invoice");
            desk.accept("ann", desk.lastContact(OFFERED));
            desk.available("bob");
            // Ann is at capacity (2 chats); v1 returns and waits for her, though Bob is free.
            List<RoutingDecision> ds = desk.chat("v1", "invoice again");
            assertThat(types(ds)).containsExactly(QUEUED);
            assertThat(desk.engine.contact(ds.get(0).contactId()).orElseThrow().reservedFor()).isEqualTo("ann");
            List<RoutingDecision> widened = desk.advance(Duration.ofSeconds(20));
            assertThat(types(widened)).containsExactly(ESCALATED, OFFERED);
            assertThat(widened.get(1).agentId()).isEqualTo("bob");
        }

        @Test
        void returningCustomerGetsTheirAgentBackWhenTheyFreeUpWithinTheWindow() {
            Desk desk = new Desk(shop().build());
            desk.available("ann");
            String first = desk.chat("v1", "invoice").get(0).contactId();
            desk.accept("ann", first);
            desk.wrapUp("ann", first, "solved");
            String c2 = desk.chat("v2", "invoice").get(1).contactId();
            desk.accept("ann", c2);
            desk.accept("ann", desk.chat("v3", "invoice").get(1).contactId());
            desk.available("bob");
            String back = desk.chat("v1", "invoice again").get(0).contactId();
            desk.advance(Duration.ofSeconds(5));
            List<RoutingDecision> ds = desk.wrapUp("ann", c2, "solved");
            assertThat(types(ds)).containsExactly(WRAPPED_UP, OFFERED);
            assertThat(ds.get(1).contactId()).isEqualTo(back);
            assertThat(ds.get(1).agentId()).isEqualTo("ann");
        }

        @Test
        void configuredPreferredAgentIsOfferedFirst() {
            Desk desk = new Desk(shop().customer("Jane", "gold", "bob", "+4917000000009", "jane@example.com").build());
            desk.available("ann", "bob");
            List<RoutingDecision> ds = desk.inbound(Channel.EMAIL, "thread-1", Identity.email("Jane@Example.com"),
                    null, "Invoice", "hello", Map.of());
            assertThat(ds.get(1).agentId()).isEqualTo("bob");
            assertThat(ds.get(0).customerKey()).isEqualTo("tel:+4917000000009");
        }

        @Test
        void identitiesGivenTogetherBelongToOneCustomer() {
            Desk desk = new Desk(shop().build());
            desk.available("ann");
            List<RoutingDecision> chat = desk.send(new CustomerMessage(Channel.CHAT, "v9",
                    new Customer("Kim", List.of(Identity.chatVisitor("v9"), Identity.email("kim@example.com"))),
                    "widget", null, null, "invoice", Map.of()));
            List<RoutingDecision> mail = desk.inbound(Channel.EMAIL, "t-9", Identity.email("KIM@example.com"), null,
                    "Invoice", "hi", Map.of());
            assertThat(mail.get(0).customerKey()).isEqualTo(chat.get(0).customerKey()).isEqualTo("chat:v9");
        }
    }

    @Nested
    class Offers {

        @Test
        void rejectedOfferMovesToTheNextAgentAndNotBackInTheSameCycle() {
            Desk desk = new Desk(shop().build());
            desk.available("ann", "bob");
            String c = desk.chat("v1", "invoice").get(0).contactId();
            List<RoutingDecision> ds = desk.reject("ann", c);
            assertThat(types(ds)).containsExactly(OFFER_REJECTED, OFFERED);
            assertThat(ds.get(1).agentId()).isEqualTo("bob");
            assertThat(ds.get(1).explanation().candidates()).extracting(Explanation.Candidate::verdict)
                    .containsExactly("declined or missed it in this cycle", "chosen");
            List<RoutingDecision> again = desk.reject("bob", c);
            assertThat(types(again)).containsExactly(OFFER_REJECTED);
            assertThat(desk.engine.contact(c).orElseThrow().status()).isEqualTo(ContactStatus.WAITING);
            // After the retry delay a new cycle starts.
            List<RoutingDecision> retried = desk.advance(Duration.ofSeconds(30));
            assertThat(types(retried)).containsExactly(OFFERED);
        }

        @Test
        void aReOfferIsNotATransfer() {
            Desk desk = new Desk(shop().build());
            desk.available("ann", "bob");
            String c = desk.chat("v1", "invoice").get(0).contactId();
            desk.reject("ann", c);
            desk.accept("bob", c);
            assertThat(desk.engine.contact(c).orElseThrow().transfers()).isZero();
            assertThat(desk.last(ASSIGNED).previousAgentId()).isNull();
        }

        @Test
        void offerTimeoutMovesTheContactOnAndSetsTheMissingAgentAway() {
            Desk desk = new Desk(shop().build());
            desk.available("ann", "bob");
            String c = desk.chat("v1", "invoice").get(0).contactId();
            List<RoutingDecision> ds = desk.advance(Duration.ofSeconds(20));
            assertThat(types(ds)).containsExactly(OFFER_TIMED_OUT, PRESENCE_CHANGED, OFFERED);
            assertThat(desk.engine.agent("ann").orElseThrow().presence()).isEqualTo(Presence.AWAY);
            assertThat(ds.get(2).agentId()).isEqualTo("bob");
            assertThat(ds.get(2).contactId()).isEqualTo(c);
        }

        @Test
        void acceptingAnExpiredOfferIsRefusedAndCounted() {
            Desk desk = new Desk(shop().build());
            desk.available("ann", "bob");
            String c = desk.chat("v1", "invoice").get(0).contactId();
            String offer = desk.openOffer("ann", c);
            desk.advance(Duration.ofSeconds(21));
            List<RoutingDecision> ds = desk.send(new org.contactrouter.events.OfferAccepted("ann", offer));
            assertThat(types(ds)).containsExactly(REFUSED);
            assertThat(ds.get(0).reason()).isEqualTo(RefusalReason.OFFER_NOT_OPEN);
            assertThat(ds.get(0).contactId()).isEqualTo(c);
            assertThat(desk.engine.contact(c).orElseThrow().offeredToAgentId()).isEqualTo("bob");
            assertThat(desk.engine.refusals()).containsEntry(RefusalReason.OFFER_NOT_OPEN, 1L);
        }

        @Test
        void anotherAgentCannotAcceptSomeoneElsesOffer() {
            Desk desk = new Desk(shop().build());
            desk.available("ann", "bob");
            String c = desk.chat("v1", "invoice").get(0).contactId();
            List<RoutingDecision> ds = desk.send(new org.contactrouter.events.OfferAccepted("bob", desk.openOffer("ann", c)));
            assertThat(ds.get(0).reason()).isEqualTo(RefusalReason.OFFER_NOT_OPEN);
            assertThat(desk.engine.contact(c).orElseThrow().ownerAgentId()).isNull();
        }

        @Test
        void signingOffWithdrawsOpenOffers() {
            Desk desk = new Desk(shop().build());
            desk.available("ann", "bob");
            String c = desk.chat("v1", "invoice").get(0).contactId();
            List<RoutingDecision> ds = desk.presence("ann", Presence.OFFLINE);
            assertThat(types(ds)).containsExactly(PRESENCE_CHANGED, DecisionType.OFFER_WITHDRAWN, OFFERED);
            assertThat(ds.get(2).agentId()).isEqualTo("bob");
            assertThat(ds.get(2).contactId()).isEqualTo(c);
        }
    }

    @Nested
    class PriorityAndEscalation {

        @Test
        void priorityAgesWithWaitingTime() {
            Desk desk = new Desk(TestConfig.create().agent("ann", a -> a.capacity(Channel.CHAT, 1))
                    .queue("low", q -> q.priority(0).aging(1)).queue("high", q -> q.priority(5).aging(1))
                    .rule("vip", "high", r -> r.keywords("vip")).rule("rest", "low", r -> { }).build());
            String old = desk.chat("v1", "hello").get(0).contactId();
            desk.advance(Duration.ofMinutes(6));
            String vip = desk.chat("v2", "vip here").get(0).contactId();
            // After 6 minutes the old contact has priority 6 > 5.
            assertThat(desk.available("ann").get(1).contactId()).isEqualTo(old);
            desk.accept("ann", old);
            desk.wrapUp("ann", old, "done");
            assertThat(desk.last(OFFERED).contactId()).isEqualTo(vip);
        }

        @Test
        void higherPriorityGoesFirstWhenWaitsAreEqual() {
            Desk desk = new Desk(TestConfig.create().agent("ann", a -> a.capacity(Channel.CHAT, 1))
                    .queue("low", q -> q.priority(0)).queue("high", q -> q.priority(5))
                    .rule("vip", "high", r -> r.keywords("vip")).rule("rest", "low", r -> { }).build());
            desk.chat("v1", "hello");
            String vip = desk.chat("v2", "vip").get(0).contactId();
            assertThat(desk.available("ann").get(1).contactId()).isEqualTo(vip);
        }

        @Test
        void escalationWidensTheSkillsWhenTheResponseTargetComesNear() {
            Desk desk = new Desk(TestConfig.create()
                    .agent("ann", a -> a.skill("billing", 5)).agent("bob", a -> a.skill("billing", 1))
                    .queue("billing", q -> q.skill("billing", 4).target(Channel.CHAT, Duration.ofSeconds(60))
                            .escalate(new EscalationStep(null, 50, Map.of("billing", 1), false, null, 0)))
                    .rule("all", "billing", r -> { }).build());
            desk.available("bob");
            String c = desk.chat("v1", "hi").get(0).contactId();
            assertThat(desk.advance(Duration.ofSeconds(29))).isEmpty();
            List<RoutingDecision> ds = desk.advance(Duration.ofSeconds(1));
            assertThat(types(ds)).containsExactly(ESCALATED, OFFERED);
            assertThat(ds.get(0).text()).contains("skills {billing=1}");
            assertThat(ds.get(1).agentId()).isEqualTo("bob");
            assertThat(ds.get(1).contactId()).isEqualTo(c);
        }

        @Test
        void escalationOverflowsToAnotherQueueAndRaisesPriority() {
            Desk desk = new Desk(TestConfig.create()
                    .agent("ann", a -> a.skill("billing", 5)).agent("gus", a -> { })
                    .queue("billing", q -> q.skill("billing", 4).target(Channel.CHAT, Duration.ofSeconds(60))
                            .escalate(new EscalationStep(Duration.ofSeconds(45), 0, Map.of(), false, "general", 3)))
                    .queue("general", q -> { })
                    .rule("all", "billing", r -> { }).build());
            desk.available("gus");
            desk.chat("v1", "hi");
            List<RoutingDecision> ds = desk.advance(Duration.ofSeconds(45));
            assertThat(types(ds)).containsExactly(ESCALATED, OFFERED);
            assertThat(ds.get(0).queueId()).isEqualTo("general");
            assertThat(ds.get(0).priority()).isEqualTo(3);
            assertThat(ds.get(1).agentId()).isEqualTo("gus");
        }

        @Test
        void missedResponseTargetIsRecorded() {
            Desk desk = new Desk(shop().build());
            String c = desk.chat("v1", "invoice").get(0).contactId();
            List<RoutingDecision> ds = desk.advance(Duration.ofSeconds(60));
            assertThat(types(ds)).containsExactly(SLA_BREACHED);
            assertThat(ds.get(0).contactId()).isEqualTo(c);
            assertThat(ds.get(0).text()).isEqualTo("waited 60s, target 60s");
        }

        @Test
        void anAnsweredContactDoesNotBreachItsTarget() {
            Desk desk = new Desk(shop().build());
            desk.available("ann");
            desk.accept("ann", desk.chat("v1", "invoice").get(0).contactId());
            assertThat(types(desk.advance(Duration.ofMinutes(2)))).doesNotContain(SLA_BREACHED);
        }
    }

    @Nested
    class BusinessHoursAndFollowUps {

        static TestConfig withHours() {
            return TestConfig.create().agent("ann", a -> { }).hours(TestConfig.officeHours())
                    .queue("office", q -> q.hours("office"));
        }

        @Test
        void outsideBusinessHoursTheCustomerIsToldWhenTheyWillHearBack() {
            Instant fridayEvening = Instant.parse("2026-11-27T18:30:00Z");
            Desk desk = new Desk(withHours().build(), fridayEvening);
            desk.available("ann");
            List<RoutingDecision> ds = desk.chat("v1", "office question");
            assertThat(types(ds)).containsExactly(AFTER_HOURS);
            assertThat(ds.get(0).dueAt()).isEqualTo(Instant.parse("2026-11-30T08:00:00Z"));
            ContactView c = desk.engine.contact(ds.get(0).contactId()).orElseThrow();
            assertThat(c.status()).isEqualTo(ContactStatus.SCHEDULED);
            List<RoutingDecision> monday = desk.advance(Duration.between(fridayEvening, ds.get(0).dueAt()));
            assertThat(types(monday)).containsExactly(QUEUED, OFFERED);
        }

        @Test
        void followUpScheduledAtWrapUpGoesBackToTheSameAgentWhenDue() {
            Desk desk = new Desk(shop().build());
            desk.available("ann", "bob");
            String c = desk.chat("v1", "invoice").get(0).contactId();
            desk.accept("ann", c);
            Instant due = desk.now().plus(Duration.ofHours(3));
            List<RoutingDecision> ds = desk.wrapUp("ann", c, "waiting for bank", due, "check the refund arrived");
            assertThat(types(ds)).containsExactly(WRAPPED_UP, FOLLOW_UP_SCHEDULED);
            String followUp = ds.get(1).contactId();
            assertThat(followUp).isEqualTo(c + ".f1");
            desk.advance(Duration.ofHours(1));
            // Bob is idle longer, but the follow-up is Ann's.
            desk.presence("ann", Presence.AWAY);
            List<RoutingDecision> atDue = desk.advance(Duration.ofHours(2));
            assertThat(types(atDue)).containsExactly(FOLLOW_UP_DUE);
            assertThat(desk.engine.contact(followUp).orElseThrow().reservedFor()).isEqualTo("ann");
            List<RoutingDecision> back = desk.available("ann");
            assertThat(back.get(1).contactId()).isEqualTo(followUp);
            assertThat(back.get(1).agentId()).isEqualTo("ann");
        }
    }

    @Nested
    class Transfers {

        @Test
        void transferToAnAgentCarriesTheNoteAndTellsWhoTakesOver() {
            Desk desk = new Desk(shop().build());
            desk.available("bob");
            String c = desk.chat("v1", "invoice").get(0).contactId();
            desk.accept("bob", c);
            desk.note("bob", c, "customer is upset about fees");
            desk.available("ann");
            List<RoutingDecision> ds = desk.transferToAgent("bob", c, "ann", "needs a refund approval");
            assertThat(types(ds)).containsExactly(TRANSFERRED, OFFERED);
            assertThat(ds.get(0).previousAgentId()).isEqualTo("bob");
            assertThat(ds.get(0).agentId()).isEqualTo("ann");
            assertThat(ds.get(1).text()).isEqualTo("needs a refund approval");
            RoutingDecision assigned = desk.accept("ann", c).get(0);
            assertThat(assigned.previousAgentId()).isEqualTo("bob");
            assertThat(assigned.agentName()).isEqualTo("Ann");
            assertThat(desk.engine.contact(c).orElseThrow().notes())
                    .containsExactly("customer is upset about fees", "needs a refund approval");
        }

        @Test
        void transfersArePerContactLimited() {
            Desk desk = new Desk(shop().build());
            desk.available("ann", "bob");
            String c = desk.chat("v1", "invoice").get(0).contactId();
            desk.accept("ann", c);
            desk.transferToAgent("ann", c, "bob", "over to you");
            desk.accept("bob", c);
            List<RoutingDecision> ds = desk.transferToAgent("bob", c, "ann", "back to you");
            assertThat(ds.get(0).reason()).isEqualTo(RefusalReason.TRANSFER_LIMIT);
            assertThat(ds.get(0).text()).isEqualTo("contact " + c + " was transferred 1 time(s) already; the limit is 1");
            assertThat(desk.engine.contact(c).orElseThrow().ownerAgentId()).isEqualTo("bob");
        }

        @Test
        void transferToAnUnavailableAgentIsRefusedAndTheContactStays() {
            Desk desk = new Desk(shop().build());
            desk.available("bob");
            String c = desk.chat("v1", "invoice").get(0).contactId();
            desk.accept("bob", c);
            List<RoutingDecision> ds = desk.transferToAgent("bob", c, "ann", "please take");
            assertThat(ds.get(0).reason()).isEqualTo(RefusalReason.TRANSFER_TARGET_UNAVAILABLE);
            assertThat(ds.get(0).text()).isEqualTo("Ann is offline");
            assertThat(desk.engine.contact(c).orElseThrow().ownerAgentId()).isEqualTo("bob");
        }

        @Test
        void transferToAQueueRoutesAgainWithoutTheTransferringAgent() {
            Desk desk = new Desk(shop().build());
            desk.available("ann", "tia");
            String c = desk.chat("v1", "invoice").get(0).contactId();
            desk.accept("ann", c);
            List<RoutingDecision> ds = desk.transferToQueue("ann", c, "tech", "modem issue, not billing");
            assertThat(types(ds)).containsExactly(TRANSFERRED, QUEUED, OFFERED);
            assertThat(ds.get(2).agentId()).isEqualTo("tia");
            assertThat(ds.get(2).queueId()).isEqualTo("tech");
        }

        @Test
        void onlyTheOwnerMayActOnAContact() {
            Desk desk = new Desk(shop().build());
            desk.available("ann", "bob");
            String c = desk.chat("v1", "invoice").get(0).contactId();
            desk.accept("ann", c);
            assertThat(desk.reply("bob", c, "hi").get(0).reason()).isEqualTo(RefusalReason.NOT_OWNER);
            assertThat(desk.wrapUp("bob", c, "x").get(0).reason()).isEqualTo(RefusalReason.NOT_OWNER);
        }
    }

    @Nested
    class EndOfContact {

        @Test
        void customerWhoLeavesBeforeAnAgentTakesTheContactHasAbandonedIt() {
            Desk desk = new Desk(shop().build());
            String c = desk.chat("v1", "invoice").get(0).contactId();
            List<RoutingDecision> ds = desk.left(Channel.CHAT, "v1");
            assertThat(types(ds)).containsExactly(ABANDONED);
            assertThat(desk.engine.contact(c)).isEmpty();
        }

        @Test
        void customerWhoLeavesAnAssignedContactLeavesItToTheAgentsWrapUp() {
            Desk desk = new Desk(shop().build());
            desk.available("ann");
            String c = desk.chat("v1", "invoice").get(0).contactId();
            desk.accept("ann", c);
            assertThat(types(desk.left(Channel.CHAT, "v1"))).containsExactly(ENDED);
            assertThat(desk.engine.agent("ann").orElseThrow().load()).containsEntry(Channel.CHAT, 1);
            List<RoutingDecision> ds = desk.advance(Duration.ofMinutes(5));
            assertThat(types(ds)).containsExactly(WRAPPED_UP);
            assertThat(ds.get(0).text()).isEqualTo("auto-wrap-up");
            assertThat(desk.engine.agent("ann").orElseThrow().load()).isEmpty();
        }

        @Test
        void replyingToAClosedContactIsRefusedWithAClearReason() {
            Desk desk = new Desk(shop().build());
            desk.available("ann");
            String c = desk.chat("v1", "invoice").get(0).contactId();
            desk.accept("ann", c);
            desk.wrapUp("ann", c, "solved");
            RoutingDecision d = desk.reply("ann", c, "one more thing").get(0);
            assertThat(d.reason()).isEqualTo(RefusalReason.CONTACT_CLOSED);
            assertThat(d.text()).isEqualTo("contact " + c + " is already closed");
        }
    }

    @Nested
    class Records {

        @Test
        void everyDecisionRecordsTimeConfigVersionAndADeterministicId() {
            Desk desk = new Desk(shop().version("v42").build());
            desk.available("ann");
            desk.advance(Duration.ofSeconds(3));
            List<RoutingDecision> ds = desk.chat("v1", "invoice");
            String c = ds.get(0).contactId();
            assertThat(ds).allSatisfy(d -> {
                assertThat(d.decidedAt()).isEqualTo(desk.now());
                assertThat(d.configVersion()).isEqualTo("v42");
                assertThat(d.causeEventId()).isEqualTo("e-2");
            });
            assertThat(ds).extracting(RoutingDecision::id).containsExactly(c + "/1", c + "/2");
            assertThat(c).matches("c-[0-9a-z]+");
        }

        @Test
        void redeliveredEventIsRecognisedAsADuplicate() {
            Desk desk = new Desk(shop().build());
            CustomerMessage sms = new CustomerMessage(Channel.SMS, "+4917000000001>+4930111",
                    Customer.of(null, Identity.phone("+4917000000001")), "+4930111", null, null, "refund", Map.of());
            List<RoutingDecision> first = desk.send("twilio:SM1", sms);
            List<RoutingDecision> again = desk.send("twilio:SM1", sms);
            assertThat(types(again)).containsExactly(REFUSED);
            assertThat(again.get(0).reason()).isEqualTo(RefusalReason.DUPLICATE_EVENT);
            assertThat(again.get(0).contactId()).isEqualTo(first.get(0).contactId());
            assertThat(desk.engine.openContacts()).hasSize(1);
        }

        @Test
        void estimatedWaitGrowsWithTheQueueAndShrinksWithStaff() {
            Desk desk = new Desk(TestConfig.create().agent("ann", a -> a.capacity(Channel.EMAIL, 1))
                    .agent("bob", a -> a.capacity(Channel.EMAIL, 1)).queue("mail", q -> { }).build());
            desk.available("ann");
            desk.inbound(Channel.EMAIL, "t1", Identity.email("a@x.io"), null, "s", "b", Map.of());
            RoutingDecision second = desk.inbound(Channel.EMAIL, "t2", Identity.email("b@x.io"), null, "s", "b", Map.of()).get(0);
            RoutingDecision third = desk.inbound(Channel.EMAIL, "t3", Identity.email("c@x.io"), null, "s", "b", Map.of()).get(0);
            assertThat(second.estimatedWait()).isEqualTo(Duration.ofMinutes(5));
            assertThat(third.estimatedWait()).isEqualTo(Duration.ofMinutes(10));
            assertThat(desk.engine.estimatedWait("mail", Channel.EMAIL)).contains(Duration.ofMinutes(15));
            // Bob signs in (away): he staffs the queue, so the estimate halves though he takes nothing yet.
            desk.presence("bob", Presence.AWAY);
            assertThat(desk.engine.estimatedWait("mail", Channel.EMAIL)).contains(Duration.ofSeconds(450));
        }

        @Test
        void sameEventsGiveTheSameDecisions() {
            List<RoutingDecision> a = scriptedDay();
            List<RoutingDecision> b = scriptedDay();
            assertThat(a).isEqualTo(b);
        }

        private List<RoutingDecision> scriptedDay() {
            Desk desk = new Desk(shop().build());
            desk.available("ann", "bob", "tia");
            for (int i = 0; i < 20; i++) {
                desk.chat("v" + i, i % 3 == 0 ? "invoice" : i % 3 == 1 ? "broken" : "hello");
                desk.advance(Duration.ofSeconds(7));
            }
            desk.advance(Duration.ofMinutes(10));
            return desk.log;
        }
    }

    @Nested
    class Rules {

        @Test
        void firstMatchingRuleWins() {
            Desk desk = new Desk(shop().build());
            RoutingDecision d = desk.chat("v1", "my invoice and my modem is broken").get(0);
            assertThat(d.ruleId()).isEqualTo("invoices");
            assertThat(d.queueId()).isEqualTo("billing");
        }

        @Test
        void keywordsMatchWholeWordsInSubjectOrText() {
            Desk desk = new Desk(shop().build());
            assertThat(desk.chat("v1", "invoiced").get(0).ruleId()).isEqualTo("rest");
            assertThat(desk.inbound(Channel.EMAIL, "t1", Identity.email("a@b.io"), null, "Refund!", "hi", Map.of())
                    .get(0).ruleId()).isEqualTo("invoices");
        }

        @Test
        void rulesMatchLanguageTierAndEndpointAndAddSkills() {
            Desk desk = new Desk(TestConfig.create()
                    .agent("ann", a -> a.skill("tech", 3).languages("de")).agent("bob", a -> a.skill("tech", 3))
                    .queue("de", q -> { }).queue("vip", q -> { }).queue("general", q -> { })
                    .rule("german", "de", r -> r.languages("de").skill("tech", 2))
                    .rule("gold", "vip", r -> r.tiers("gold").endpoints("endpoint").priority(9))
                    .rule("rest", "general", r -> { }).build());
            desk.available("ann", "bob");
            List<RoutingDecision> german = desk.inbound(Channel.CHAT, "c1", Identity.chatVisitor("c1"), "de-AT",
                    null, "hallo", Map.of());
            assertThat(german.get(0).ruleId()).isEqualTo("german");
            assertThat(german.get(1).agentId()).isEqualTo("ann");
            List<RoutingDecision> gold = desk.inbound(Channel.CHAT, "c2", Identity.chatVisitor("c2"), null, null,
                    "hi", Map.of("tier", "gold"));
            assertThat(gold.get(0).ruleId()).isEqualTo("gold");
            assertThat(gold.get(0).priority()).isEqualTo(9);
        }
    }

    @Nested
    class Strategies {

        TestConfig pair(SelectionStrategy s) {
            return TestConfig.create().agent("ann", a -> a.skill("x", 2).capacity(Channel.CHAT, 3))
                    .agent("bob", a -> a.skill("x", 5).capacity(Channel.CHAT, 3))
                    .queue("q", q -> q.skill("x", 1).strategy(s));
        }

        @Test
        void leastOccupiedPicksTheAgentWithTheLowestLoad() {
            Desk desk = new Desk(pair(SelectionStrategy.LEAST_OCCUPIED).build());
            desk.available("ann", "bob");
            assertThat(desk.chat("v1", "a").get(1).agentId()).isEqualTo("ann");
            assertThat(desk.chat("v2", "a").get(1).agentId()).isEqualTo("bob");
            assertThat(desk.chat("v3", "a").get(1).agentId()).isEqualTo("ann");
        }

        @Test
        void bestSkillMatchPicksTheMostSkilledAgent() {
            Desk desk = new Desk(pair(SelectionStrategy.BEST_SKILL_MATCH).build());
            desk.available("bob", "ann");
            assertThat(desk.chat("v1", "a").get(1).agentId()).isEqualTo("bob");
            assertThat(desk.chat("v2", "a").get(1).agentId()).isEqualTo("bob");
        }

        @Test
        void roundRobinTakesTurns() {
            Desk desk = new Desk(pair(SelectionStrategy.ROUND_ROBIN).build());
            desk.available("ann", "bob");
            assertThat(List.of(desk.chat("v1", "a").get(1).agentId(), desk.chat("v2", "a").get(1).agentId(),
                    desk.chat("v3", "a").get(1).agentId())).containsExactly("ann", "bob", "ann");
        }
    }

    @Nested
    class Reconfiguration {

        @Test
        void newConfigPlacesWaitingContactsAgainAndLosesNone() {
            Desk desk = new Desk(shop().build());
            String c = desk.chat("v1", "invoice").get(0).contactId();
            RoutingConfig next = shop().version("test-2").agent("zoe", a -> a.skill("billing", 3)).build();
            desk.presence("ann", Presence.AWAY);
            List<RoutingDecision> ds = desk.applyConfig(next);
            assertThat(types(ds)).containsExactly(DecisionType.CONFIG_APPLIED);
            List<RoutingDecision> zoe = desk.available("zoe");
            assertThat(zoe.get(1).contactId()).isEqualTo(c);
            assertThat(zoe.get(1).configVersion()).isEqualTo("test-2");
        }

        @Test
        void removedAgentLosesOpenOffersButMayFinishOwnedContacts() {
            Desk desk = new Desk(shop().build());
            desk.available("ann", "bob");
            desk.advance(Duration.ofSeconds(1));
            String owned = desk.chat("v1", "invoice").get(0).contactId();
            desk.accept("ann", owned);
            String offered = desk.chat("v2", "invoice").get(1).contactId();
            assertThat(desk.engine.contact(offered).orElseThrow().offeredToAgentId()).isEqualTo("bob");
            TestConfig without = TestConfig.create().version("test-2")
                    .agent("ann", a -> a.skill("billing", 5)).agent("tia", a -> a.skill("tech", 4))
                    .agent("cy", a -> a.skill("billing", 2))
                    .queue("billing", q -> q.skill("billing", 2)).queue("tech", q -> q.skill("tech", 1))
                    .queue("general", q -> { }).rule("invoices", "billing", r -> r.keywords("invoice"))
                    .rule("rest", "general", r -> { });
            desk.applyConfig(without.build());
            assertThat(desk.engine.contact(offered).orElseThrow().status()).isIn(ContactStatus.OFFERED, ContactStatus.WAITING);
            assertThat(desk.engine.contact(offered).orElseThrow().offeredToAgentId()).isNotEqualTo("bob");
            assertThat(types(desk.wrapUp("ann", owned, "done"))).contains(WRAPPED_UP);
            assertThat(types(desk.presence("bob", Presence.AVAILABLE))).containsExactly(REFUSED);
        }
    }

    @Test
    void unknownAgentIsRefused() {
        Desk desk = new Desk(shop().build());
        RoutingDecision d = desk.presence("nobody", Presence.AVAILABLE).get(0);
        assertThat(d.reason()).isEqualTo(RefusalReason.UNKNOWN_AGENT);
        assertThat(d.text()).isEqualTo("no agent 'nobody' in the config");
    }

    @Test
    void timeNeverGoesBackwards() {
        Desk desk = new Desk(shop().build());
        desk.advance(Duration.ofMinutes(1));
        Instant later = desk.now();
        List<RoutingDecision> ds = desk.engine.decide(ContactEvent.of("x", "/t", Desk.START,
                new org.contactrouter.events.PresenceChanged("ann", Presence.AVAILABLE)), Desk.START);
        assertThat(ds.get(0).decidedAt()).isEqualTo(later);
    }
}
