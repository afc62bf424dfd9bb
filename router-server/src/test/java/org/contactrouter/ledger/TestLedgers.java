package org.contactrouter.ledger;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * The ledgers tests use: H2 in the test's folder, or, when {@code -Dledger.jdbc.url=jdbc:postgresql://host/db} is set
 * (with {@code ledger.jdbc.user} and {@code ledger.jdbc.password}), a fresh schema of that database per folder, so the
 * same tests check the same SQL on PostgreSQL. {@code -Dledger.jdbc.url=embedded-postgresql} starts a real PostgreSQL
 * server for the test run (the build's second surefire execution does this).
 */
final class TestLedgers {

    private static final String EMBEDDED = "embedded-postgresql";
    private static final String URL;
    private static final String USER;
    private static final String PASSWORD;

    static {
        String url = System.getProperty("ledger.jdbc.url", "");
        if (url.equals(EMBEDDED)) {
            try {
                io.zonky.test.db.postgres.embedded.EmbeddedPostgres pg =
                        io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        pg.close();
                    } catch (java.io.IOException e) {
                        // the JVM is exiting; the server's files are in a temporary directory
                    }
                }));
                URL = pg.getJdbcUrl("postgres", "postgres");
                USER = "postgres";
                PASSWORD = null;
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot start the embedded PostgreSQL server", e);
            }
        } else {
            URL = url;
            USER = System.getProperty("ledger.jdbc.user");
            PASSWORD = System.getProperty("ledger.jdbc.password");
        }
    }
    private static final Set<String> CREATED = new HashSet<>();

    private TestLedgers() {
    }

    static Ledger open(Path dir) {
        return URL.isEmpty() ? Ledger.h2(dir) : Ledger.open(url(dir), USER, PASSWORD);
    }

    /** A connection to the database of the ledger in {@code dir}, next to the ledger's own. */
    static Connection connect(Path dir) throws SQLException {
        return URL.isEmpty() ? DriverManager.getConnection(Ledger.h2Url(dir), "sa", "")
                : DriverManager.getConnection(url(dir), USER, PASSWORD);
    }

    private static synchronized String url(Path dir) {
        String schema = "ledger_test_" + Integer.toUnsignedString(dir.toAbsolutePath().hashCode(), 36);
        if (CREATED.add(schema)) {
            try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                s.execute("CREATE SCHEMA " + schema);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create schema " + schema + " in " + URL, e);
            }
        }
        return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }
}
