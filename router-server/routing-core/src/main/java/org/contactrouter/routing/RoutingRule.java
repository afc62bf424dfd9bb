package org.contactrouter.routing;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.contactrouter.events.Channel;

/**
 * A routing rule: when a new contact matches every condition that is set, it goes to {@code queue}. Rules are tried
 * in order; the first match wins. An empty condition matches anything.
 *
 * @param id        the rule's name, recorded in every decision it causes
 * @param channels  contact channel is one of these
 * @param endpoints called number, mailbox or widget is one of these
 * @param languages contact language (primary tag) is one of these
 * @param tiers     customer tier is one of these
 * @param keywords  subject or first message contains one of these words (case-insensitive)
 * @param queue     the queue to send the contact to
 * @param priority  overrides the queue's priority, or null
 * @param skills    extra required skills with minimum levels
 */
public record RoutingRule(String id, Set<Channel> channels, Set<String> endpoints, Set<String> languages,
                          Set<String> tiers, List<String> keywords, String queue, Integer priority,
                          Map<String, Integer> skills) {

    public RoutingRule {
        Objects.requireNonNull(id, "id");
        channels = Sorted.channels(Objects.requireNonNull(channels, "channels"));
        endpoints = Sorted.set(Objects.requireNonNull(endpoints, "endpoints"));
        languages = Sorted.set(Objects.requireNonNull(languages, "languages"));
        tiers = Sorted.set(Objects.requireNonNull(tiers, "tiers"));
        keywords = keywords.stream().map(k -> k.toLowerCase(java.util.Locale.ROOT)).toList();
        Objects.requireNonNull(queue, "queue");
        skills = Sorted.map(Objects.requireNonNull(skills, "skills"));
    }

    /** True when the rule has no condition: it matches every contact. */
    public boolean matchesEverything() {
        return channels.isEmpty() && endpoints.isEmpty() && languages.isEmpty() && tiers.isEmpty()
                && keywords.isEmpty();
    }
}
