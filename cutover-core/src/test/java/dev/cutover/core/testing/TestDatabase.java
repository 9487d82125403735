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
import java.util.Objects;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh database for one test class, from the provider chain (explicit JDBC URL, else
 * Testcontainers, else embedded PostgreSQL), dropped by {@link #close()}.
 *
 * <p>A test class gets its database and lifecycle from one static field:
 * <pre>{@code
 * @RegisterExtension
 * static final TestDatabase database = TestDatabase.perClass(d -> db = d.runbookSchema().cutoverDatabase());
 * }</pre>
 * The database is created and set up before the class's {@code @BeforeAll} methods run and dropped
 * after its {@code @AfterAll} methods; {@link #create()} and {@link #embedded(int)} are for a
 * database a single test opens and closes itself.
 */
public final class TestDatabase implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    /** The runbook's schema ({@link RunbookSchema#DDL}): organizations and "user", without the foreign key (the migration adds it). */
    public static final String RUNBOOK_SCHEMA = RunbookSchema.DDL;

    private final Consumer<TestDatabase> setup;
    private volatile PostgresServer server;
    private volatile ScratchDatabase database;
    private String ownerId;

    private TestDatabase(PostgresServer server) {
        this.setup = null;
        this.server = server;
        this.database = server.createDatabase();
    }

    private TestDatabase(Consumer<TestDatabase> setup) {
        this.setup = Objects.requireNonNull(setup, "setup");
    }

    /**
     * A database for the test class holding it in a {@code @RegisterExtension static final} field:
     * created on the provider chain's server and given to {@code setup} before the class's
     * {@code @BeforeAll} methods, dropped after its {@code @AfterAll} methods.
     */
    public static TestDatabase perClass(Consumer<TestDatabase> setup) {
        return new TestDatabase(setup);
    }

    /** {@link #perClass(Consumer)} with an empty database. */
    public static TestDatabase perClass() {
        return perClass(database -> { });
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (setup == null || ownerId != null) {
            return; // opened by create()/embedded(), or a @Nested class of the class that opened it
        }
        ownerId = context.getUniqueId();
        server = PostgresServers.shared();
        database = server.createDatabase();
        setup.accept(this);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getUniqueId().equals(ownerId)) {
            ownerId = null;
            close();
        }
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
        return database().dataSource();
    }

    public String jdbcUrl() {
        return database().jdbcUrl();
    }

    /** The user {@link #jdbcUrl()} connects as. */
    public String user() {
        return database().user();
    }

    /** That user's password; {@code null} when the server trusts the user. */
    public String password() {
        return database().password();
    }

    public int majorVersion() {
        database();
        return server.majorVersion();
    }

    public String serverDescription() {
        database();
        return server.description();
    }

    /** A {@link CutoverDatabase} on this database with default settings. */
    public CutoverDatabase cutoverDatabase() {
        return CutoverDatabase.of(dataSource());
    }

    /** Runs SQL (several statements allowed). */
    public TestDatabase execute(String sql) {
        database().execute(sql);
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

    private ScratchDatabase database() {
        ScratchDatabase known = database;
        if (known == null) {
            throw new IllegalStateException("This test database is created before the class's @BeforeAll methods: "
                    + "hold TestDatabase.perClass(...) in a static field annotated @RegisterExtension");
        }
        return known;
    }

    @Override
    public void close() {
        ScratchDatabase known = database;
        if (known != null) {
            known.close();
        }
    }

    @Override
    public String toString() {
        ScratchDatabase known = database;
        return known == null ? "TestDatabase[not created yet]" : known.name() + " on " + server.description();
    }
}
