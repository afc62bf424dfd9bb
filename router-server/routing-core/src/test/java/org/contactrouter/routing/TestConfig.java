package org.contactrouter.routing;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.contactrouter.events.Channel;
import org.contactrouter.events.Identity;

/** Builds routing configs for tests in a few lines. Defaults: always open, longest idle, 20 s offers. */
public final class TestConfig {

    private RoutingSettings settings = RoutingSettings.defaults();
    private final Set<String> skills = new LinkedHashSet<>();
    private final List<Agent> agents = new ArrayList<>();
    private final List<Queue> queues = new ArrayList<>();
    private final List<RoutingRule> rules = new ArrayList<>();
    private final List<BusinessHours> hours = new ArrayList<>();
    private final List<CustomerProfile> customers = new ArrayList<>();
    private String version = "test-1";

    public static TestConfig create() {
        return new TestConfig();
    }

    public TestConfig version(String v) {
        version = v;
        return this;
    }

    public TestConfig settings(RoutingSettings s) {
        settings = s;
        return this;
    }

    public TestConfig offerTimeout(Duration d) {
        RoutingSettings s = settings;
        settings = new RoutingSettings(d, s.offerRetryAfter(), s.awayOnMissedOffer(), s.affinityLookback(),
                s.affinityWait(), s.maxTransfersPerContact(), s.wrapUpLimit(), s.duplicateWindow());
        return this;
    }

    public TestConfig maxTransfers(int n) {
        RoutingSettings s = settings;
        settings = new RoutingSettings(s.offerTimeout(), s.offerRetryAfter(), s.awayOnMissedOffer(),
                s.affinityLookback(), s.affinityWait(), n, s.wrapUpLimit(), s.duplicateWindow());
        return this;
    }

    public TestConfig agent(String id, Consumer<AgentSpec> spec) {
        AgentSpec a = new AgentSpec(id);
        spec.accept(a);
        skills.addAll(a.skills.keySet());
        agents.add(new Agent(id, a.name, a.skills, a.languages, a.capacity, a.exclusive, null));
        return this;
    }

    public TestConfig queue(String id, Consumer<QueueSpec> spec) {
        QueueSpec q = new QueueSpec();
        spec.accept(q);
        skills.addAll(q.skills.keySet());
        queues.add(new Queue(id, id, q.channels, q.skills, q.priority, q.agingPerMinute, q.targets, q.strategy,
                q.hours, q.matchLanguage, Duration.ofMinutes(5), q.escalation));
        return this;
    }

    public TestConfig rule(String id, String queue, Consumer<RuleSpec> spec) {
        RuleSpec r = new RuleSpec();
        spec.accept(r);
        skills.addAll(r.skills.keySet());
        rules.add(new RoutingRule(id, r.channels, r.endpoints, r.languages, r.tiers, r.keywords, queue, r.priority,
                r.skills));
        return this;
    }

    public TestConfig hours(BusinessHours h) {
        hours.add(h);
        return this;
    }

    public TestConfig customer(String name, String tier, String preferredAgent, String... identities) {
        customers.add(new CustomerProfile(name, tier, preferredAgent,
                java.util.Arrays.stream(identities).map(Identity::parse).toList()));
        return this;
    }

    public RoutingConfig build() {
        return new RoutingConfig(version, settings, List.copyOf(skills), agents, queues, rules, hours, customers);
    }

    public static final class AgentSpec {
        String name;
        final Map<String, Integer> skills = new LinkedHashMap<>();
        final Set<String> languages = new LinkedHashSet<>(Set.of("en"));
        final Map<Channel, Integer> capacity = new EnumMap<>(Map.of(Channel.VOICE, 1, Channel.CHAT, 2,
                Channel.SMS, 2, Channel.EMAIL, 2, Channel.WHATSAPP, 2));
        final Set<Channel> exclusive = new LinkedHashSet<>(Set.of(Channel.VOICE));

        AgentSpec(String id) {
            this.name = Character.toUpperCase(id.charAt(0)) + id.substring(1);
        }

        public AgentSpec skill(String skill, int level) {
            skills.put(skill, level);
            return this;
        }

        public AgentSpec languages(String... tags) {
            languages.clear();
            languages.addAll(List.of(tags));
            return this;
        }

        public AgentSpec capacity(Channel channel, int n) {
            capacity.put(channel, n);
            return this;
        }
    }

    public static final class QueueSpec {
        final Set<Channel> channels = new LinkedHashSet<>(Set.of(Channel.values()));
        final Map<String, Integer> skills = new LinkedHashMap<>();
        int priority;
        int agingPerMinute = 1;
        final Map<Channel, Duration> targets = new EnumMap<>(Channel.class);
        SelectionStrategy strategy = SelectionStrategy.LONGEST_IDLE;
        String hours;
        boolean matchLanguage = true;
        final List<EscalationStep> escalation = new ArrayList<>();

        public QueueSpec channels(Channel... cs) {
            channels.clear();
            channels.addAll(List.of(cs));
            return this;
        }

        public QueueSpec skill(String skill, int level) {
            skills.put(skill, level);
            return this;
        }

        public QueueSpec priority(int p) {
            priority = p;
            return this;
        }

        public QueueSpec aging(int perMinute) {
            agingPerMinute = perMinute;
            return this;
        }

        public QueueSpec target(Channel ch, Duration d) {
            targets.put(ch, d);
            return this;
        }

        public QueueSpec strategy(SelectionStrategy s) {
            strategy = s;
            return this;
        }

        public QueueSpec hours(String id) {
            hours = id;
            return this;
        }

        public QueueSpec escalate(EscalationStep step) {
            escalation.add(step);
            return this;
        }
    }

    public static final class RuleSpec {
        final Set<Channel> channels = new LinkedHashSet<>();
        final Set<String> endpoints = new LinkedHashSet<>();
        final Set<String> languages = new LinkedHashSet<>();
        final Set<String> tiers = new LinkedHashSet<>();
        final List<String> keywords = new ArrayList<>();
        Integer priority;
        final Map<String, Integer> skills = new LinkedHashMap<>();

        public RuleSpec channels(Channel... cs) {
            channels.addAll(List.of(cs));
            return this;
        }

        public RuleSpec endpoints(String... e) {
            endpoints.addAll(List.of(e));
            return this;
        }

        public RuleSpec languages(String... l) {
            languages.addAll(List.of(l));
            return this;
        }

        public RuleSpec tiers(String... t) {
            tiers.addAll(List.of(t));
            return this;
        }

        public RuleSpec keywords(String... k) {
            keywords.addAll(List.of(k));
            return this;
        }

        public RuleSpec priority(int p) {
            priority = p;
            return this;
        }

        public RuleSpec skill(String s, int level) {
            skills.put(s, level);
            return this;
        }
    }

    /** Office hours Monday to Friday 09:00-17:00 in Berlin. */
    public static BusinessHours officeHours() {
        return new BusinessHours("office", ZoneId.of("Europe/Berlin"), Map.of(
                java.time.DayOfWeek.MONDAY, List.of(range("09:00", "17:00")),
                java.time.DayOfWeek.TUESDAY, List.of(range("09:00", "17:00")),
                java.time.DayOfWeek.WEDNESDAY, List.of(range("09:00", "17:00")),
                java.time.DayOfWeek.THURSDAY, List.of(range("09:00", "17:00")),
                java.time.DayOfWeek.FRIDAY, List.of(range("09:00", "17:00"))), Set.of());
    }

    private static BusinessHours.TimeRange range(String from, String to) {
        return new BusinessHours.TimeRange(java.time.LocalTime.parse(from), java.time.LocalTime.parse(to));
    }
}
