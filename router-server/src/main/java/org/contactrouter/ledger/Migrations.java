package org.contactrouter.ledger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Brings a database schema up to date: applies SQL files named {@code V<n>__<description>.sql} in order of {@code n},
 * each once, each in its own transaction with its row in {@code schema_version}. A file is a list of statements
 * separated by semicolons; lines starting with {@code --} are comments. Applied migrations are never edited: a change
 * is a new file.
 */
final class Migrations {

    private static final Pattern FILE = Pattern.compile("V(\\d+)__(\\w+)\\.sql");

    private record Migration(int version, String description, String resource) {
    }

    private Migrations() {
    }

    /** Applies the migrations (classpath resources) not applied yet, in order of version; returns how many. */
    static int apply(Statements statements, List<String> resources) throws SQLException {
        List<Migration> migrations = parse(resources);
        Connection connection = statements.connection();
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(true);
        try (Statement s = statements.create()) {
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
                    + " description VARCHAR(200) NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL)");
        }
        Set<Integer> applied = new HashSet<>();
        try (Statement s = statements.create(); ResultSet r = s.executeQuery("SELECT version FROM schema_version")) {
            while (r.next()) {
                applied.add(r.getInt(1));
            }
        }
        int count = 0;
        connection.setAutoCommit(false);
        try {
            for (Migration m : migrations) {
                if (applied.contains(m.version())) {
                    continue;
                }
                try (Statement s = statements.create()) {
                    for (String sql : statements(read(m.resource()))) {
                        s.execute(sql);
                    }
                }
                try (PreparedStatement p = statements.prepare(
                        "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, CURRENT_TIMESTAMP)")) {
                    p.setInt(1, m.version());
                    p.setString(2, m.description());
                    p.executeUpdate();
                }
                connection.commit();
                count++;
            }
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
        return count;
    }

    /** The statements of a migration file: split at semicolons, comment lines dropped. */
    static List<String> statements(String script) {
        StringBuilder code = new StringBuilder();
        script.lines().filter(line -> !line.strip().startsWith("--")).forEach(line -> code.append(line).append('\n'));
        List<String> statements = new ArrayList<>();
        for (String s : code.toString().split(";")) {
            if (!s.isBlank()) {
                statements.add(s.strip());
            }
        }
        return statements;
    }

    /** The migrations, by version; each resource named {@code V<version>__<description>.sql}. */
    private static List<Migration> parse(List<String> resources) {
        List<Migration> migrations = new ArrayList<>();
        for (String resource : resources) {
            Matcher m = FILE.matcher(resource.substring(resource.lastIndexOf('/') + 1));
            if (!m.matches()) {
                throw new IllegalStateException("migration '" + resource + "' is not named V<version>__<description>.sql");
            }
            migrations.add(new Migration(Integer.parseInt(m.group(1)), m.group(2), resource));
        }
        migrations.sort(Comparator.comparingInt(Migration::version));
        for (int i = 1; i < migrations.size(); i++) {
            if (migrations.get(i).version() == migrations.get(i - 1).version()) {
                throw new IllegalStateException("two migrations with version " + migrations.get(i).version());
            }
        }
        return migrations;
    }

    private static String read(String resource) {
        try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("migration " + resource + " vanished from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migration " + resource, e);
        }
    }
}
