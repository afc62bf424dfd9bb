package org.contactrouter.server.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.contactrouter.events.Channel;
import org.contactrouter.events.Customer;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.Identity;
import org.contactrouter.events.OfferAccepted;
import org.contactrouter.events.Presence;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.Desk;
import org.contactrouter.routing.EscalationStep;
import org.contactrouter.routing.Explanation;
import org.contactrouter.routing.RefusalReason;
import org.contactrouter.routing.RoutingConfig;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.routing.SelectionStrategy;
import org.contactrouter.routing.TestConfig;
import org.junit.jupiter.api.Test;

class DecisionJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyDecisionOfADayRoundTripsExactly() {
        List<RoutingDecision> day = aDayAtTheDesk();
        assertThat(day.stream().map(RoutingDecision::type).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(EnumSet.allOf(DecisionType.class));
        for (RoutingDecision d : day) {
            assertThat(DecisionJson.read(DecisionJson.write(d))).isEqualTo(d);
            assertThat(DecisionJson.read(DecisionJson.writeBytes(d))).isEqualTo(d);
        }
    }

    @Test
    void writesFieldsInTheOrderOfTheRecordLeavingNullsOut() throws Exception {
        List<String> order = Arrays.stream(RoutingDecision.class.getRecordComponents()).map(c -> c.getName()).toList();
        for (RoutingDecision d : aDayAtTheDesk()) {
            JsonNode json = JSON.readTree(DecisionJson.write(d));
            List<String> names = new ArrayList<>();
            json.fieldNames().forEachRemaining(names::add);
            assertThat(names).isSortedAccordingTo((a, b) -> order.indexOf(a) - order.indexOf(b));
            json.forEach(value -> assertThat(value.isNull()).isFalse());
        }
    }

