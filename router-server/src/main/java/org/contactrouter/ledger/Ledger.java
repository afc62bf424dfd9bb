package org.contactrouter.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.sql.Types;
import java.time.Clock;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * <p>Thread-safe. Its connections come from a small pool: {@link #record} calls take turns, queries run next to
 * them and to each other, each query in one snapshot, seeing only recorded batches. A connection that failed is
 * dropped by the pool and replaced.
 *
 * <p>Nothing waits for the database for ever: connecting, borrowing a connection and every statement are bounded by
 * the ledger's timeout (for PostgreSQL also the driver's {@code connectTimeout}, {@code loginTimeout} and
 * {@code socketTimeout}, unless the URL sets them). A call that runs out of time fails with a
 * {@link LedgerException} saying so. {@link #health()} tells without waiting whether the database answered its last
 * check, which runs in the background.
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

    /** How long the database may take to connect or to answer one statement, unless told otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** At most this many connections: the writer, the health check, and queries side by side. */
    private static final int POOL_SIZE = 6;
    /** The background health check runs this often, or at the timeout when that is shorter. */
    private static final Duration HEALTH_INTERVAL = Duration.ofSeconds(5);

    private final String where;
    private final Duration timeout;
    private final int timeoutSeconds;
    private final Clock clock = Clock.systemUTC();
    private final Object writeLock = new Object();
    private final HikariDataSource pool;
    private final ScheduledExecutorService healthChecks;
    private volatile Health health;

    /**
     * What the ledger's last background check found; {@link #health()} returns it without waiting.
     *
     * @param status        {@code ok}, or {@code unreachable: <reason>}
     * @param lastSuccessAt when the database last answered a check, or null if it never did
     * @param checkedAt     when the last check ended
     */
    public record Health(String status, Instant lastSuccessAt, Instant checkedAt) {
        public boolean ok() {
            return status.equals("ok");
        }
    }

    private Ledger(String url, HikariDataSource pool, Duration timeout) {
        this.where = redacted(url);
        this.pool = pool;
        this.timeout = timeout;
        this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
        Instant now = clock.instant();
        this.health = new Health("ok", now, now);
        this.healthChecks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ledger-health");
            t.setDaemon(true);
            return t;
        });
        long every = Math.min(HEALTH_INTERVAL.toMillis(), timeout.toMillis());
        healthChecks.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }

    /** The embedded default: an H2 database in files {@code <dir>/ledger.*}, created with its schema on first open. */
    public static Ledger h2(Path dir) {
        return h2(dir, DEFAULT_TIMEOUT);
    }

    /** {@link #h2(Path)} with the time a connection or statement may take. */
    public static Ledger h2(Path dir, Duration timeout) {
        return open(h2Url(dir), "sa", "", timeout);
    }

    /** Any database by JDBC URL, e.g. {@code jdbc:postgresql://db:5432/router}; its driver must be on the classpath. */
    public static Ledger open(String url, String user, String password) {
        return open(url, user, password, DEFAULT_TIMEOUT);
    }

    /**
     * {@link #open(String, String, String)} with the time connecting, borrowing a connection and each statement may
     * take (at least 1 s).
     *
     * @throws LedgerException naming the database (never its password) when it cannot be opened within that time
     */
    public static Ledger open(String url, String user, String password, Duration timeout) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected at least 1 s)");
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(poolConfig(url, user, password, timeout));
        } catch (RuntimeException e) {
            throw new LedgerException("cannot open the ledger at " + redacted(url) + ": " + reason(e), safe(e));
        }
        Ledger ledger = new Ledger(url, pool, timeout);
        synchronized (Ledger.class) {
            try (Connection c = pool.getConnection()) {
                Migrations.apply(new Statements(c, ledger.timeoutSeconds), MIGRATIONS);
            } catch (SQLException | RuntimeException e) {
                ledger.close();
                throw new LedgerException("cannot open the ledger at " + ledger.where + ": " + reason(e), safe(e));
            }
        }
        return ledger;
    }

    private static HikariConfig poolConfig(String url, String user, String password, Duration timeout) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("ledger");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setAutoCommit(false);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(timeout.toMillis());
        config.setValidationTimeout(Math.max(250, timeout.toMillis() / 2));
        config.setInitializationFailTimeout(timeout.toMillis());
        if (url.startsWith("jdbc:postgresql:")) {
            // The driver's defaults wait for ever on a server that accepted the connection but does not answer.
            // These are defaults: the same names in the URL win.
            String seconds = String.valueOf(Math.max(1, timeout.toSeconds()));
            config.addDataSourceProperty("connectTimeout", seconds);
            config.addDataSourceProperty("loginTimeout", seconds);
            config.addDataSourceProperty("socketTimeout", seconds);
        }
        return config;
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
            try (Connection c = pool.getConnection()) {
                try {
                    int recorded = record(new Statements(c, timeoutSeconds), decisions);
                    c.commit();
                    return recorded;
                } catch (SQLException | RuntimeException e) {
                    rollback(c, e);
                    throw e;
                }
            } catch (SQLException e) {
                throw failure("cannot record " + decisions.size() + " decision(s)", e);
            }
        }
    }

    private static int record(Statements c, List<RoutingDecision> decisions) throws SQLException {
        int recorded = 0;
        Map<String, ContactRow> rows = new LinkedHashMap<>();
        try (PreparedStatement insert = c.prepare(INSERT_DECISION);
             PreparedStatement identity = c.prepare(INSERT_IDENTITY);
             PreparedStatement name = c.prepare(NAME_IDENTITY);
             PreparedStatement handled = c.prepare(INSERT_AGENT_CONTACT);
             PreparedStatement lock = c.prepare(LOCK_CONTACT)) {
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
        try (PreparedStatement update = c.prepare(ContactRow.UPDATE);
             PreparedStatement create = c.prepare(ContactRow.INSERT)) {
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
            try (PreparedStatement p = c.prepare(
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
            try (PreparedStatement p = c.prepare("SELECT id FROM decisions"); ResultSet r = p.executeQuery()) {
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
            try (PreparedStatement p = c.prepare("SELECT queue_id, COUNT(*) AS contacts,"
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
     * agent who accepted the contact, separated by spaces. Rows are streamed to {@code out} as they are read, in
     * one snapshot.
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
    private static List<ContactSummary> summaries(Statements c, String sql, Object... parameters) throws SQLException {
        List<ContactSummary> summaries = new ArrayList<>();
        each(c, sql, summaries::add, parameters);
        return summaries;
    }

    /** Streams the contacts of a {@link #CONTACTS_WITH_AGENTS} query, one summary per contact, to {@code sink}. */
    private static void each(Statements c, String sql, Consumer<ContactSummary> sink, Object... parameters)
            throws SQLException {
        try (PreparedStatement p = c.prepare(sql)) {
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
        T run(Statements c) throws SQLException;
    }

    /** Runs a query in one read-only snapshot on a connection of the pool. */
    private <T> T query(Query<T> query) {
        try (Connection c = pool.getConnection()) {
            try {
                c.setReadOnly(true);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                T result = query.run(new Statements(c, timeoutSeconds));
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw failure("ledger query failed", e);
        }
    }

    // ------------------------------------------------------------------ health

    /**
     * The ledger's state as its last background check found it, at once: the check runs every few seconds (at most
     * the timeout apart), and a database that does not answer within the timeout is {@code unreachable}.
     */
    public Health health() {
        return health;
    }

    private void check() {
        try (Connection c = pool.getConnection();
             PreparedStatement p = new Statements(c, timeoutSeconds).prepare("SELECT 1");
             ResultSet r = p.executeQuery()) {
            r.next();
            c.rollback();
            Instant now = clock.instant();
            health = new Health("ok", now, now);
        } catch (SQLException | RuntimeException e) {
            Health was = health;
            health = new Health("unreachable: " + explain(e), was.lastSuccessAt(), clock.instant());
        }
    }

    // ------------------------------------------------------------------ failures

    /** A LedgerException for a failed call: a database that did not answer in time is said to be so. */
    private LedgerException failure(String what, SQLException e) {
        return new LedgerException(what + ": " + explain(e), safe(e));
    }

    private String explain(Exception e) {
        String reason = reason(e);
        return timedOut(e) ? "the database at " + where + " did not answer within " + timeout.toSeconds() + " s ("
                + reason + ")" : reason;
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTimeoutException || t instanceof SQLTransientConnectionException
                    || t instanceof java.net.SocketTimeoutException
                    || t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    /** The messages of an exception and its causes, each once, without passwords. */
    private static String reason(Throwable e) {
        List<String> messages = new ArrayList<>();
        for (Throwable t = e; t != null && messages.size() < 3; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (messages.stream().noneMatch(seen -> seen.contains(m))) {
                messages.add(m);
            }
        }
        return redacted(String.join(": ", messages));
    }

    /**
     * The failure as a cause that can be logged: drivers put the URL, which may hold the password, in their messages.
     */
    private static Exception safe(Throwable e) {
        Exception safe = new SQLException(reason(e), e instanceof SQLException sql ? sql.getSQLState() : null);
        safe.setStackTrace(e.getStackTrace());
        return safe;
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

    /** Stops the health check and closes the pool's connections. Calls after this fail with {@link LedgerException}. */
    @Override
    public void close() {
        healthChecks.shutdownNow();
        pool.close();
    }
}
