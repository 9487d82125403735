package dev.cutover.testkit;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.testkit.db.PostgresServer;
import javax.sql.DataSource;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * The database of one test class: created fresh before the class's first use, dropped after
 * the class. Declare it as a parameter of a test, {@code @BeforeAll}, {@code @BeforeEach} or
 * other lifecycle method of a class with {@link CutoverTest @CutoverTest} (or a registered
 * {@link CutoverExtension}); every method of the class gets the same database.
 *
 * <pre>{@code
 * @CutoverTest
 * class SignupTest {
 *     @BeforeAll
 *     static void schema(TestDatabase db) {
 *         db.execute("create table \"user\" (id bigint generated always as identity primary key, email text not null, "
 *                 + "organization_id bigint)");
 *     }
 *
 *     @Test
 *     void countsUsers(TestDatabase db) {
 *         db.execute("insert into \"user\" (email) values ('ann@example.com')");
 *         assertThat(db.queryForLong("select count(*) from \"user\"")).isEqualTo(1);
 *         db.flyway().load().migrate();          // with flyway-core on the test classpath
 *     }
 * }
 * }</pre>
 */
public interface TestDatabase {

    /** A data source for this database; every call to {@code getConnection()} opens a new connection. */
    DataSource dataSource();

    /** The JDBC URL of this database, e.g. {@code jdbc:postgresql://localhost:41235/cutover_test_3f9a0c?user=postgres}. */
    String jdbcUrl();

    /** The user to connect as. */
    String user();

    /** The database's name on the server. */
    String name();

    /** The server this database lives on (its version, where it comes from). */
    PostgresServer server();

    /** The server's major version, e.g. {@code 18}. */
    default int majorVersion() {
        return server().majorVersion();
    }

    /**
     * Runs SQL in autocommit mode; several statements separated by {@code ;} are allowed, as
     * in a migration script.
     *
     * @return this database, to chain calls
     * @throws IllegalStateException with the server's SQLSTATE and message, and the SQL
     */
    TestDatabase execute(String sql);

    /**
     * The first column of the first row as a number, e.g. {@code select count(*) from "user"}.
     *
     * @throws IllegalStateException when the query fails, returns no row, or returns NULL
     */
    long queryForLong(String sql);

    /**
     * The first column of the first row as text; {@code null} for SQL NULL.
     *
     * @throws IllegalStateException when the query fails or returns no row
     */
    String queryForString(String sql);

    /** A {@link CutoverDatabase} on this database, with default settings; made once per test database. */
    CutoverDatabase cutoverDatabase();

    /**
     * A Flyway configuration for this database with the locations configured on the extension
     * ({@link CutoverTest#flywayLocations()}, {@link CutoverExtension.Builder#flywayLocations});
     * add callbacks or settings, then {@code load().migrate()}. Needs
     * {@code org.flywaydb:flyway-core} and {@code flyway-database-postgresql} on the test classpath.
     *
     * @throws IllegalStateException naming the dependency to add when Flyway is missing
     */
    FluentConfiguration flyway();

    /** As {@link #flyway()}, with these locations instead, e.g. {@code "classpath:db/cutover"}. */
    FluentConfiguration flyway(String... locations);

    /** Fixtures on this database: NULL rows in your own tables. */
    CutoverFixtures fixtures();
}
