package org.contactrouter.ledger;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.contactrouter.events.Channel;
import org.contactrouter.routing.ContactStatus;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.RoutingDecision;

/**
 * A row of the {@code contacts} table while a batch is recorded: read, changed by each new decision about the contact
 * ({@link #apply}), written back. The columns are listed once, in {@link #COLUMNS}; {@link #bind} and {@link #read}
 * follow that order.
 */
final class ContactRow {

    static final List<String> COLUMNS = List.of("contact_id", "customer_key", "customer_name", "channel", "subject",
            "first_text", "queue_id", "rule_id", "priority", "status", "owner_agent_id", "opened_at", "due_at",
            "queued_at", "assigned_at", "wait_ms", "ended_at", "closed_at", "disposition", "offers", "transfers",
            "sla_breached", "origin_contact_id", "last_decision_sequence", "last_decision_at");

    static final String INSERT = "INSERT INTO contacts (" + String.join(", ", COLUMNS) + ") VALUES ("
            + String.join(", ", COLUMNS.stream().map(c -> "?").toList()) + ")";

    static final String UPDATE = "UPDATE contacts SET "
            + String.join(", ", COLUMNS.subList(1, COLUMNS.size()).stream().map(c -> c + " = ?").toList())
            + " WHERE contact_id = ?";

    /** A follow-up's id is its origin's id and {@code .f<n>}: the decision carries no other link to the origin. */
    private static final Pattern FOLLOW_UP = Pattern.compile("(.+)\\.f\\d+");

    final String contactId;
    /** Whether the row is in the table already (update) or new (insert). */
    final boolean stored;
    String customerKey;
    String customerName;
    Channel channel;
    String subject;
    String firstText;
    String queueId;
    String ruleId;
    Integer priority;
    ContactStatus status = ContactStatus.WAITING;
    String ownerAgentId;
    Instant openedAt;
    Instant dueAt;
    Instant queuedAt;
    Instant assignedAt;
    Long waitMillis;
    Instant endedAt;
    Instant closedAt;
    String disposition;
    int offers;
    int transfers;
    boolean slaBreached;
    String originContactId;
    long lastDecisionSequence;
    Instant lastDecisionAt;

    private ContactRow(String contactId, boolean stored) {
        this.contactId = contactId;
        this.stored = stored;
    }

    /** A contact the ledger has not seen: opened by this decision (or, joining a stream late, first seen at it). */
    static ContactRow opened(RoutingDecision d) {
        ContactRow row = new ContactRow(d.contactId(), false);
        row.openedAt = d.decidedAt();
        Matcher followUp = FOLLOW_UP.matcher(d.contactId());
        row.originContactId = followUp.matches() ? followUp.group(1) : null;
        return row;
    }

    /** Follows one decision about this contact. REFUSED decisions change nothing and are not given. */
    void apply(RoutingDecision d) {
        customerKey = or(d.customerKey(), customerKey);
        channel = or(d.channel(), channel);
        queueId = or(d.queueId(), queueId);
        ruleId = or(d.ruleId(), ruleId);
        priority = or(d.priority(), priority);
        lastDecisionSequence = d.sequence();
        lastDecisionAt = d.decidedAt();
        if (d.customer() != null) {
            customerName = or(d.customer().name(), customerName);
            subject = or(d.subject(), subject);
            firstText = or(firstText, d.text());
        }
        switch (d.type()) {
            case QUEUED, FOLLOW_UP_DUE -> {
                status = ContactStatus.WAITING;
                queuedAt = or(queuedAt, d.decidedAt());
            }
            case AFTER_HOURS, FOLLOW_UP_SCHEDULED -> {
                status = ContactStatus.SCHEDULED;
                dueAt = d.dueAt();
            }
            case OFFERED -> {
                status = ContactStatus.OFFERED;
                offers++;
            }
            case OFFER_REJECTED, OFFER_TIMED_OUT, OFFER_WITHDRAWN -> status = ContactStatus.WAITING;
            case ASSIGNED -> {
                status = ContactStatus.ASSIGNED;
                ownerAgentId = d.agentId();
                if (assignedAt == null) {
                    assignedAt = d.decidedAt();
                    waitMillis = queuedAt == null ? null : Duration.between(queuedAt, assignedAt).toMillis();
                }
            }
            case MESSAGE_TO_OWNER -> {
                // A message after the customer left reopens the contact with its owner.
                status = ContactStatus.ASSIGNED;
                endedAt = null;
            }
            case TRANSFERRED -> {
                status = ContactStatus.WAITING;
                ownerAgentId = null;
                transfers++;
            }
            case ENDED -> {
                status = ContactStatus.ENDED;
                endedAt = d.decidedAt();
            }
            case ABANDONED -> {
                status = ContactStatus.ABANDONED;
                endedAt = d.decidedAt();
                closedAt = d.decidedAt();
            }
            case WRAPPED_UP -> {
                status = ContactStatus.CLOSED;
                ownerAgentId = d.agentId();
                closedAt = d.decidedAt();
                disposition = d.text();
            }
            case SLA_BREACHED -> slaBreached = true;
            case MESSAGE_QUEUED, REPLIED, NOTE_ADDED, ESCALATED, PRESENCE_CHANGED, CONFIG_APPLIED, REFUSED -> {
            }
        }
    }