    @Test
    void writesTheConventionsOfTheContactEvents() throws Exception {
        Desk desk = new Desk(TestConfig.create().agent("ann", a -> { }).queue("support", q -> { }).build());
        desk.available("ann");
        desk.send(new CustomerMessage(Channel.SMS, "+4917012345678>+4930111",
                new Customer("Ann Lee", List.of(Identity.phone("+49 170 12345678")), "Ann.Lee@Example.com"), "+4930111", null,
                "Invoice", "Charged twice", Map.of()));
        RoutingDecision queued = desk.last(DecisionType.QUEUED);

        JsonNode json = JSON.readTree(DecisionJson.write(queued));

        assertThat(json.get("type").textValue()).isEqualTo("queued");
        assertThat(json.get("channel").textValue()).isEqualTo("sms");
        assertThat(json.get("decidedAt").textValue()).isEqualTo("2026-11-23T09:00:00Z");
        assertThat(json.get("customer").get("name").textValue()).isEqualTo("Ann Lee");
        assertThat(json.get("customer").get("identities").get(0).textValue()).isEqualTo("tel:+4917012345678");
        assertThat(json.get("customer").get("claimedEmail").textValue()).as("a claim, shown to the agent as such")
                .isEqualTo("ann.lee@example.com");
        assertThat(DecisionJson.read(DecisionJson.write(queued).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .customer().claimedEmail()).isEqualTo("ann.lee@example.com");
        assertThat(json.get("estimatedWait").textValue()).isEqualTo("PT0S");
        assertThat(json.has("agentId")).isFalse();
        assertThat(json.get("explanation").get("candidates").isArray()).isTrue();
    }

    @Test
    void readsWireNamesOfEveryEnumAndDurations() {
        RoutingDecision refused = new RoutingDecision("agent/ann/1", 3, null, Instant.parse("2026-11-23T09:00:00Z"),
                "7", DecisionType.REFUSED, null, null, null, null, null, null, null, null, "ann", null, null, null, null, null,
                Duration.ofMinutes(5), "offer c-1.o1 is not open", RefusalReason.OFFER_NOT_OPEN,
                "e-9", new Explanation("r", "q", SelectionStrategy.BEST_SKILL_MATCH, "why", 2,
                List.of(new Explanation.Candidate("ann", -42, "chosen"))));

        String json = DecisionJson.write(refused);

        assertThat(json).contains("\"type\":\"refused\"", "\"reason\":\"offer-not-open\"",
                "\"strategy\":\"best-skill-match\"", "\"estimatedWait\":\"PT5M\"", "\"standing\":-42");
        assertThat(DecisionJson.read(json)).isEqualTo(refused);
    }

    @Test
    void ignoresFieldsItDoesNotKnow() {
        RoutingDecision d = aDayAtTheDesk().get(0);
        String json = DecisionJson.write(d);
        String extended = "{\"traceparent\":\"00-abc\"," + json.substring(1);
        assertThat(DecisionJson.read(extended)).isEqualTo(d);
    }

    @Test
    void rejectsMalformedJsonSayingWhere() {
        assertThatThrownBy(() -> DecisionJson.read("{\"id\":\"c-1/1\",\n\"sequence\" 1}"))
                .isInstanceOf(DecisionJson.InvalidDecisionException.class)
                .hasMessageStartingWith("invalid routing decision: malformed JSON at line 2, column");
        assertThatThrownBy(() -> DecisionJson.read("{}{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DecisionJson.InvalidDecisionException.class)
                .hasMessageContaining("more content after the decision's closing brace");
        assertThatThrownBy(() -> DecisionJson.read(""))
                .isInstanceOf(DecisionJson.InvalidDecisionException.class)
                .hasMessageContaining("no JSON in the input");
        assertThatThrownBy(() -> DecisionJson.read("{\"id\":\"a\",\"id\":\"b\"}"))
                .isInstanceOf(DecisionJson.InvalidDecisionException.class)
                .hasMessageContaining("Duplicate field 'id'");
    }

    @Test
    void namesTheFieldThatIsMissingOrWrong() {
        RoutingDecision queued = aDayAtTheDesk().stream().filter(d -> d.type() == DecisionType.QUEUED).findFirst()
                .orElseThrow();
        String json = DecisionJson.write(queued);

        assertThatThrownBy(() -> DecisionJson.read(json.replaceFirst("\"type\":\"[a-z-]+\"", "\"type\":\"teleported\"")))
                .isInstanceOf(DecisionJson.InvalidDecisionException.class)
                .hasMessageContaining("type: 'teleported' (expected one of: queued, after-hours, offered");
        assertThatThrownBy(() -> DecisionJson.read(json.replaceFirst("\"sequence\":\\d+,", "")))
                .hasMessageContaining("sequence: missing (required)");
        assertThatThrownBy(() -> DecisionJson.read(json.replaceFirst("\"decidedAt\":\"[^\"]+\"", "\"decidedAt\":\"today\"")))
                .hasMessageContaining("decidedAt: 'today' (expected an RFC 3339 timestamp");
        assertThatThrownBy(() -> DecisionJson.read(json.replace("\"chat:v1\"", "\"fax:123\"")))
                .hasMessageStartingWith("invalid routing decision '" + queued.id() + "': ")
                .hasMessageContaining("customer.identities[0]: identity: 'fax:123'");
        assertThatThrownBy(() -> DecisionJson.read("[1]"))
                .hasMessageContaining("top level: [1] (expected a JSON object)");
    }

    /**
     * A day at a small desk, through the real engine, that makes every type of decision: a chat declined, escalated,
     * timed out, accepted, answered, transferred and wrapped up with a follow-up; an abandoned call; an email after
     * hours; an agent signing off with an open offer; a stale accept; a config change.
     */
    static List<RoutingDecision> aDayAtTheDesk() {
        TestConfig config = TestConfig.create()
                .agent("ann", a -> a.skill("billing", 5)).agent("bob", a -> { }).agent("cid", a -> { })
                .hours(TestConfig.officeHours())
                .queue("billing", q -> q.channels(Channel.CHAT).skill("billing", 3)
                        .target(Channel.CHAT, Duration.ofSeconds(60)).strategy(SelectionStrategy.LEAST_OCCUPIED)
                        .escalate(new EscalationStep(Duration.ofSeconds(40), 0, Map.of(), false, "general", 2)))
                .queue("general", q -> q.channels(Channel.CHAT, Channel.VOICE, Channel.SMS))
                .queue("mail", q -> q.channels(Channel.EMAIL).hours("office"))
                .rule("invoices", "billing", r -> r.keywords("invoice"))
                .customer("Ann Lee", "gold", null, "tel:+4917012345678", "mailto:ann.lee@example.com");
        RoutingConfig first = config.build();
        Desk desk = new Desk(first);
        desk.available("ann");
        String chat = desk.chat("v1", "My invoice is wrong").get(0).contactId();
        desk.reject("ann", chat);
        desk.chat("v1", "Hello?");
        desk.advance(Duration.ofSeconds(40));
        desk.advance(Duration.ofSeconds(20));
        desk.available("bob");
        desk.accept("bob", chat);
        desk.reply("bob", chat, "Let me check.");
        desk.note("bob", chat, "double charge");
        desk.chat("v1", "Thanks");
        desk.available("ann");
        desk.transferToAgent("bob", chat, "ann", "needs a refund approval");
        desk.accept("ann", chat);
        desk.send(new OfferAccepted("bob", chat + ".o1"));
        desk.left(Channel.CHAT, "v1");
        desk.wrapUp("ann", chat, "refunded", desk.now().plus(Duration.ofHours(2)), "check the refund arrived");
        desk.presence("ann", Presence.AWAY);
        desk.presence("bob", Presence.AWAY);
        desk.available("cid");
        desk.call("CA1", "+49 170 12345678");
        desk.presence("cid", Presence.OFFLINE);
        desk.left(Channel.VOICE, "CA1");
        desk.advance(Duration.ofHours(2));
        desk.applyConfig(config.version("test-2").build());
        desk.advance(Duration.ofHours(6));
        desk.inbound(Channel.EMAIL, "m-1@example.com", Identity.email("Ann.Lee@example.com"), "en",
                "Invoice 2024-0815", "Charged twice", Map.of());
        return desk.log;
    }
}
