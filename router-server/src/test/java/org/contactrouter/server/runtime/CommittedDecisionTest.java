package org.contactrouter.server.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.contactrouter.events.Channel;
import org.contactrouter.events.Customer;
import org.contactrouter.events.CustomerMessage;
import org.contactrouter.events.Identity;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.Desk;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.routing.TestConfig;
import org.contactrouter.server.wire.DecisionJson;
import org.junit.jupiter.api.Test;

/** A decision read back from its record knows how many decisions its input gave, from the record's header. */
class CommittedDecisionTest {

    @Test
    void theHeaderSaysHowManyDecisionsTheInputGaveAndARecordWithoutItCountsAsOne() {
        Desk desk = new Desk(TestConfig.create().agent("ann", a -> { }).queue("support", q -> { }).build());
        desk.send(new CustomerMessage(Channel.SMS, "+4917012345678>+4930111",
                new Customer("Ann Lee", List.of(Identity.phone("+49 170 12345678"))), "+4930111", null, null, "Hi",
                Map.of()));
        RoutingDecision queued = desk.last(DecisionType.QUEUED);
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("routing.decisions", 0, 7, "default",
                DecisionJson.writeBytes(queued));

        assertThat(CommittedDecision.of(record)).isEqualTo(new CommittedDecision(queued, 1));
        record.headers().add(CommittedDecision.OF_ITS_INPUT, "3".getBytes(StandardCharsets.US_ASCII));
        assertThat(CommittedDecision.of(record).ofItsInput()).isEqualTo(3);
    }
}
