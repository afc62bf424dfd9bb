package org.contactrouter.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.contactrouter.events.Identity;
import org.contactrouter.routing.DecisionType;
import org.contactrouter.routing.RoutingDecision;
import org.contactrouter.server.wire.DecisionJson;

/**
 * The relational record of routing: every decision once, and per contact who the customer was, where it queued,
 * every agent it was offered to, who accepted it and how it ended. Written from the {@code routing.decisions} topic
 * by {@link LedgerWriter}; read by people and reports through the queries here.
 *
 * <p>{@link #record} is idempotent: a decision whose id is recorded already changes nothing, so a batch delivered
 * twice (at-least-once consumption) leaves the ledger as it was after the first delivery.
 *
 * <p>Portable SQL, tested on H2 in PostgreSQL mode and written for PostgreSQL: the schema is applied at open by the
 * migrations listed in {@link #MIGRATIONS} and recorded in {@code schema_version}.
 *
 * <p>Thread-safe. It holds two connections: one for {@link #record}, one for the queries; calls of each kind take
 * turns on their connection, and a query runs next to a write, seeing only recorded batches, each query in one
 * snapshot. A connection that failed is replaced at its next use.
 */
public final class Ledger implements AutoCloseable {

    /** The schema, in order. A change to the schema is a new file here, never an edit of an applied one. */
    static final List<String> MIGRATIONS = List.of("db/ledger/V1__ledger.sql");

    /** A password in a JDBC URL, {@code ?password=...} or {@code ;PASSWORD=...}: never logged. */
    private static final Pattern PASSWORD_IN_URL = Pattern.compile("(?i)(password|pwd)=[^;&]*");

    /** Rows fetched at a time by long queries (PostgreSQL otherwise reads a whole result into memory). */
    private static final int FETCH_SIZE = 500;

    private static final String CONTACTS_WITH_AGENTS = "SELECT c.*, a.agent_id AS handled_by FROM contacts c"
            + " LEFT JOIN agent_contacts a ON a.contact_id = c.contact_id";

    private static final List<String> CSV_HEADER = List.of("contact_id", "opened_at", "channel", "customer_key",
            "customer_name", "subject", "queue_id", "rule_id", "status", "agents", "owner_agent_id", "queued_at",
            "assigned_at", "wait_seconds", "ended_at", "closed_at", "disposition", "offers", "transfers",
            "sla_breached", "origin_contact_id");

    private static final String INSERT_DECISION = "INSERT INTO decisions (id, sequence, contact_id, decided_at,"
            + " config_version, type, customer_key, channel, queue_id, rule_id, agent_id, previous_agent_id, offer_id,"
            + " due_at, priority, estimated_wait_ms, text, reason, cause_event_id, explanation, decision_json,"
            + " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)"
            + " ON CONFLICT DO NOTHING";
    private static final String INSERT_IDENTITY = "INSERT INTO identities (identity_key, customer_key, customer_name,"
            + " first_seen_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";
    private static final String NAME_IDENTITY = "UPDATE identities SET customer_name = ?"
            + " WHERE identity_key = ? AND customer_key = ?";
    private static final String INSERT_AGENT_CONTACT = "INSERT INTO agent_contacts (agent_id, contact_id, assigned_at)"
            + " VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
    private static final String LOCK_CONTACT = "SELECT * FROM contacts WHERE contact_id = ? FOR UPDATE";

    private final String url;
    private final String user;
    private final String password;
    private final Object writeLock = new Object();
    private final Object readLock = new Object();
    private Connection writer;
    private Connection reader;
    private volatile boolean closed;

