package org.contactrouter.ledger;

import java.util.List;
import org.contactrouter.routing.RoutingDecision;

/**
 * A contact and every decision about it, in the order they were made: each offer and its outcome, who accepted,
 * transfers, the wrap-up, and refusals of events about it.
 *
 * @param contact   the contact as it stands
 * @param decisions its decisions by sequence
 */
public record ContactHistory(ContactSummary contact, List<RoutingDecision> decisions) {

    public ContactHistory {
        decisions = List.copyOf(decisions);
    }
}
