package org.contactrouter.routing;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.contactrouter.events.Channel;

/**
 * A queue: where contacts of a kind wait for an agent who can take them.
 *
 * @param id                 stable id
 * @param name               display name
 * @param channels           channels this queue takes
 * @param skills             required skills with minimum levels
 * @param priority           base priority; higher goes first
 * @param agingPerMinute     priority points a contact gains per minute waited
 * @param responseTargets    response-time target (SLA) per channel: time from arrival to an agent accepting
 * @param strategy           how the agent is chosen
 * @param hours              business hours id, or null for always open
 * @param matchLanguage      require an agent who speaks the contact's language, when the contact has one
 * @param expectedHandleTime initial estimate of handle time, for wait estimates before any contact was handled
 * @param escalation         steps applied as the response target comes near
 */
public record Queue(String id, String name, Set<Channel> channels, Map<String, Integer> skills, int priority,
                    int agingPerMinute, Map<Channel, Duration> responseTargets, SelectionStrategy strategy,
                    String hours, boolean matchLanguage, Duration expectedHandleTime,
                    List<EscalationStep> escalation) {

    public Queue {
        Objects.requireNonNull(id, "id");
        name = name == null ? id : name;
        channels = Sorted.channels(Objects.requireNonNull(channels, "channels"));
        skills = Sorted.map(Objects.requireNonNull(skills, "skills"));
        EnumMap<Channel, Duration> targets = new EnumMap<>(Channel.class);
        targets.putAll(Objects.requireNonNull(responseTargets, "responseTargets"));
        responseTargets = java.util.Collections.unmodifiableMap(targets);
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(expectedHandleTime, "expectedHandleTime");
        escalation = List.copyOf(Objects.requireNonNull(escalation, "escalation"));
        if (agingPerMinute < 0) {
            throw new IllegalArgumentException("agingPerMinute: " + agingPerMinute + " (expected >= 0)");
        }
    }

    /** The response target for a channel; a queue without one for the channel uses {@link #DEFAULT_TARGET}. */
    public Duration responseTarget(Channel channel) {
        return responseTargets.getOrDefault(channel, DEFAULT_TARGET);
    }

    public static final Duration DEFAULT_TARGET = Duration.ofMinutes(5);
}
