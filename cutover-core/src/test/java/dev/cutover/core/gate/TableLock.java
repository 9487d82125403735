package dev.cutover.core.gate;

import dev.cutover.core.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Holds {@code LOCK TABLE ... ACCESS EXCLUSIVE} in an open transaction until closed, so probes of that table wait. */
final class TableLock implements AutoCloseable {

    private final Connection connection;

    TableLock(TestDatabase database, String table) {
        try {
            connection = database.dataSource().getConnection();
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                s.execute("lock table " + table + " in access exclusive mode");
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