    private Ledger(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** The embedded default: an H2 database in files {@code <dir>/ledger.*}, created with its schema on first open. */
    public static Ledger h2(Path dir) {
        return open(h2Url(dir), "sa", "");
    }

    /** Any database by JDBC URL, e.g. {@code jdbc:postgresql://db:5432/router}; its driver must be on the classpath. */
    public static Ledger open(String url, String user, String password) {
        Objects.requireNonNull(url, "url");
        Ledger ledger = new Ledger(url, user, password);
        synchronized (Ledger.class) {
            try {
                ledger.writer = ledger.connect(false);
                Migrations.apply(ledger.writer, MIGRATIONS);
            } catch (SQLException e) {
                ledger.close();
                throw new LedgerException("cannot open the ledger at " + redacted(url) + ": " + e.getMessage(), e);
            }
        }
        return ledger;
    }

    /**
     * H2 speaking PostgreSQL's dialect: the same SQL runs on both. WRITE_DELAY=0 writes each commit to the file before
     * it returns; with H2's default (500 ms) a killed process loses commits whose Kafka offsets are already committed.
     */
    static String h2Url(Path dir) {
        return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("ledger")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0";
    }

    // ------------------------------------------------------------------ writing

    /**
     * Records decisions in one transaction, in order. A decision already recorded (same id) is skipped with all its
     * effects; a new one is inserted and moves its contact's row on.
     *
     * @return how many decisions were new
     * @throws LedgerException when the database fails; nothing of the batch is recorded then
     */
    public int record(List<RoutingDecision> decisions) {
        Objects.requireNonNull(decisions, "decisions");
        synchronized (writeLock) {
            try {
                Connection c = writer();
                try {
                    int recorded = record(c, decisions);
                    c.commit();
                    return recorded;
                } catch (SQLException | RuntimeException e) {
                    rollback(c, e);
                    throw e;
                }
            } catch (SQLException e) {
                writer = discard(writer);
                throw new LedgerException("cannot record " + decisions.size() + " decision(s): " + e.getMessage(), e);
            }
        }
    }

    private static int record(Connection c, List<RoutingDecision> decisions) throws SQLException {
        int recorded = 0;
        Map<String, ContactRow> rows = new LinkedHashMap<>();
        try (PreparedStatement insert = c.prepareStatement(INSERT_DECISION);
             PreparedStatement identity = c.prepareStatement(INSERT_IDENTITY);
             PreparedStatement name = c.prepareStatement(NAME_IDENTITY);
             PreparedStatement handled = c.prepareStatement(INSERT_AGENT_CONTACT);
             PreparedStatement lock = c.prepareStatement(LOCK_CONTACT)) {
            for (RoutingDecision d : decisions) {
                if (!insert(insert, d)) {
                    continue;
                }
                recorded++;
                if (d.customer() != null && d.customerKey() != null) {
                    identities(identity, name, d);
                }
                if (d.contactId() == null || d.type() == DecisionType.REFUSED) {
                    continue;
                }
                ContactRow row = rows.get(d.contactId());
                if (row == null) {
                    row = load(lock, d.contactId()).orElseGet(() -> ContactRow.opened(d));
                    rows.put(d.contactId(), row);
                }
                row.apply(d);
                if (d.type() == DecisionType.ASSIGNED) {
                    handled.setString(1, d.agentId());
                    handled.setString(2, d.contactId());
                    handled.setObject(3, ContactRow.timestamp(d.decidedAt()));
                    handled.executeUpdate();
                }
            }
        }
        try (PreparedStatement update = c.prepareStatement(ContactRow.UPDATE);
             PreparedStatement create = c.prepareStatement(ContactRow.INSERT)) {
            for (ContactRow row : rows.values()) {
                PreparedStatement p = row.stored ? update : create;
                row.bind(p);
                p.executeUpdate();
            }
        }
        return recorded;
    }

    /** Inserts the decision unless its id is there; true when it was new. */
    private static boolean insert(PreparedStatement p, RoutingDecision d) throws SQLException {
        p.setString(1, d.id());
        p.setLong(2, d.sequence());
        p.setString(3, d.contactId());
        p.setObject(4, ContactRow.timestamp(d.decidedAt()));
        p.setString(5, d.configVersion());
        p.setString(6, DecisionJson.wireName(d.type()));
        p.setString(7, d.customerKey());
        p.setString(8, d.channel() == null ? null : d.channel().wireName());
        p.setString(9, d.queueId());
        p.setString(10, d.ruleId());
        p.setString(11, d.agentId());
        p.setString(12, d.previousAgentId());
        p.setString(13, d.offerId());
        p.setObject(14, ContactRow.timestamp(d.dueAt()));
        ContactRow.setInt(p, 15, d.priority());
        if (d.estimatedWait() == null) {
            p.setNull(16, Types.BIGINT);
        } else {
            p.setLong(16, d.estimatedWait().toMillis());
        }
        p.setString(17, d.text());
        p.setString(18, d.reason() == null ? null : DecisionJson.wireName(d.reason()));
        p.setString(19, d.causeEventId());
        p.setString(20, d.explanation() == null ? null : DecisionJson.write(d.explanation()));
        p.setString(21, DecisionJson.write(d));
        return p.executeUpdate() == 1;
    }

    /** Records each identity the decision shows under the decision's customer key (once per identity and key). */
    private static void identities(PreparedStatement insert, PreparedStatement name, RoutingDecision d)
            throws SQLException {
        for (Identity identity : d.customer().identities()) {
            insert.setString(1, identity.key());
            insert.setString(2, d.customerKey());
            insert.setString(3, d.customer().name());
            insert.setObject(4, ContactRow.timestamp(d.decidedAt()));
            if (insert.executeUpdate() == 0 && d.customer().name() != null) {
                name.setString(1, d.customer().name());
                name.setString(2, identity.key());
                name.setString(3, d.customerKey());
                name.executeUpdate();
            }
        }
    }

    private static Optional<ContactRow> load(PreparedStatement lock, String contactId) throws SQLException {
        lock.setString(1, contactId);
        try (ResultSet r = lock.executeQuery()) {
            return r.next() ? Optional.of(ContactRow.read(r)) : Optional.empty();
        }
    }

    // ------------------------------------------------------------------ queries

    /** The contact and all its decisions in order, or empty when no decision opened it. */
    public Optional<ContactHistory> contact(String contactId) {
        Objects.requireNonNull(contactId, "contactId");
        return query(c -> {
            List<ContactSummary> found = summaries(c, CONTACTS_WITH_AGENTS + " WHERE c.contact_id = ?"
                    + " ORDER BY a.assigned_at, a.agent_id", contactId);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            List<RoutingDecision> decisions = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT decision_json FROM decisions WHERE contact_id = ? ORDER BY sequence, id")) {
                p.setString(1, contactId);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        decisions.add(DecisionJson.read(r.getString(1)));
                    }
                }
            }
            return Optional.of(new ContactHistory(found.get(0), decisions));
        });
    }

    /**
     * A customer's contacts on every channel, newest first, with who handled them and how they ended: the contacts
     * under the customer key given, or under any customer key the identity given was shown with.
     *
     * @param keyOrIdentity the customer key, or any identity of the customer in any form {@link Identity#parse}
     *                      reads: {@code tel:+4917012345678}, {@code +49 170 12345678}, {@code ann@example.com},
     *                      {@code chat:v-81f2}
     */
    public List<ContactSummary> customerContacts(String keyOrIdentity) {
        Objects.requireNonNull(keyOrIdentity, "keyOrIdentity");
        String key = identityKey(keyOrIdentity);
        return query(c -> summaries(c, CONTACTS_WITH_AGENTS + " WHERE c.customer_key = ? OR c.customer_key IN"
                + " (SELECT customer_key FROM identities WHERE identity_key = ?)"
                + " ORDER BY c.opened_at DESC, c.contact_id DESC, a.assigned_at, a.agent_id", key, key));
    }

    /** The ids of all decisions recorded: what the audit compares with the decision log. */
    public java.util.Set<String> decisionIds() {
        return query(c -> {
            java.util.Set<String> ids = new java.util.HashSet<>();
            try (PreparedStatement p = c.prepareStatement("SELECT id FROM decisions"); ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getString(1));
                }
            }
            return ids;
        });
    }

    /** An identity in its key form ({@code tel:+49...}), or the text as it is when it is not an identity. */
    private static String identityKey(String text) {
        try {
            return Identity.parse(text).key();
        } catch (IllegalArgumentException e) {
            return text.strip();
        }
    }

    /** The contacts an agent accepted at or after {@code since}, newest first. */
    public List<ContactSummary> agentContacts(String agentId, Instant since) {
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(since, "since");
        return query(c -> summaries(c, CONTACTS_WITH_AGENTS + " WHERE c.contact_id IN (SELECT contact_id"
                + " FROM agent_contacts WHERE agent_id = ? AND assigned_at >= ?)"
                + " ORDER BY c.opened_at DESC, c.contact_id DESC, a.assigned_at, a.agent_id",
                agentId, ContactRow.timestamp(since)));
    }

    /** Per queue, by queue id: the contacts that entered it at or after {@code since}, and how they were served. */
    public List<QueueStats> queueStats(Instant since) {
        Objects.requireNonNull(since, "since");
        return query(c -> {
            List<QueueStats> stats = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT queue_id, COUNT(*) AS contacts,"
                    + " COUNT(assigned_at) AS answered,"
                    + " SUM(CASE WHEN status = 'abandoned' THEN 1 ELSE 0 END) AS abandoned,"
                    + " SUM(wait_ms) AS wait_ms, COUNT(wait_ms) AS waits,"
                    + " SUM(CASE WHEN sla_breached THEN 1 ELSE 0 END) AS breaches"
                    + " FROM contacts WHERE queued_at >= ? AND queue_id IS NOT NULL"
                    + " GROUP BY queue_id ORDER BY queue_id")) {
                p.setObject(1, ContactRow.timestamp(since));
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        long waits = r.getLong("waits");
                        stats.add(new QueueStats(r.getString("queue_id"), r.getLong("contacts"), r.getLong("answered"),
                                r.getLong("abandoned"), waits == 0 ? null : Duration.ofMillis(r.getLong("wait_ms") / waits),
                                r.getLong("breaches")));
                    }
                }
            }
            return stats;
        });
    }

    /**
     * Writes the contacts opened in {@code [from, to)} as CSV (RFC 4180: a header row, CRLF line ends, fields with a
     * comma, quote or line break in double quotes), oldest first. Times in RFC 3339, UTC; {@code agents} lists every
     * agent who accepted the contact, separated by spaces. Rows are streamed to {@code out} as they are read; other
     * queries wait until the export is written.
     */
    public void exportCsv(Instant from, Instant to, Writer out) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(out, "out");
        try {
            csvLine(out, CSV_HEADER);
            query(c -> {
                each(c, CONTACTS_WITH_AGENTS + " WHERE c.opened_at >= ? AND c.opened_at < ?"
                        + " ORDER BY c.opened_at, c.contact_id, a.assigned_at, a.agent_id", s -> {
                    try {
                        csvLine(out, csvFields(s));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, ContactRow.timestamp(from), ContactRow.timestamp(to));
                return null;
            });
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the CSV export", e);
        }
    }

    private static List<Object> csvFields(ContactSummary s) {
        return Arrays.asList(s.contactId(), s.openedAt(), s.channel() == null ? null : s.channel().wireName(),
                s.customerKey(), s.customerName(), s.subject(), s.queueId(), s.ruleId(),
                s.status().name().toLowerCase(Locale.ROOT), String.join(" ", s.agents()), s.ownerAgentId(),
                s.queuedAt(), s.assignedAt(), s.waitToAnswer() == null ? null
                        : BigDecimal.valueOf(s.waitToAnswer().toMillis(), 3).stripTrailingZeros().toPlainString(),
                s.endedAt(), s.closedAt(), s.disposition(), s.offers(), s.transfers(), s.slaBreached(),
                s.originContactId());
    }

    private static void csvLine(Writer out, List<?> fields) throws IOException {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            Object value = fields.get(i);
            String s = value == null ? "" : value.toString();
            if (value instanceof String && !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
                // A customer's text that a spreadsheet would run as a formula is shown as the text it is.
                s = "'" + s;
            }
            if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
                out.write('"');
                out.write(s.replace("\"", "\"\""));
                out.write('"');
            } else {
                out.write(s);
            }
        }
        out.write("\r\n");
    }

    /** Contacts with their agents, from {@link #CONTACTS_WITH_AGENTS} rows ordered by contact then assignment. */
    private static List<ContactSummary> summaries(Connection c, String sql, Object... parameters) throws SQLException {
        List<ContactSummary> summaries = new ArrayList<>();
        each(c, sql, summaries::add, parameters);
        return summaries;
    }

    /** Streams the contacts of a {@link #CONTACTS_WITH_AGENTS} query, one summary per contact, to {@code sink}. */
    private static void each(Connection c, String sql, Consumer<ContactSummary> sink, Object... parameters)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setFetchSize(FETCH_SIZE);
            for (int i = 0; i < parameters.length; i++) {
                p.setObject(i + 1, parameters[i]);
            }
            try (ResultSet r = p.executeQuery()) {
                ContactRow row = null;
                List<String> agents = new ArrayList<>();
                while (r.next()) {
                    String id = r.getString("contact_id");
                    if (row != null && !row.contactId.equals(id)) {
                        sink.accept(row.summary(agents));
                        agents.clear();
                    }
                    if (row == null || !row.contactId.equals(id)) {
                        row = ContactRow.read(r);
                    }
                    String agent = r.getString("handled_by");
                    if (agent != null) {
                        agents.add(agent);
                    }
                }
                if (row != null) {
                    sink.accept(row.summary(agents));
                }
            }
        }
    }

    private interface Query<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs a query in one read-only snapshot on the query connection. */
    private <T> T query(Query<T> query) {
        synchronized (readLock) {
            try {
                Connection c = reader();
                try {
                    T result = query.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollback(c, e);
                    throw e;
                }
            } catch (SQLException e) {
                reader = discard(reader);
                throw new LedgerException("ledger query failed: " + e.getMessage(), e);
            }
        }
    }

    // ------------------------------------------------------------------ connections

    private Connection writer() throws SQLException {
        if (writer == null) {
            writer = connect(false);
        }
        return writer;
    }

    private Connection reader() throws SQLException {
        if (reader == null) {
            reader = connect(true);
        }
        return reader;
    }

    private Connection connect(boolean readOnly) throws SQLException {
        if (closed) {
            throw new SQLException("the ledger is closed");
        }
        Connection c;
        try {
            c = DriverManager.getConnection(url, user, password);
        } catch (SQLException e) {
            // Drivers put the URL in their messages; the URL may hold the password.
            SQLException safe = new SQLException(redacted(e.getMessage()), e.getSQLState(), e.getErrorCode());
            safe.setStackTrace(e.getStackTrace());
            throw safe;
        }
        try {
            c.setAutoCommit(false);
            if (readOnly) {
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
            }
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    private static String redacted(String text) {
        return text == null ? null : PASSWORD_IN_URL.matcher(text).replaceAll("$1=***");
    }

    private static void rollback(Connection c, Exception failure) {
        try {
            c.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    private static Connection discard(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // It failed already; the next use opens a new one.
            }
        }
        return null;
    }

    /** Closes both connections. Calls after this fail with {@link LedgerException}. */
    @Override
    public void close() {
        closed = true;
        synchronized (writeLock) {
            writer = discard(writer);
        }
        synchronized (readLock) {
            reader = discard(reader);
        }
    }
}
