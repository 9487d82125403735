package dev.cutover.core.testing;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.runbook.RunbookSchema;
import dev.cutover.testkit.db.PostgresServer;
import dev.cutover.testkit.db.PostgresServers;
import dev.cutover.testkit.db.ScratchDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * A fresh database for one test class, from the provider chain (explicit JDBC URL, else
 * Testcontainers, else embedded PostgreSQL), dropped by {@link #close()}.
 */
public final class TestDatabase implements AutoCloseable {

    /** The runbook's schema ({@link RunbookSchema#DDL}): organizations and "user", without the foreign key (the migration adds it). */
    public static final String RUNBOOK_SCHEMA = RunbookSchema.DDL;

    private final PostgresServer server;
    private final ScratchDatabase database;

    private TestDatabase(PostgresServer server) {
        this.server = server;
        this.database = server.createDatabase();
    }

    /** On the server the provider chain picks. */
    public static TestDatabase create() {
        return new TestDatabase(PostgresServers.shared());
    }

    /** On embedded PostgreSQL of this major version. */
    public static TestDatabase embedded(int major) {
        return new TestDatabase(PostgresServers.embedded(major));
    }

    public DataSource dataSource() {
        return database.dataSource();
    }

    public String jdbcUrl() {
        return database.jdbcUrl();
    }

    public int majorVersion() {
        return server.majorVersion();
    }

    public String serverDescription() {
        return server.description();
    }

    /** A {@link CutoverDatabase} on this database with default settings. */
    public CutoverDatabase cutoverDatabase() {
        return CutoverDatabase.of(dataSource());
    }

    /** Runs SQL (several statements allowed). */
    public TestDatabase execute(String sql) {
        database.execute(sql);
        return this;
    }

    /** The runbook's tables, empty. */
    public TestDatabase runbookSchema() {
        return execute(RUNBOOK_SCHEMA);
    }

    /** The first column of the first row, as a long. */
    public long queryLong(String sql) {
        try (Connection c = dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** The first column of the first row, as a string. */
    public String queryString(String sql) {
        try (Connection c = dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    @Override
    public void close() {
        database.close();
    }

    @Override
    public String toString() {
        return database.name() + " on " + server.description();
    }
}
