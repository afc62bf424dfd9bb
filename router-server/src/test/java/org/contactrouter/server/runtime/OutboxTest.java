package org.contactrouter.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.contactrouter.events.Channel;
import org.contactrouter.events.OutboundKind;
import org.contactrouter.events.OutboundMessage;
import org.contactrouter.events.OutboundMessageJson;
import org.contactrouter.routing.Agent;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.Desk;
import org.contactrouter.routing.RoutingConfig;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.routing.TestConfig;
import org.junit.jupiter.api.Test;

/** What the customer is told about the engine's decisions, driven through the real engine. */
class OutboxTest {

    private final RoutingConfig config = TestConfig.create()
            .agent("ann", a -> a.skill("support", 1))
            .agent("bob", a -> a.skill("support", 1))
            .queue("support", q -> q.channels(Channel.SMS, Channel.CHAT, Channel.VOICE).skill("support", 1))
            .queue("mail", q -> q.channels(Channel.EMAIL).skill("support", 1).hours("office"))
            .hours(TestConfig.officeHours())
            .build();

    private List<OutboundMessage> told(Desk desk, List<RoutingDecision> decisions) {
        return decisions.stream().flatMap(d -> Outbox.messagesFor("default", d, desk.engine.config()).stream()).toList();
    }

    @Test
    void aNewContactIsAcknowledgedWithItsExpectedWaitOnItsOwnConversation() {
        Desk desk = new Desk(config);
        List<OutboundMessage> told = told(desk, desk.sms("+4917012345678", "My line is down"));

        assertThat(told).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(OutboundKind.ACKNOWLEDGEMENT);
            assertThat(m.channel()).isEqualTo(Channel.SMS);
            assertThat(m.conversation()).isEqualTo("+4917012345678>+4930111");
            assertThat(m.endpoint()).isEqualTo("+4930111");
            assertThat(m.domain()).isEqualTo("default");
            assertThat(m.id()).isEqualTo(desk.last(DecisionType.QUEUED).id());
            assertThat(m.estimatedWait()).isEqualTo(desk.last(DecisionType.QUEUED).estimatedWait());
            assertThat(m.text()).startsWith("Thank you for contacting us. An agent will answer ");
        });
    }

    @Test
    void theCustomerLearnsTheAgentsNameOnAssignmentAndWhoTakesOverAfterATransfer() {
        Desk desk = new Desk(config);
        desk.available("ann", "bob");
        desk.chat("v1", "Hello");
        String contact = desk.lastContact(DecisionType.QUEUED);
        String first = desk.log.stream().filter(d -> d.type() == DecisionType.OFFERED).findFirst().orElseThrow().agentId();
        String second = first.equals("ann") ? "bob" : "ann";

        List<OutboundMessage> joined = told(desk, desk.accept(first, contact));
        assertThat(joined).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(OutboundKind.AGENT_JOINED);
            assertThat(m.agentId()).isEqualTo(first);
            assertThat(m.text()).isEqualTo(m.agentName() + " is now looking after you.");
        });

        assertThat(told(desk, desk.reply(first, contact, "How can I help?"))).singleElement()
                .satisfies(m -> {
                    assertThat(m.kind()).isEqualTo(OutboundKind.REPLY);
                    assertThat(m.text()).isEqualTo("How can I help?");
                    assertThat(m.conversation()).isEqualTo("v1");
                });

        assertThat(told(desk, desk.transferToAgent(first, contact, second, "billing question"))).isEmpty();
        List<OutboundMessage> handover = told(desk, desk.accept(second, contact));
        assertThat(handover).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(OutboundKind.HANDOVER);
            assertThat(m.agentId()).isEqualTo(second);
            assertThat(m.text()).startsWith(m.agentName() + " takes over");
        });

        assertThat(told(desk, desk.wrapUp(second, contact, "solved"))).singleElement()
                .satisfies(m -> assertThat(m.kind()).isEqualTo(OutboundKind.CLOSED));
    }

    @Test
    void aCallGoesToTheAgentsPhoneWhenTheyHaveOneAndOtherChannelsDoNotCarryIt() {
        RoutingConfig withPhone = new RoutingConfig(config.version(), config.settings(), config.skills(),
                config.agents().stream().map(a -> new Agent(a.id(), a.name(), a.skills(), a.languages(), a.capacity(),
                        a.exclusive(), a.id().equals("ann") ? "+4917011112222" : null)).toList(),
                config.queues(), config.rules(), config.hours(), config.customers());
        Desk phone = new Desk(withPhone);
        phone.available("ann");
        phone.call("CA1", "+4917099887766");
        assertThat(told(phone, phone.accept("ann", phone.lastContact(DecisionType.QUEUED)))).singleElement()
                .satisfies(m -> assertThat(m.agentPhone()).isEqualTo("+4917011112222"));

        Desk chat = new Desk(withPhone);
        chat.available("ann");
        chat.chat("v9", "Hi");
        assertThat(told(chat, chat.accept("ann", chat.lastContact(DecisionType.QUEUED)))).singleElement()
                .satisfies(m -> {
                    assertThat(m.kind()).isEqualTo(OutboundKind.AGENT_JOINED);
                    assertThat(m.agentPhone()).isNull();
                });
    }

    @Test
    void afterHoursTheCustomerIsToldWhenTheTeamAnswersInTheTeamsTimeZone() {
        // Saturday 10:00 UTC: the office (Berlin, Mon-Fri 09-17) opens Monday 09:00 CET = 08:00 UTC.
        Desk desk = new Desk(config, Instant.parse("2026-11-28T10:00:00Z"));
        List<OutboundMessage> told = told(desk, desk.inbound(Channel.EMAIL, "root@example.com",
                org.contactrouter.events.Identity.email("kim@example.com"), null, "Invoice", "Wrong amount",
                java.util.Map.of()));

        assertThat(told).singleElement().satisfies(m -> {
            assertThat(m.kind()).isEqualTo(OutboundKind.AFTER_HOURS);
            assertThat(m.dueAt()).isEqualTo(Instant.parse("2026-11-30T08:00:00Z"));
            assertThat(m.text()).contains("Monday 30 November at 09:00 (Europe/Berlin)");
        });
    }

    @Test
    void decisionsThatAreNotAboutTheCustomersThreadSayNothing() {
        Desk desk = new Desk(config);
        assertThat(told(desk, desk.available("ann"))).isEmpty();
        desk.chat("v2", "Hi");
        String contact = desk.lastContact(DecisionType.QUEUED);
        assertThat(told(desk, desk.note("ann", contact, "not yet accepted"))).isEmpty();
        desk.accept("ann", contact);
        assertThat(told(desk, desk.note("ann", contact, "a note"))).isEmpty();
        // A follow-up scheduled at wrap-up comes back to the agent, not to the customer's thread.
        desk.wrapUp("ann", contact, "callback", desk.now().plus(Duration.ofHours(1)), "call back");
        assertThat(told(desk, desk.advance(Duration.ofHours(2)))).isEmpty();
        assertThat(desk.log).anyMatch(d -> d.type() == DecisionType.FOLLOW_UP_DUE);
    }

    @Test
    void waitsAreSaidTheWayPeopleSayThem() {
        assertThat(Outbox.describe(Duration.ofSeconds(20))).isEqualTo("less than a minute");
        assertThat(Outbox.describe(Duration.ofSeconds(70))).isEqualTo("about 1 minute");
        assertThat(Outbox.describe(Duration.ofMinutes(12))).isEqualTo("about 12 minutes");
        assertThat(Outbox.describe(Duration.ofMinutes(150))).isEqualTo("about 3 hours");
    }

    @Test
    void anOutboundMessageSurvivesItsJsonForm() {
        Desk desk = new Desk(config);
        OutboundMessage m = told(desk, desk.sms("+4917012345678", "Hi")).get(0);
        String json = OutboundMessageJson.write(m);
        assertThat(json).contains("\"kind\":\"acknowledgement\"", "\"channel\":\"sms\"");
        assertThat(OutboundMessageJson.read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEqualTo(m);
    }
}
