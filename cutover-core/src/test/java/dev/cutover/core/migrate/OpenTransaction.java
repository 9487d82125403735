package dev.cutover.core.migrate;

import dev.cutover.core.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** A transaction left open on its own connection after running some SQL, holding its locks until closed. */
final class OpenTransaction implements TableHolder {

    private final Connection connection;
    private final int pid;

    OpenTransaction(TestDatabase database, String sql) {
        try {
            connection = database.dataSource().getConnection();
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public synchronized void close() {
        try {
            if (!connection.isClosed()) {
                connection.rollback();
                connection.close();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
