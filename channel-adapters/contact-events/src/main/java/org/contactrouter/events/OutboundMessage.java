package org.contactrouter.events;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Something the router wants said to a customer on the contact's own channel: the value of a {@code messages.out}
 * record, keyed by routing domain. The router writes it in the same Kafka transaction as the decision it comes from,
 * so it exists exactly when the decision does; a channel adapter translates it into its provider's terms (an SMS, a
 * threaded mail, a chat frame, a bridged call) and nothing more.
 *
 * @param id            unique and deterministic (derived from the decision id), so a sender can recognise a
 *                      redelivery and a mail can carry it in its Message-ID
 * @param domain        the routing domain
 * @param contactId     the router's contact
 * @param channel       the contact's channel
 * @param conversation  the channel's thread key, as the adapter gave it in the contact event (CallSid, SMS pair,
 *                      thread root Message-ID, chat session)
 * @param endpoint      where the customer reached us (called number, mailbox, widget), as in the contact event; null
 *                      when not known
 * @param kind          what is said
 * @param time          when the router decided it
 * @param agentId       the agent concerned (who joined, who replied, who takes over), else null
 * @param agentName     that agent's name, for the customer
 * @param agentPhone    on AGENT_JOINED and HANDOVER of a call: the agent's phone number to bridge it to, or null to
 *                      ring the agent's browser (client identity = agent id)
 * @param text          the words for the customer, ready to send (the agent's reply, or the acknowledgement composed
 *                      from the config's templates)
 * @param estimatedWait the expected wait, on ACKNOWLEDGEMENT when known
 * @param dueAt         when the business will answer, on AFTER_HOURS
 */
public record OutboundMessage(String id, String domain, String contactId, Channel channel, String conversation,
                              String endpoint, OutboundKind kind, Instant time, String agentId, String agentName,
                              String agentPhone, String text, Duration estimatedWait, Instant dueAt) {

    public OutboundMessage {
        Events.requireText(id, "id");
        Events.requireText(domain, "domain");
        Events.requireText(contactId, "contactId");
        Objects.requireNonNull(channel, "channel");
        Events.requireText(conversation, "conversation");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(time, "time");
    }
}
