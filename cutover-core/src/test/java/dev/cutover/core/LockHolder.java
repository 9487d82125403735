package dev.cutover.core;

import dev.cutover.core.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Holds a lock in an open transaction on its own connection until closed. */
final class LockHolder implements AutoCloseable {

    private final Connection connection;

    LockHolder(TestDatabase database, String sql) {
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
