package org.contactrouter.routing;

import java.time.Instant;
import java.util.List;
import org.contactrouter.events.Channel;

/**
 * A read-only picture of an open contact.
 *
 * @param reservedFor the agent the contact waits for (the customer's own agent, or a follow-up's), or null
 * @param notes       notes added so far, transfer notes included, oldest first
 * @param dueAt       for a scheduled contact, when it becomes due
 * @param originContactId for a follow-up, the contact it follows up
 * @param endpoint    where the customer reached us (our number, mailbox, widget; {@code api} for the HTTP API)
 */
public record ContactView(String id, ContactStatus status, Channel channel, String customerKey, String queueId,
                          String ruleId, int priority, String ownerAgentId, String offeredToAgentId, String offerId,
                          Instant offerExpiresAt, String reservedFor, int transfers, String previousAgentId,
                          List<String> notes, Instant dueAt, String originContactId, String endpoint) {
}
