package dev.cutover.core.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Holds a lock in an open transaction on its own connection until closed, e.g. so that probes of a table wait. */
public final class LockHolder implements AutoCloseable {

    private final Connection connection;

    /** Runs {@code sql} (e.g. {@code lock table t in access exclusive mode}) in a transaction left open. */
    public LockHolder(TestDatabase database, String sql) {
        try {
            connection = database.dataSource().getConnection();
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code LOCK TABLE <table> IN ACCESS EXCLUSIVE MODE}; the table name as SQL text, e.g. {@code "user"}. */
    public static LockHolder accessExclusive(TestDatabase database, String table) {
        return new LockHolder(database, "lock table " + table + " in access exclusive mode");
    }

    @Override
    public void close() {
        try {
            connection.rollback();
            connection.close();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
