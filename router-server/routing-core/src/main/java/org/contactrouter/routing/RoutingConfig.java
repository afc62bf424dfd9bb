package org.contactrouter.routing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.contactrouter.events.Channel;
import org.contactrouter.events.Identity;

/**
 * Everything routing is configured with, as one immutable value. {@code version} is recorded in every decision made
 * under it. {@link #check()} finds what is inconsistent across the parts; {@link #validated()} refuses to hand out
 * a config with errors, so the engine never runs on one.
 */
public record RoutingConfig(String version, RoutingSettings settings, List<String> skills, List<Agent> agents,
                            List<Queue> queues, List<RoutingRule> rules, List<BusinessHours> hours,
                            List<CustomerProfile> customers) {

    public RoutingConfig {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(settings, "settings");
        skills = List.copyOf(skills);
        agents = List.copyOf(agents);
        queues = List.copyOf(queues);
        rules = List.copyOf(rules);
        hours = List.copyOf(hours);
        customers = List.copyOf(customers);
    }

    public Map<String, Queue> queuesById() {
        return index(queues, Queue::id);
    }

    public Map<String, Agent> agentsById() {
        return index(agents, Agent::id);
    }

    public Map<String, BusinessHours> hoursById() {
        return index(hours, BusinessHours::id);
    }

    public RoutingConfig withVersion(String newVersion) {
        return new RoutingConfig(newVersion, settings, skills, agents, queues, rules, hours, customers);
    }

    /** This config, when {@link #check()} finds no error; otherwise an exception listing every error. */
    public RoutingConfig validated() {
        List<ConfigProblem> errors = check().stream().filter(ConfigProblem::isError).toList();
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid routing config:\n  " + errors.stream()
                    .map(ConfigProblem::toString).collect(Collectors.joining("\n  ")));
        }
        return this;
    }

    /** Cross-checks the parts: every reference resolves, ids are unique, rules are reachable. */
    public List<ConfigProblem> check() {
        List<ConfigProblem> problems = new ArrayList<>();
        Set<String> skillSet = new HashSet<>(skills);
        duplicates(skills, Function.identity(), "skills", problems);
        duplicates(agents, Agent::id, "agents", problems);
        duplicates(queues, Queue::id, "queues", problems);
        duplicates(rules, RoutingRule::id, "rules", problems);
        duplicates(hours, BusinessHours::id, "hours", problems);
        Map<String, Queue> queueIds = queuesById();
        Map<String, BusinessHours> hourIds = hoursById();
        Map<String, Agent> agentIds = agentsById();

        for (int i = 0; i < agents.size(); i++) {
            Agent a = agents.get(i);
            knownSkills(a.skills(), skillSet, "agents[" + i + "].skills", problems);
            if (a.capacity().values().stream().allMatch(n -> n == 0)) {
                problems.add(ConfigProblem.warning("agents[" + i + "].capacity",
                        "agent '" + a.id() + "' has no capacity on any channel and will never be offered a contact"));
            }
        }
        for (int i = 0; i < queues.size(); i++) {
            Queue q = queues.get(i);
            String at = "queues[" + i + "]";
            knownSkills(q.skills(), skillSet, at + ".skills", problems);
            if (q.channels().isEmpty()) {
                problems.add(ConfigProblem.error(at + ".channels", "queue '" + q.id() + "' takes no channel (expected at least one of voice, sms, whatsapp, email, chat)"));
            }
            if (q.hours() != null && !hourIds.containsKey(q.hours())) {
                problems.add(ConfigProblem.error(at + ".hours", "unknown business hours '" + q.hours() + "' (expected one of " + hourIds.keySet() + ")"));
            }
            for (int s = 0; s < q.escalation().size(); s++) {
                EscalationStep step = q.escalation().get(s);
                String sat = at + ".escalation[" + s + "]";
                for (Map.Entry<String, Integer> e : step.skills().entrySet()) {
                    if (!skillSet.contains(e.getKey())) {
                        problems.add(ConfigProblem.error(sat + ".skills." + e.getKey(), unknownSkill(e.getKey(), skillSet)));
                    }
                }
                if (step.overflowTo() != null && !queueIds.containsKey(step.overflowTo())) {
                    problems.add(ConfigProblem.error(sat + ".overflowTo", "unknown queue '" + step.overflowTo() + "' (expected one of " + queueIds.keySet() + ")"));
                }
                if (step.overflowTo() != null && step.overflowTo().equals(q.id())) {
                    problems.add(ConfigProblem.error(sat + ".overflowTo", "queue '" + q.id() + "' overflows to itself"));
                }
            }
            for (Channel ch : q.channels()) {
                boolean staffed = agents.stream().anyMatch(a -> a.capacityFor(ch) > 0
                        && q.skills().entrySet().stream().allMatch(e -> a.level(e.getKey()) >= e.getValue()));
                if (!staffed) {
                    problems.add(ConfigProblem.warning(at + ".skills", "no agent can take " + ch.wireName()
                            + " contacts of queue '" + q.id() + "' (skills " + q.skills() + "); they will wait for escalation"));
                }
            }
        }
        for (int i = 0; i < hours.size(); i++) {
            BusinessHours h = hours.get(i);
            if (h.weekly().values().stream().allMatch(List::isEmpty)) {
                problems.add(ConfigProblem.error("hours[" + i + "].weekly", "business hours '" + h.id()
                        + "' are never open (expected at least one range, such as mon-fri: [\"09:00-17:00\"])"));
            }
        }
        for (int i = 0; i < rules.size(); i++) {
            RoutingRule r = rules.get(i);
            String at = "rules[" + i + "]";
            Queue q = queueIds.get(r.queue());
            if (q == null) {
                problems.add(ConfigProblem.error(at + ".queue", "unknown queue '" + r.queue() + "' (expected one of " + queueIds.keySet() + ")"));
            } else if (!r.channels().isEmpty() && r.channels().stream().noneMatch(q.channels()::contains)) {
                problems.add(ConfigProblem.error(at + ".queue", "queue '" + q.id() + "' takes " + wire(q.channels())
                        + ", but rule '" + r.id() + "' only matches " + wire(r.channels())));
            }
            knownSkills(r.skills(), skillSet, at + ".skills", problems);
            for (int j = 0; j < i; j++) {
                RoutingRule earlier = rules.get(j);
                if (covers(earlier, r)) {
                    problems.add(ConfigProblem.warning(at, "rule '" + r.id() + "' is unreachable: rule '" + earlier.id()
                            + "' (rules[" + j + "]) comes first and matches every contact it matches"));
                    break;
                }
                // A later rule that covers the earlier one is its fallback: the usual pattern, not a conflict.
                if (!earlier.queue().equals(r.queue()) && overlaps(earlier, r) && !covers(r, earlier)) {
                    problems.add(ConfigProblem.warning(at, "rule '" + r.id() + "' overlaps rule '" + earlier.id()
                            + "' (rules[" + j + "]): a contact matching both goes to '" + earlier.queue() + "'"));
                }
            }
        }
        if (rules.isEmpty() || !rules.get(rules.size() - 1).matchesEverything()) {
            problems.add(ConfigProblem.warning("rules", "no catch-all rule at the end: a contact no rule matches goes to the first queue of its channel"));
        }
        Map<Identity, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < customers.size(); i++) {
            CustomerProfile c = customers.get(i);
            if (c.preferredAgent() != null && !agentIds.containsKey(c.preferredAgent())) {
                problems.add(ConfigProblem.error("customers[" + i + "].preferredAgent", "unknown agent '" + c.preferredAgent() + "'"));
            }
            for (Identity id : c.identities()) {
                Integer other = seen.putIfAbsent(id, i);
                if (other != null) {
                    problems.add(ConfigProblem.error("customers[" + i + "].identities", id.key() + " already belongs to customers[" + other + "]"));
                }
            }
        }
        return problems;
    }

    private static String wire(Set<Channel> channels) {
        return channels.stream().map(Channel::wireName).sorted().toList().toString();
    }

    private static boolean covers(RoutingRule a, RoutingRule b) {
        return coversSet(a.channels(), b.channels()) && coversSet(a.endpoints(), b.endpoints())
                && coversSet(a.languages(), b.languages()) && coversSet(a.tiers(), b.tiers())
                && (a.keywords().isEmpty() || (!b.keywords().isEmpty() && a.keywords().containsAll(b.keywords())));
    }

    /** Every value b accepts, a accepts too (empty accepts all). */
    private static <T> boolean coversSet(Set<T> a, Set<T> b) {
        return a.isEmpty() || (!b.isEmpty() && a.containsAll(b));
    }

    private static boolean overlaps(RoutingRule a, RoutingRule b) {
        return intersect(a.channels(), b.channels()) && intersect(a.endpoints(), b.endpoints())
                && intersect(a.languages(), b.languages()) && intersect(a.tiers(), b.tiers());
    }

    private static <T> boolean intersect(Set<T> a, Set<T> b) {
        return a.isEmpty() || b.isEmpty() || a.stream().anyMatch(b::contains);
    }

    private static void knownSkills(Map<String, Integer> required, Set<String> skillSet, String at, List<ConfigProblem> problems) {
        for (String s : required.keySet()) {
            if (!skillSet.contains(s)) {
                problems.add(ConfigProblem.error(at + "." + s, unknownSkill(s, skillSet)));
            }
        }
    }

    private static String unknownSkill(String skill, Set<String> skillSet) {
        return "unknown skill '" + skill + "' (expected one of the declared skills " + new java.util.TreeSet<>(skillSet) + ")";
    }

    private static <T> void duplicates(List<T> items, Function<T, String> id, String at, List<ConfigProblem> problems) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String key = id.apply(items.get(i));
            if (!seen.add(key)) {
                problems.add(ConfigProblem.error(at + "[" + i + "]" + (at.equals("skills") ? "" : ".id"), "duplicate id '" + key + "'"));
            }
        }
    }

    private static <T> Map<String, T> index(List<T> items, Function<T, String> id) {
        Map<String, T> map = new LinkedHashMap<>();
        for (T t : items) {
            map.putIfAbsent(id.apply(t), t);
        }
        return map;
    }
}
