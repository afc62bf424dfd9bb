package org.contactrouter.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The statements the ledger runs on one connection, each with the ledger's query timeout, so that none of them waits
 * for ever on a database that stopped answering. The ledger's SQL goes through here, never through the connection.
 */
final class Statements {

    private final Connection connection;
    private final int timeoutSeconds;

    Statements(Connection connection, int timeoutSeconds) {
        this.connection = connection;
        this.timeoutSeconds = timeoutSeconds;
    }

    PreparedStatement prepare(String sql) throws SQLException {
        return timed(connection.prepareStatement(sql));
    }

    Statement create() throws SQLException {
        return timed(connection.createStatement());
    }

    /** The connection, for its transaction: commit, rollback, auto-commit. */
    Connection connection() {
        return connection;
    }

    private <S extends Statement> S timed(S statement) throws SQLException {
        try {
            statement.setQueryTimeout(timeoutSeconds);
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }
}
