package org.contactrouter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.contactrouter.config.TestConfigs.AGENTS;
import static org.contactrouter.config.TestConfigs.ROUTING;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.contactrouter.events.Channel;
import org.contactrouter.events.Identity;
import org.contactrouter.routing.Agent;
import org.contactrouter.routing.BusinessHours;
import org.contactrouter.routing.BusinessHours.TimeRange;
import org.contactrouter.routing.ConfigProblem.Severity;
import org.contactrouter.routing.CustomerProfile;
import org.contactrouter.routing.EscalationStep;
import org.contactrouter.routing.Queue;
import org.contactrouter.routing.RoutingConfig;
import org.contactrouter.routing.RoutingRule;
import org.contactrouter.routing.RoutingSettings;
import org.contactrouter.routing.SelectionStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private LoadResult load(String routing, String agents) {
        return ConfigLoader.load(TestConfigs.write(dir, routing, agents));
    }

    private static List<String> problems(LoadResult result) {
        return result.problems().stream().map(Problem::toString).toList();
    }

    @Test
    void bindsEveryFieldOfTheFilesIntoTheRoutingConfig() {
        String routing = """
                settings:
                  offerTimeout: 15s
                  offerRetryAfter: 1m
                  awayOnMissedOffer: false
                  affinityLookback: 7d
                  affinityWait: 500ms
                  maxTransfersPerContact: 3
                  wrapUpLimit: 2m
                  duplicateWindow: 12h
                hours:
                  - id: office
                    zone: Europe/Berlin
                    weekly: { mon-wed: ["09:00-12:00", "13:00-17:00"], sat: ["10:00-24:00"] }
                    closed: [2026-12-25]
                queues:
                  - id: billing
                    name: Billing
                    channels: [voice, email]
                    skills: { billing: 2 }
                    priority: 5
                    agingPerMinute: 2
                    responseTarget: { voice: 30s, email: 4h }
                    strategy: round-robin
                    hours: office
                    matchLanguage: false
                    expectedHandleTime: 7m
                    escalation:
                      - at: 50%
                        skills: { billing: 1 }
                      - at: 45s
                        overflowTo: general
                        anyLanguage: true
                        raisePriority: 10
                  - id: general
                    channels: voice
                rules:
                  - id: vip
                    when:
                      channel: [voice]
                      endpoint: ["+4930123456"]
                      language: [de]
                      tier: [gold]
                      keywords: [Refund]
                    queue: billing
                    priority: 20
                    skills: { tech: 1 }
                  - id: everything-else
                    queue: general
                """;
        TestConfigs.replace(dir, "customers.yaml", """
                customers:
                  - name: Jane Roe
                    tier: gold
                    preferredAgent: ann
                    identities: ["+49 170 1234567", "Jane@Example.com", "chat:v-81f2"]
                """);

        RoutingConfig config = load(routing, AGENTS).config().orElseThrow();

        assertThat(config.settings()).isEqualTo(new RoutingSettings(Duration.ofSeconds(15), Duration.ofMinutes(1),
                false, Duration.ofDays(7), Duration.ofMillis(500), 3, Duration.ofMinutes(2), Duration.ofHours(12)));
        assertThat(config.hours()).containsExactly(new BusinessHours("office", ZoneId.of("Europe/Berlin"), Map.of(
                DayOfWeek.MONDAY, List.of(range("09:00", "12:00"), range("13:00", "17:00")),
                DayOfWeek.TUESDAY, List.of(range("09:00", "12:00"), range("13:00", "17:00")),
                DayOfWeek.WEDNESDAY, List.of(range("09:00", "12:00"), range("13:00", "17:00")),
                DayOfWeek.SATURDAY, List.of(new TimeRange(LocalTime.of(10, 0), LocalTime.MAX))),
                Set.of(LocalDate.of(2026, 12, 25))));
        assertThat(config.queues()).containsExactly(
                new Queue("billing", "Billing", Set.of(Channel.VOICE, Channel.EMAIL), Map.of("billing", 2), 5, 2,
                        Map.of(Channel.VOICE, Duration.ofSeconds(30), Channel.EMAIL, Duration.ofHours(4)),
                        SelectionStrategy.ROUND_ROBIN, "office", false, Duration.ofMinutes(7), List.of(
                        new EscalationStep(null, 50, Map.of("billing", 1), false, null, 0),
                        new EscalationStep(Duration.ofSeconds(45), 0, Map.of(), true, "general", 10))),
                new Queue("general", "general", Set.of(Channel.VOICE), Map.of(), 0, 1, Map.of(),
                        SelectionStrategy.LONGEST_IDLE, null, true, Duration.ofMinutes(5), List.of()));
        assertThat(config.rules()).containsExactly(
                new RoutingRule("vip", Set.of(Channel.VOICE), Set.of("+4930123456"), Set.of("de"), Set.of("gold"),
                        List.of("refund"), "billing", 20, Map.of("tech", 1)),
                new RoutingRule("everything-else", Set.of(), Set.of(), Set.of(), Set.of(), List.of(), "general", null,
                        Map.of()));
        assertThat(config.skills()).containsExactly("billing", "tech");
        assertThat(config.customers()).containsExactly(new CustomerProfile("Jane Roe", "gold", "ann", List.of(
                Identity.phone("+491701234567"), Identity.email("jane@example.com"), Identity.chatVisitor("v-81f2"))));
    }

    private static TimeRange range(String from, String to) {
        return new TimeRange(LocalTime.parse(from), LocalTime.parse(to));
    }

    @Test
    void mergesAgentDefaultsUnderEveryAgentChannelByChannel() {
        String agents = """
                skills: [billing, tech]
                defaults:
                  languages: [de, en]
                  capacity: { voice: 1, chat: 3, email: 2 }
                  exclusive: [voice, chat]
                agents:
                  - id: ann
                    name: Ann Example
                    skills: { billing: 4, tech: 2 }
                    capacity: { chat: 2, sms: 1 }
                    phone: "+49 170 1234567"
                  - id: bob
                    skills: { tech: 3 }
                    languages: [en]
                    exclusive: []
                """;

        List<Agent> loaded = load(ROUTING, agents).config().orElseThrow().agents();

        assertThat(loaded).containsExactly(
                new Agent("ann", "Ann Example", Map.of("billing", 4, "tech", 2), Set.of("de", "en"),
                        Map.of(Channel.VOICE, 1, Channel.CHAT, 2, Channel.EMAIL, 2, Channel.SMS, 1),
                        Set.of(Channel.VOICE, Channel.CHAT), "+491701234567"),
                new Agent("bob", "bob", Map.of("tech", 3), Set.of("en"),
                        Map.of(Channel.VOICE, 1, Channel.CHAT, 3, Channel.EMAIL, 2), Set.of(), null));
    }

    @Test
    void appliesBuiltInDefaultsWhenFieldsAreLeftOutOrEmpty() {
        String routing = ROUTING + "settings:\nhours: []\n";

        RoutingConfig config = load(routing, AGENTS).config().orElseThrow();

        assertThat(config.settings()).isEqualTo(RoutingSettings.defaults());
        assertThat(config.agents().get(0)).isEqualTo(new Agent("ann", "ann", Map.of("billing", 4, "tech", 2),
                Set.of("en"), Map.of(Channel.VOICE, 1, Channel.SMS, 3, Channel.WHATSAPP, 3, Channel.EMAIL, 2,
                Channel.CHAT, 3), Set.of(Channel.VOICE), null));
        assertThat(config.customers()).isEmpty();
    }

    @Test
    void rejectsUnknownFieldNamingFileLineAndKnownFields() {
        String routing = """
                queues:
                  - id: billing
                    channels: [voice]
                    stratgy: longest-idle
                    colour: blue
                """;

        LoadResult result = load(routing, AGENTS);

        assertThat(result.hasErrors()).isTrue();
        assertThat(result.config()).isEmpty();
        assertThat(problems(result)).containsExactly(
                "routing.yaml:4:5: queues[0]: unknown field 'stratgy', did you mean 'strategy'? (expected one of: id, "
                        + "name, channels, skills, priority, agingPerMinute, responseTarget, strategy, hours, "
                        + "matchLanguage, expectedHandleTime, escalation)",
                "routing.yaml:5:5: queues[0]: unknown field 'colour' (expected one of: id, name, channels, skills, "
                        + "priority, agingPerMinute, responseTarget, strategy, hours, matchLanguage, "
                        + "expectedHandleTime, escalation)");
    }

    @Test
    void rejectsValueOutOfRangeNamingTheValueAndTheRange() {
        String agents = """
                skills: [billing, tech]
                agents:
                  - id: ann
                    skills: { billing: 4 }
                  - id: bob
                    capacity: { chat: 21 }
                    skills: { tech: 0 }
                """;

        assertThat(problems(load(ROUTING, agents))).containsExactly(
                "agents.yaml:6:23: agents[1].capacity.chat: 21 (expected: 0..20)",
                "agents.yaml:7:21: agents[1].skills.tech: 0 (expected: 1..10)");
    }

    @Test
    void rejectsMalformedDurationNamingTheExpectedForm() {
        String routing = ROUTING + """
                settings:
                  offerTimeout: 20 sec
                  offerRetryAfter: 2h
                """;

        assertThat(problems(load(routing, AGENTS))).containsExactly(
                "routing.yaml:11:17: settings.offerTimeout: '20 sec' (expected: a duration 5s..10m, written like "
                        + "500ms, 30s, 5m, 4h or 30d)",
                "routing.yaml:12:20: settings.offerRetryAfter: '2h' (expected: a duration 1s..1h, written like "
                        + "500ms, 30s, 5m, 4h or 30d)");
    }

    @Test
    void suggestsTheClosestNameForAMistypedValue() {
        String routing = """
                queues:
                  - id: billing
                    channels: [voice, emial]
                    strategy: longest-idel
                    responseTarget: { Chat: 1m }
                """;

        assertThat(problems(load(routing, AGENTS))).containsExactly(
                "routing.yaml:3:23: queues[0].channels[1]: 'emial', did you mean 'email'? (expected one of: voice, "
                        + "sms, whatsapp, email, chat)",
                "routing.yaml:4:15: queues[0].strategy: 'longest-idel', did you mean 'longest-idle'? (expected one "
                        + "of: longest-idle, least-occupied, best-skill-match, round-robin)",
                "routing.yaml:5:23: queues[0].responseTarget: 'Chat', did you mean 'chat'? (expected one of: voice, "
                        + "sms, whatsapp, email, chat)");
    }

    @Test
    void reportsWrongKindOfValueWithWhatWasExpected() {
        String routing = """
                queues:
                  - id: billing
                    channels: { voice: 1 }
                    skills: [billing]
                    matchLanguage: yes
                  - general
                """;

        assertThat(problems(load(routing, AGENTS))).containsExactly(
                "routing.yaml:3:15: queues[0].channels: a map (expected: a list of channel)",
                "routing.yaml:4:13: queues[0].skills: a list (expected: a map of skill to int 1..10)",
                "routing.yaml:5:20: queues[0].matchLanguage: 'yes' (expected: true or false)",
                "routing.yaml:6:5: queues[1]: 'general' (expected: a map of queue fields)");
    }

    @Test
    void reportsMissingRequiredFieldAtItsObject() {
        String routing = """
                queues:
                  - id: billing
                    name: Billing
                rules:
                  - id: catch-all
                    queue:
                """;

        assertThat(problems(load(routing, AGENTS))).containsExactly(
                "routing.yaml:2:5: queues[0]: missing required field 'channels' (expected: a list of channel)",
                "routing.yaml:6:5: rules[0]: missing required field 'queue' (expected: an id of letters, digits, '-' "
                        + "and '_', such as billing)");
    }

    @Test
    void reportsYamlSyntaxErrorWithTheParsersLine() {
        String routing = """
                queues:
                  - id: billing
                    channels: [voice, chat
                rules: []
                """;

        assertThat(problems(load(routing, AGENTS))).containsExactly(
                "routing.yaml:4:6: YAML syntax: expected ',' or ']', but got : (while parsing a flow sequence from "
                        + "line 3)");
    }

    @Test
    void reportsMoreThanOneDocumentInAFileAsSyntaxError() {
        assertThat(problems(load(ROUTING + "---\nqueues: []\n", AGENTS))).containsExactly(
                "routing.yaml:10:1: YAML syntax: but found another document (expected a single document in the "
                        + "stream)");
    }

    @Test
    void collectsEveryErrorOfALoadAcrossFiles() {
        String routing = """
                settings: { offerTimeout: 1s, maxTransfersPerContact: -1 }
                queues:
                  - id: billing
                    channels: [fax]
                    priority: high
                """;
        String agents = """
                skills: [billing]
                agents:
                  - id: ann
                    languages: [EN]
                  - name: Bob
                """;

        assertThat(problems(load(routing, agents))).containsExactly(
                "agents.yaml:4:17: agents[0].languages[0]: 'EN' (expected: a lower-case language code such as en or "
                        + "de)",
                "agents.yaml:5:5: agents[1]: missing required field 'id' (expected: an id of letters, digits, '-' and "
                        + "'_', such as billing)",
                "routing.yaml:1:27: settings.offerTimeout: '1s' (expected: a duration 5s..10m, written like 500ms, "
                        + "30s, 5m, 4h or 30d)",
                "routing.yaml:1:55: settings.maxTransfersPerContact: -1 (expected: 0..10)",
                "routing.yaml:4:16: queues[0].channels[0]: 'fax' (expected one of: voice, sms, whatsapp, email, chat)",
                "routing.yaml:5:15: queues[0].priority: 'high' (expected: 0..100)");
    }

    @Test
    void reportsRuleThatPointsAtMissingQueueWithItsLine() {
        String routing = ROUTING.replace("queue: general", "queue: bilng");

        LoadResult result = load(routing, AGENTS);

        assertThat(result.config()).isEmpty();
        assertThat(problems(result)).first().isEqualTo(
                "routing.yaml:9:12: rules[0].queue: unknown queue 'bilng' (expected one of [billing, general])");
    }

    @Test
    void reportsEscalationOverflowToMissingQueueAtItsLine() {
        String routing = """
                queues:
                  - id: billing
                    channels: [voice]
                    escalation:
                      - at: 50%
                        raisePriority: 5
                      - at: 100%
                        overflowTo: genral
                  - id: general
                    channels: [voice]
                """;

        assertThat(load(routing, AGENTS).errors()).map(Problem::toString).containsExactly(
                "routing.yaml:8:21: queues[0].escalation[1].overflowTo: unknown queue 'genral' (expected one of "
                        + "[billing, general])");
    }

    @Test
    void reportsUndeclaredAgentSkillAtItsKey() {
        String agents = AGENTS.replace("skills: { tech: 3 }", "skills: { tech: 3, cooking: 2 }");

        assertThat(load(ROUTING, agents).errors()).map(Problem::toString).containsExactly(
                "agents.yaml:6:33: agents[1].skills.cooking: unknown skill 'cooking' (expected one of the declared "
                        + "skills [billing, tech])");
    }

    @Test
    void placesAProblemAtTheNearestWrittenParentOfItsPath() {
        String agents = """
                skills: [billing, tech]
                defaults:
                  capacity: { voice: 0 }
                agents:
                  - id: ann
                    skills: { billing: 4, tech: 2 }
                  - id: bob
                    capacity: { voice: 1, chat: 1 }
                """;

        assertThat(load(ROUTING, agents).warnings()).map(Problem::toString).contains(
                "agents.yaml:5:5: warning: agents[0].capacity: agent 'ann' has no capacity on any channel and will "
                        + "never be offered a contact");
    }

    @Test
    void reportsWarningsWithoutFailingTheLoad() {
        String routing = ROUTING.replace("skills: { billing: 2 }", "skills: { billing: 5 }");

        LoadResult result = load(routing, AGENTS);

        assertThat(result.hasErrors()).isFalse();
        assertThat(result.config()).isPresent();
        assertThat(result.problems()).extracting(Problem::severity).containsOnly(Severity.WARNING);
        assertThat(problems(result)).containsExactly(
                "routing.yaml:4:13: warning: queues[0].skills: no agent can take chat contacts of queue 'billing' "
                        + "(skills {billing=5}); they will wait for escalation",
                "routing.yaml:4:13: warning: queues[0].skills: no agent can take voice contacts of queue 'billing' "
                        + "(skills {billing=5}); they will wait for escalation");
    }

    @Test
    void versionIsTheContentAddressOfTheFiles(@TempDir Path other) throws IOException {
        String version = load(ROUTING, AGENTS).config().orElseThrow().version();
        String same = ConfigLoader.load(TestConfigs.write(other, ROUTING, AGENTS)).config().orElseThrow().version();
        Files.writeString(other.resolve("customers.yaml"), "customers: []\n");
        String withCustomers = ConfigLoader.load(other).config().orElseThrow().version();

        assertThat(version).matches("[0-9a-f]{12}").isEqualTo(same).isNotEqualTo(withCustomers);
    }

    @Test
    void reportsMissingRequiredFileAndLoadsWithoutTheOptionalOne() throws IOException {
        TestConfigs.write(dir, ROUTING, AGENTS);
        assertThat(ConfigLoader.load(dir).problems()).isEmpty();

        Files.delete(dir.resolve("agents.yaml"));

        assertThat(problems(ConfigLoader.load(dir))).containsExactly("agents.yaml: required file not found in " + dir);
    }

    @Test
    void reportsEmptyFileAsMissingItsRequiredFields() {
        assertThat(problems(load(ROUTING, ""))).containsExactly(
                "agents.yaml: missing required field 'agents' (expected: a list of agent)",
                "agents.yaml: missing required field 'skills' (expected: a list of skill)");
    }

    @Test
    void rejectsFieldsAndValuesGivenTwice() {
        String routing = """
                queues:
                  - id: billing
                    channels: [voice, chat, voice]
                    responseTarget: { chat: 1m, chat: 2m }
                    id: general
                """;

        assertThat(problems(load(routing, AGENTS))).containsExactly(
                "routing.yaml:3:29: queues[0].channels[2]: 'voice' is listed twice (expected: each value once)",
                "routing.yaml:4:33: queues[0].responseTarget.chat: 'chat' is given twice (expected: each key once)",
                "routing.yaml:5:5: queues[0]: field 'id' is given twice (first on line 2)");
    }

    @Test
    void rejectsBusinessHoursThatAreNotTimesDaysOrZones() {
        String routing = ROUTING + """
                hours:
                  - id: office
                    zone: Europe/Berln
                    weekly: { fri-mon: ["09:00-17:00"], sat: ["17:00-09:00", "9-5"] }
                    closed: [2026-02-30]
                  - id: late
                    zone: UTC
                    weekly: { mon-fri: ["18:00-24:00"], wed: ["18:00-22:00"] }
                """;

        assertThat(problems(load(routing, AGENTS))).containsExactly(
                "routing.yaml:12:11: hours[0].zone: 'Europe/Berln' (expected: an IANA time zone such as "
                        + "Europe/Berlin)",
                "routing.yaml:13:15: hours[0].weekly: 'fri-mon' (expected: a day (mon, tue, wed, thu, fri, sat, sun) "
                        + "or days such as mon-fri)",
                "routing.yaml:13:47: hours[0].weekly.sat[0]: '17:00-09:00' (expected: a time range such as "
                        + "09:00-17:00, from before to; 24:00 is the end of the day)",
                "routing.yaml:13:62: hours[0].weekly.sat[1]: '9-5' (expected: a time range such as 09:00-17:00, "
                        + "from before to; 24:00 is the end of the day)",
                "routing.yaml:14:14: hours[0].closed[0]: '2026-02-30' (expected: a date such as 2026-12-25)",
                "routing.yaml:15:5: hours[1]: weekly: 'wed' is in both 'mon-fri' and 'wed' (expected: each day once)");
    }

    @Test
    void rejectsEscalationStepAtOutsideTheResponseTarget() {
        String routing = """
                queues:
                  - id: billing
                    channels: [voice]
                    escalation:
                      - { at: 120%, raisePriority: 1 }
                      - { at: 0s, raisePriority: 1 }
                """;

        assertThat(problems(load(routing, AGENTS))).containsExactly(
                "routing.yaml:5:15: queues[0].escalation[0].at: '120%' (expected: a share of the response target "
                        + "such as 80% (1%..100%), or a duration such as 45s)",
                "routing.yaml:6:15: queues[0].escalation[1].at: '0s' (expected: a share of the response target such "
                        + "as 80% (1%..100%), or a duration such as 45s)");
    }

    @Test
    void rejectsCustomerIdentityThatIsNoPhoneEmailOrChatId() {
        TestConfigs.replace(dir, "customers.yaml", """
                customers:
                  - name: Jane Roe
                    identities: [jane, "+49 170"]
                  - name: Max
                    identities: []
                """);

        assertThat(problems(load(ROUTING, AGENTS))).containsExactly(
                "customers.yaml:3:18: customers[0].identities[0]: 'jane' (expected: a phone number with country code "
                        + "such as +4917012345678, an email address, or chat:<visitor id>)",
                "customers.yaml:3:24: customers[0].identities[1]: '+49 170' (expected: a phone number with country "
                        + "code such as +4917012345678, an email address, or chat:<visitor id>)",
                "customers.yaml:4:5: customers[1]: identities: [] (expected at least one phone, email or chat "
                        + "identity)");
    }

    @Test
    void readsASingleValueWithoutBracketsAsAList() {
        String routing = ROUTING.replace("channels: [voice, chat]\n    skills", "channels: voice\n    skills");

        assertThat(load(routing, AGENTS).config().orElseThrow().queues().get(0).channels())
                .containsExactly(Channel.VOICE);
    }
}
