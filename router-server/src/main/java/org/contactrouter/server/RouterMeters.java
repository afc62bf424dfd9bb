package org.contactrouter.server;

import java.util.List;

/**
 * Every meter the router exposes at {@code /metrics}, declared once: name, type, base unit, tag keys and what it means.
 * Tag values come from closed sets (decision types, channels, configured queue ids); never a contact id, phone number,
 * address or agent id: those belong in the ledger. docs/operations.md lists these; RouterMetersTest keeps the list
 * and the meters actually registered true to these declarations.
 */
public enum RouterMeters {
    DECISIONS("router.decisions", "counter", null, List.of("type", "channel"),
            "Routing decisions committed, by decision type (queued, offered, assigned, offer-rejected, offer-timed-out, "
                    + "sla-breached, transferred, abandoned, ...) and channel."),
    DECISION_DURATION("router.decision.duration", "timer", "seconds", List.of(),
            "Time the routing core takes to apply one input (event, tick or config) and decide."),
    WAIT("router.contact.wait", "timer", "seconds", List.of("channel"),
            "Wait from a contact entering its queue to an agent accepting it."),
    TRANSFERS_PER_CONTACT("router.contact.transfers", "distribution", "transfers", List.of(),
            "Agent-initiated transfers per contact, recorded at wrap-up."),
    QUEUE_WAITING("queue.contacts.waiting", "gauge", "contacts", List.of("queue"),
            "Contacts waiting or offered in a queue, on the partitions this instance routes."),
    QUEUE_OLDEST_WAIT("queue.oldest.wait", "gauge", "seconds", List.of("queue"),
            "How long the longest-waiting contact of a queue has waited."),
    PARTITIONS("router.partitions.assigned", "gauge", "partitions", List.of(),
            "Partitions (routing domains) this instance routes now."),
    INPUTS_REJECTED("router.inputs.rejected", "counter", "records", List.of(),
            "Input records the routing loop could not read and skipped."),
    ROUTING_RESTARTS("router.routing.restarts", "counter", "restarts", List.of(),
            "Times the routing loop stopped on an unexpected error and started again, its state restored from Kafka."),
    AUDIT_PROBLEMS("router.audit.problems", "gauge", "problems", List.of("kind"),
            "Problems the last audit found, by kind: double-owner, undecided, missing-from-ledger."),
    CHANNEL_MESSAGES("channel.messages", "counter", "messages", List.of("sender", "outcome"),
            "Messages to customers handed to a channel's provider, by sender (twilio, email) and outcome: sent, "
                    + "retried (a failed attempt that will be tried again), failed (given up after 8 attempts)."),
    MAILBOX_CONNECTED("channel.mailbox.connected", "gauge", null, List.of(),
            "1 while the email adapter is connected to its mailbox (waiting with IDLE or polling), else 0."),
    CHAT_SESSIONS("channel.chat.sessions", "gauge", "sessions", List.of(),
            "Web chat sessions with at least one open WebSocket on this instance."),
    KAFKA_CONSUMER("kafka.consumer.*", "gauges", null, List.of("client.id", "topic", "partition"),
            "The routing consumer's Kafka client metrics, among them kafka.consumer.fetch.manager.records.lag (lag).");

    final String meterName;
    final String type;
    final String unit;
    final List<String> tags;
    final String doc;

    RouterMeters(String meterName, String type, String unit, List<String> tags, String doc) {
        this.meterName = meterName;
        this.type = type;
        this.unit = unit;
        this.tags = tags;
        this.doc = doc;
    }

    /** The meter's name as registered (Prometheus writes it with underscores and a unit suffix). */
    public String meterName() {
        return meterName;
    }

    /** What the meter means: its description. */
    public String doc() {
        return doc;
    }
}
