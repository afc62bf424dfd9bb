package org.contactrouter.routing;

import java.time.Duration;
import java.time.Instant;
import org.contactrouter.events.Channel;
import org.contactrouter.events.Customer;

/**
 * One thing the engine decided, with the time it was decided (the {@code now} it was given) and the config version
 * it was decided under. Fields that do not apply to a type are null.
 *
 * @param id              unique and deterministic: {@code <contactId>/<n>} for the n-th decision about a contact,
 *                        {@code <domain>/agent/<agentId>/<n>} for an agent's, {@code <domain>/engine/<sequence>}
 *                        otherwise; stores upsert by it
 * @param sequence        position in this engine's output, from 1
 * @param contactId       the contact, or null for agent and engine decisions
 * @param decidedAt       the time the engine was given
 * @param configVersion   version of the config in force
 * @param type            what was decided
 * @param customerKey     the customer, when about a contact
 * @param customer        who the customer is (name, identities), on the first decision about a contact (QUEUED or
 *                        AFTER_HOURS)
 * @param subject         the email subject or chat topic, on the first decision about a contact
 * @param channel         the contact's channel
 * @param conversation    the channel's thread key from the opening event, so a channel adapter can answer on it;
 *                        null for follow-ups (they are not a customer thread)
 * @param endpoint        where the customer reached us (called number, mailbox, widget), when the channel said
 * @param queueId         the queue, when one applies
 * @param ruleId          the rule that routed the contact
 * @param agentId         the agent concerned (offered to, accepted, transferred from, presence of)
 * @param previousAgentId the agent before a transfer; on ASSIGNED, the agent the customer is handed over from
 * @param agentName       the agent's name, for channels to tell the customer who took over
 * @param offerId         the offer, for OFFERED and its outcomes
 * @param dueAt           offer expiry, next opening (AFTER_HOURS), or follow-up due time
 * @param priority        the contact's priority after this decision
 * @param estimatedWait   expected wait in the queue, when known (QUEUED)
 * @param text            message or note text (on QUEUED: the first message), disposition, escalation or presence
 *                        detail
 * @param reason          why, for REFUSED
 * @param causeEventId    the event that led to this, or null for timers
 * @param explanation     why the outcome is what it is
 */
public record RoutingDecision(String id, long sequence, String contactId, Instant decidedAt, String configVersion,
                              DecisionType type, String customerKey, Customer customer, String subject, Channel channel,
                              String conversation, String endpoint, String queueId, String ruleId,
                              String agentId, String previousAgentId, String agentName, String offerId, Instant dueAt,
                              Integer priority, Duration estimatedWait, String text, RefusalReason reason,
                              String causeEventId, Explanation explanation) {
}
