package org.contactrouter.routing;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.contactrouter.events.Channel;

/**
 * A person who takes contacts, as configured.
 *
 * @param id        stable id, used in events and the ledger
 * @param name      the name customers are told ("Ann")
 * @param skills    skill name to level (1..10)
 * @param languages languages the agent speaks (BCP 47 primary tags, "en", "de")
 * @param capacity  how many contacts of each channel the agent handles at once; a channel missing or 0 is not offered
 * @param exclusive channels whose contact blocks all others while the agent has it (a call, typically)
 * @param phone     the number calls are bridged to (E.164), or null to ring the agent's browser; not used in routing
 */
public record Agent(String id, String name, Map<String, Integer> skills, Set<String> languages,
                    Map<Channel, Integer> capacity, Set<Channel> exclusive, String phone) {

    public Agent {
        Objects.requireNonNull(id, "id");
        name = name == null ? id : name;
        skills = Sorted.map(Objects.requireNonNull(skills, "skills"));
        languages = Sorted.set(Objects.requireNonNull(languages, "languages"));
        EnumMap<Channel, Integer> cap = new EnumMap<>(Channel.class);
        cap.putAll(Objects.requireNonNull(capacity, "capacity"));
        cap.forEach((ch, n) -> {
            if (n < 0) {
                throw new IllegalArgumentException("capacity." + ch.wireName() + ": " + n + " (expected >= 0)");
            }
        });
        capacity = java.util.Collections.unmodifiableMap(cap);
        exclusive = Sorted.channels(Objects.requireNonNull(exclusive, "exclusive"));
        skills.forEach((skill, level) -> {
            if (level < 1 || level > 10) {
                throw new IllegalArgumentException("skills." + skill + ": " + level + " (expected 1..10)");
            }
        });
    }

    public int capacityFor(Channel channel) {
        return capacity.getOrDefault(channel, 0);
    }

    public int level(String skill) {
        return skills.getOrDefault(skill, 0);
    }
}
