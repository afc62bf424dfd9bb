package org.contactrouter.routing;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.contactrouter.events.Channel;

/**
 * What an agent must have to take a contact: the channel, minimum skill levels, and a language (or null for any).
 * The key of the agent index and the waiting lists: contacts and agents meet through equal requirements.
 */
final class Requirement {

    private final Channel channel;
    private final Map<String, Integer> skills;
    private final String language;
    /** Computed once: requirements key every index and waiting-list lookup on the decision path. */
    private final int hash;

    Requirement(Channel channel, Map<String, Integer> skills, String language) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.skills = Sorted.map(skills);
        this.language = language == null ? null : primaryTag(language);
        this.hash = Objects.hash(this.channel, this.skills, this.language);
    }

    Channel channel() {
        return channel;
    }

    Map<String, Integer> skills() {
        return skills;
    }

    String language() {
        return language;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof Requirement r && hash == r.hash && channel == r.channel
                && skills.equals(r.skills) && Objects.equals(language, r.language));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    boolean satisfiedBy(Agent agent) {
        if (agent.capacityFor(channel) <= 0) {
            return false;
        }
        for (Map.Entry<String, Integer> e : skills.entrySet()) {
            if (agent.level(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return language == null || speaks(agent, language);
    }

    /** Total of the agent's levels in the required skills: the best-skill-match standing. */
    int skillScore(Agent agent) {
        int score = 0;
        for (String skill : skills.keySet()) {
            score += agent.level(skill);
        }
        return score;
    }

    Requirement withSkills(Map<String, Integer> overrides) {
        TreeMap<String, Integer> merged = new TreeMap<>(skills);
        overrides.forEach((skill, level) -> {
            if (level <= 0) {
                merged.remove(skill);
            } else {
                merged.put(skill, level);
            }
        });
        return new Requirement(channel, merged, language);
    }

    Requirement withoutLanguage() {
        return new Requirement(channel, skills, null);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(channel.wireName());
        new TreeMap<>(skills).forEach((s, l) -> b.append(' ').append(s).append(">=").append(l));
        if (language != null) {
            b.append(" lang=").append(language);
        }
        return b.toString();
    }

    static String primaryTag(String language) {
        int dash = language.indexOf('-');
        int underscore = language.indexOf('_');
        int cut = dash < 0 ? underscore : underscore < 0 ? dash : Math.min(dash, underscore);
        return (cut < 0 ? language : language.substring(0, cut)).toLowerCase(Locale.ROOT);
    }

    private static boolean speaks(Agent agent, String language) {
        for (String l : agent.languages()) {
            if (primaryTag(l).equals(language)) {
                return true;
            }
        }
        return false;
    }
}
