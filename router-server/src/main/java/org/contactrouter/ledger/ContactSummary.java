package org.contactrouter.ledger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.contactrouter.events.Channel;
import org.contactrouter.routing.ContactStatus;

/**
 * One contact as the ledger knows it from its decisions: the row of the {@code contacts} table.
 *
 * @param contactId       the contact
 * @param customerKey     the customer the router tied it to
 * @param customerName    the customer's name, when a channel knew it
 * @param channel         voice, sms, whatsapp, email or chat
 * @param subject         the email subject or chat topic, or null
 * @param firstText       the first message (for a follow-up: its note), or null
 * @param queueId         the queue it was last in
 * @param ruleId          the rule that routed it, or null when none matched
 * @param priority        its priority after its last decision
 * @param status          where it is: scheduled, waiting, offered, assigned, ended, closed (wrapped up) or abandoned
 * @param ownerAgentId    the agent who owns it now, or who owned it last when it closed
 * @param agents          every agent who accepted it, in order (more than one after a transfer)
 * @param openedAt        its first decision
 * @param dueAt           when a scheduled contact (after hours, follow-up) is due, or null
 * @param queuedAt        when it first waited in a queue, or null while it is scheduled
 * @param assignedAt      when an agent first accepted it, or null
 * @param waitToAnswer    from {@code queuedAt} to {@code assignedAt}, or null when not answered
 * @param endedAt         when the customer left, or null
 * @param closedAt        when it was wrapped up or abandoned, or null while open
 * @param disposition     the wrap-up disposition, or null
 * @param offers          how many offers were made
 * @param transfers       how many times it was transferred
 * @param slaBreached     whether it waited past its response-time target
 * @param originContactId for a follow-up, the contact it follows up; else null
 */
public record ContactSummary(String contactId, String customerKey, String customerName, Channel channel,
                             String subject, String firstText, String queueId, String ruleId, Integer priority,
                             ContactStatus status, String ownerAgentId, List<String> agents, Instant openedAt,
                             Instant dueAt, Instant queuedAt, Instant assignedAt, Duration waitToAnswer,
                             Instant endedAt, Instant closedAt, String disposition, int offers, int transfers,
                             boolean slaBreached, String originContactId) {

    public ContactSummary {
        agents = List.copyOf(agents);
    }
}
