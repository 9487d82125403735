package dev.cutover.core.migrate;

import dev.cutover.core.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;

/**
 * A transaction that has read a table and is then busy running {@code select pg_sleep(...)} on its own
 * thread: its state is {@code active}, not {@code idle in transaction}, while it holds its locks.
 * {@link #close()} cancels the sleep and rolls back.
 */
final class SleepingTransaction implements TableHolder {

    private final TestDatabase database;
    private final Connection connection;
    private final int pid;
    private final CompletableFuture<Void> sleeping;

    SleepingTransaction(TestDatabase database, String read, int seconds) {
        this.database = database;
        try {
            connection = database.dataSource().getConnection();
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            connection.setAutoCommit(false);
            try (Statement s = connection.createStatement()) {
                s.execute(read);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        sleeping = CompletableFuture.runAsync(() -> {
            try (Statement s = connection.createStatement()) {
                s.execute("select pg_sleep(" + seconds + ")");
            } catch (SQLException e) {
                // cancelled by close()
            }
        });
        while (!"active".equals(database.queryString("select coalesce(max(state), '') from pg_stat_activity where pid = " + pid))) {
            Thread.onSpinWait();
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
                database.queryString("select pg_cancel_backend(" + pid + ")::text");
                sleeping.join();
                connection.rollback();
                connection.close();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
