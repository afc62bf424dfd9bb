package org.contactrouter.server.runtime;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.contactrouter.events.Channel;
import org.contactrouter.events.OutboundKind;
import org.contactrouter.events.OutboundMessage;
import org.contactrouter.routing.Agent;
import org.contactrouter.routing.BusinessHours;
import org.contactrouter.routing.Queue;
import org.contactrouter.routing.RoutingConfig;
import org.contactrouter.routing.RoutingDecision;

/**
 * What the customer is told about a decision: the {@code messages.out} records the routing loop writes in the same
 * transaction as the decision. Pure: the same decision and config give the same messages, with ids derived from the
 * decision id, so a channel adapter can recognise a redelivery.
 *
 * <p>Only decisions about a customer's own thread say anything (a follow-up has none): the first decision
 * acknowledges (QUEUED with the expected wait, AFTER_HOURS with the next opening in the team's time zone), an
 * assignment introduces the agent (or, after a transfer, the agent who takes over), a reply is sent, and a wrap-up
 * closes the conversation.
 */
public final class Outbox {

    private static final DateTimeFormatter OPENING =
            DateTimeFormatter.ofPattern("EEEE d MMMM 'at' HH:mm", Locale.ENGLISH);

    private Outbox() {
    }

    /** The messages for one decision, in order; usually none. */
    public static List<OutboundMessage> messagesFor(String domain, RoutingDecision d, RoutingConfig config) {
        if (d.contactId() == null || d.conversation() == null || d.channel() == null) {
            return List.of();
        }
        return switch (d.type()) {
            case QUEUED -> List.of(message(domain, d, OutboundKind.ACKNOWLEDGEMENT, null,
                    "Thank you for contacting us. " + (d.estimatedWait() == null
                            ? "An agent will answer as soon as possible."
                            : "An agent will answer in " + describe(d.estimatedWait()) + "."), d.estimatedWait(), null));
            case AFTER_HOURS -> List.of(message(domain, d, OutboundKind.AFTER_HOURS, null,
                    "Thank you for contacting us. We are closed right now; we will get back to you on "
                            + opening(d.dueAt(), zoneOf(config, d.queueId())) + ".", null, d.dueAt()));
            case ASSIGNED -> List.of(joined(domain, d, config));
            case REPLIED -> List.of(message(domain, d, OutboundKind.REPLY, d.agentName(), d.text(), null, null));
            case WRAPPED_UP -> List.of(message(domain, d, OutboundKind.CLOSED, d.agentName(),
                    "This conversation is closed. Thank you for contacting us.", null, null));
            default -> List.of();
        };
    }

    private static OutboundMessage message(String domain, RoutingDecision d, OutboundKind kind, String agentName,
                                           String text, Duration wait, Instant dueAt) {
        return new OutboundMessage(d.id(), domain, d.contactId(), d.channel(), d.conversation(), d.endpoint(), kind,
                d.decidedAt(), d.agentId(), agentName, null, text, wait, dueAt);
    }

    /** An agent took the contact, or took it over after a transfer; a call goes to the agent's phone when they have one. */
    private static OutboundMessage joined(String domain, RoutingDecision d, RoutingConfig config) {
        boolean handover = d.previousAgentId() != null;
        String phone = d.channel() != Channel.VOICE ? null : config.agents().stream()
                .filter(a -> a.id().equals(d.agentId())).findFirst().map(Agent::phone).orElse(null);
        return new OutboundMessage(d.id(), domain, d.contactId(), d.channel(), d.conversation(), d.endpoint(),
                handover ? OutboundKind.HANDOVER : OutboundKind.AGENT_JOINED, d.decidedAt(), d.agentId(), d.agentName(),
                phone, handover ? d.agentName() + " takes over your conversation from here and has all its history."
                : d.agentName() + " is now looking after you.", null, null);
    }

    /** "less than a minute", "about 1 minute", "about 12 minutes", "about 2 hours". */
    static String describe(Duration wait) {
        long minutes = (wait.getSeconds() + 30) / 60;
        if (minutes < 1) {
            return "less than a minute";
        }
        if (minutes < 90) {
            return "about " + minutes + (minutes == 1 ? " minute" : " minutes");
        }
        long hours = (minutes + 30) / 60;
        return "about " + hours + " hours";
    }

    static String opening(Instant at, ZoneId zone) {
        if (at == null) {
            return "the next working day";
        }
        return OPENING.format(at.atZone(zone)) + " (" + zone.getId() + ")";
    }

    private static ZoneId zoneOf(RoutingConfig config, String queueId) {
        for (Queue q : config.queues()) {
            if (q.id().equals(queueId) && q.hours() != null) {
                BusinessHours hours = config.hoursById().get(q.hours());
                if (hours != null) {
                    return hours.zone();
                }
            }
        }
        return ZoneOffset.UTC;
    }
}
