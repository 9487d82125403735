package dev.cutover.testkit.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A database created for one test or test class, dropped by {@link #close()}.
 *
 * <pre>{@code
 * try (ScratchDatabase db = PostgresServers.shared().createDatabase()) {
 *     db.execute("create table \"user\" (id bigint primary key, organization_id bigint)");
 *     try (Connection c = db.dataSource().getConnection()) { ... }
 * }
 * }</pre>
 */
public final class ScratchDatabase implements AutoCloseable {

    private final String name;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final Runnable dropper;
    private final PGSimpleDataSource dataSource;
    private volatile boolean closed;

    ScratchDatabase(String name, String jdbcUrl, String user, String password, Runnable dropper) {
        this.name = Objects.requireNonNull(name, "name");
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        this.user = user;
        this.password = password;
        this.dropper = Objects.requireNonNull(dropper, "dropper");
        this.dataSource = new PGSimpleDataSource();
        this.dataSource.setURL(jdbcUrl);
        if (user != null) {
            this.dataSource.setUser(user);
        }
        if (password != null) {
            this.dataSource.setPassword(password);
        }
    }

    /** The database's name on the server. */
    public String name() {
        return name;
    }

    /** A JDBC URL for this database (user and password are given separately). */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The user to connect as. */
    public String user() {
        return user;
    }

    /** The password to connect with; {@code null} when the server trusts the user. */
    public String password() {
        return password;
    }

    /** A data source that opens a new connection to this database on every call. */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Runs SQL in one autocommit statement (several statements separated by {@code ;}
     * are allowed, as in a migration script).
     *
     * @throws IllegalStateException wrapping the driver's error, with the SQL in the message
     */
    public void execute(String sql) {
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed in test database " + name + " (" + e.getSQLState() + "): "
                    + e.getMessage() + "\n  SQL: " + sql, e);
        }
    }

    /** Disconnects every session of this database and drops it. Safe to call twice. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            dropper.run();
        }
    }

    @Override
    public String toString() {
        return "ScratchDatabase[" + name + " at " + jdbcUrl + "]";
    }
}