    /** Binds the row to {@link #INSERT} or {@link #UPDATE}. */
    void bind(PreparedStatement p) throws SQLException {
        int i = stored ? 0 : 1;
        if (!stored) {
            p.setString(1, contactId);
        }
        p.setString(++i, customerKey);
        p.setString(++i, customerName);
        p.setString(++i, channel == null ? null : channel.wireName());
        p.setString(++i, subject);
        p.setString(++i, firstText);
        p.setString(++i, queueId);
        p.setString(++i, ruleId);
        setInt(p, ++i, priority);
        p.setString(++i, status.name().toLowerCase(Locale.ROOT));
        p.setString(++i, ownerAgentId);
        p.setObject(++i, timestamp(openedAt));
        p.setObject(++i, timestamp(dueAt));
        p.setObject(++i, timestamp(queuedAt));
        p.setObject(++i, timestamp(assignedAt));
        if (waitMillis == null) {
            p.setNull(++i, Types.BIGINT);
        } else {
            p.setLong(++i, waitMillis);
        }
        p.setObject(++i, timestamp(endedAt));
        p.setObject(++i, timestamp(closedAt));
        p.setString(++i, disposition);
        p.setInt(++i, offers);
        p.setInt(++i, transfers);
        p.setBoolean(++i, slaBreached);
        p.setString(++i, originContactId);
        p.setLong(++i, lastDecisionSequence);
        p.setObject(++i, timestamp(lastDecisionAt));
        if (stored) {
            p.setString(++i, contactId);
        }
    }

    /** The row at the result set's cursor. */
    static ContactRow read(ResultSet r) throws SQLException {
        ContactRow row = new ContactRow(r.getString("contact_id"), true);
        row.customerKey = r.getString("customer_key");
        row.customerName = r.getString("customer_name");
        String channel = r.getString("channel");
        row.channel = channel == null ? null : Channel.fromWire(channel);
        row.subject = r.getString("subject");
        row.firstText = r.getString("first_text");
        row.queueId = r.getString("queue_id");
        row.ruleId = r.getString("rule_id");
        row.priority = r.getObject("priority", Integer.class);
        row.status = ContactStatus.valueOf(r.getString("status").toUpperCase(Locale.ROOT));
        row.ownerAgentId = r.getString("owner_agent_id");
        row.openedAt = instant(r, "opened_at");
        row.dueAt = instant(r, "due_at");
        row.queuedAt = instant(r, "queued_at");
        row.assignedAt = instant(r, "assigned_at");
        row.waitMillis = r.getObject("wait_ms", Long.class);
        row.endedAt = instant(r, "ended_at");
        row.closedAt = instant(r, "closed_at");
        row.disposition = r.getString("disposition");
        row.offers = r.getInt("offers");
        row.transfers = r.getInt("transfers");
        row.slaBreached = r.getBoolean("sla_breached");
        row.originContactId = r.getString("origin_contact_id");
        row.lastDecisionSequence = r.getLong("last_decision_sequence");
        row.lastDecisionAt = instant(r, "last_decision_at");
        return row;
    }

    ContactSummary summary(List<String> agents) {
        return new ContactSummary(contactId, customerKey, customerName, channel, subject, firstText, queueId, ruleId,
                priority, status, ownerAgentId, agents, openedAt, dueAt, queuedAt, assignedAt,
                waitMillis == null ? null : Duration.ofMillis(waitMillis), endedAt, closedAt, disposition, offers,
                transfers, slaBreached, originContactId);
    }

    static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(ResultSet r, String column) throws SQLException {
        OffsetDateTime t = r.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static void setInt(PreparedStatement p, int index, Integer value) throws SQLException {
        if (value == null) {
            p.setNull(index, Types.INTEGER);
        } else {
            p.setInt(index, value);
        }
    }

    private static <T> T or(T value, T otherwise) {
        return value != null ? value : otherwise;
    }
}
