package dev.cutover.testkit;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.testkit.db.PostgresServer;
import dev.cutover.testkit.db.ScratchDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/** {@link TestDatabase} on a {@link ScratchDatabase}. Flyway is touched only inside {@link FlywaySupport}. */
final class DefaultTestDatabase implements TestDatabase {

    private final PostgresServer server;
    private final ScratchDatabase database;
    private final List<String> flywayLocations;
    private volatile CutoverDatabase cutoverDatabase;

    DefaultTestDatabase(PostgresServer server, ScratchDatabase database, List<String> flywayLocations) {
        this.server = server;
        this.database = database;
        this.flywayLocations = List.copyOf(flywayLocations);
    }

    @Override
    public DataSource dataSource() {
        return database.dataSource();
    }

    @Override
    public String jdbcUrl() {
        return database.jdbcUrl();
    }

    @Override
    public String user() {
        return database.user();
    }

    @Override
    public String name() {
        return database.name();
    }

    @Override
    public PostgresServer server() {
        return server;
    }

    @Override
    public TestDatabase execute(String sql) {
        database.execute(sql);
        return this;
    }

    @Override
    public long queryForLong(String sql) {
        String value = queryForString(sql);
        if (value == null) {
            throw new IllegalStateException("The query returned NULL, not a number, in test database " + name() + "\n  SQL: " + sql);
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("The query returned '" + value + "', not a whole number, in test database " + name()
                    + "\n  SQL: " + sql, e);
        }
    }

    @Override
    public String queryForString(String sql) {
        try (Connection connection = dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("The query returned no row in test database " + name() + "\n  SQL: " + sql);
            }
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed in test database " + name() + " (" + e.getSQLState() + "): "
                    + e.getMessage() + "\n  SQL: " + sql, e);
        }
    }

    @Override
    public CutoverDatabase cutoverDatabase() {
        CutoverDatabase known = cutoverDatabase;
        if (known == null) {
            known = CutoverDatabase.of(dataSource());
            cutoverDatabase = known;
        }
        return known;
    }

    @Override
    public FluentConfiguration flyway() {
        return FlywaySupport.configure(dataSource(), flywayLocations);
    }

    @Override
    public FluentConfiguration flyway(String... locations) {
        return FlywaySupport.configure(dataSource(), CutoverExtension.Options.checkLocations(locations));
    }

    @Override
    public CutoverFixtures fixtures() {
        return CutoverFixtures.of(dataSource());
    }

    ScratchDatabase scratch() {
        return database;
    }

    @Override
    public String toString() {
        return "TestDatabase[" + name() + " on " + server.description() + "]";
    }
}
