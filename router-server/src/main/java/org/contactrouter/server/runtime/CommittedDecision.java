package org.contactrouter.server.runtime;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.server.wire.DecisionJson;

/**
 * A decision as read back from {@code routing.decisions}, with how many decisions the input that caused it gave in all.
 * The routing loop writes that count in the record header {@value #OF_ITS_INPUT}, so a reader waiting for the outcome
 * of an input (an agent's action) knows when it has all of it: no waiting for time to pass.
 *
 * @param decision   the decision
 * @param ofItsInput how many decisions its input gave, this one included; 1 for a record without the header
 */
public record CommittedDecision(RoutingDecision decision, int ofItsInput) {

    /** The header with the number of decisions the same input gave, in decimal. */
    public static final String OF_ITS_INPUT = "decisions-of-input";

    /** Reads a record of {@code routing.decisions}. */
    public static CommittedDecision of(ConsumerRecord<String, byte[]> record) {
        Header count = record.headers().lastHeader(OF_ITS_INPUT);
        int of = 1;
        if (count != null) {
            try {
                of = Math.max(1, Integer.parseInt(new String(count.value(), StandardCharsets.US_ASCII)));
            } catch (NumberFormatException e) {
                of = 1;
            }
        }
        return new CommittedDecision(DecisionJson.read(record.value()), of);
    }
}
