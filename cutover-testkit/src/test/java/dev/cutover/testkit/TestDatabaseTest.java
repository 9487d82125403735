package dev.cutover.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TestDatabaseTest {

    @RegisterExtension
    static final CutoverExtension CUTOVER = CutoverExtension.builder().flywayLocations("classpath:db/testkit").build();

    @Test
    void connectsToItsOwnFreshDatabase(TestDatabase db) throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            assertThat(c.getCatalog()).isEqualTo(db.name());
        }
        assertThat(db.name()).startsWith("cutover_test_");
        assertThat(db.jdbcUrl()).contains("/" + db.name());
        assertThat(db.queryForString("select current_database()")).isEqualTo(db.name());
        assertThat(db.majorVersion()).isEqualTo(db.server().majorVersion()).isGreaterThanOrEqualTo(12);
    }

    @Test
    void runsSqlAndReadsValues(TestDatabase db) {
        db.execute("create table numbers (n int); insert into numbers values (1), (2), (3)");

        assertThat(db.queryForLong("select sum(n) from numbers")).isEqualTo(6);
        assertThat(db.queryForString("select null")).isNull();
    }

    @Test
    void queriesThatGiveNoNumberSayWhy(TestDatabase db) {
        assertThatThrownBy(() -> db.queryForLong("select null"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("The query returned NULL, not a number, in test database " + db.name() + "\n  SQL: select null");
        assertThatThrownBy(() -> db.queryForLong("select 'x'"))
                .hasMessage("The query returned 'x', not a whole number, in test database " + db.name() + "\n  SQL: select 'x'");
        assertThatThrownBy(() -> db.queryForString("select 1 where false"))
                .hasMessage("The query returned no row in test database " + db.name() + "\n  SQL: select 1 where false");
        assertThatThrownBy(() -> db.queryForLong("select * from missing"))
                .hasMessageStartingWith("SQL failed in test database " + db.name() + " (42P01): ERROR: relation \"missing\" does not exist")
                .hasMessageEndingWith("\n  SQL: select * from missing");
    }

    @Test
    void givesOneCutoverDatabase(TestDatabase db) {
        assertThat(db.cutoverDatabase()).isSameAs(db.cutoverDatabase());
        assertThat(db.cutoverDatabase().serverVersion().major()).isEqualTo(db.majorVersion());
    }

    @Test
    void flywayIsConfiguredWithTheDatabaseAndTheExtensionsLocations(TestDatabase db) {
        db.execute("create schema flyway_test");

        MigrateResult result = db.flyway().schemas("flyway_test").load().migrate();

        assertThat(result.migrationsExecuted).isEqualTo(1);
        assertThat(db.queryForString("select owner from flyway_test.accounts")).isEqualTo("ann");
    }

    @Test
    void flywayTakesOtherLocations(TestDatabase db) {
        assertThat(db.flyway("classpath:db/example").getLocations()).extracting(Object::toString)
                .containsExactly("classpath:db/example");
        assertThatThrownBy(() -> db.flyway(new String[0]))
                .hasMessage("flywayLocations needs at least one location, e.g. classpath:db/migration");
    }

    @Test
    void flywayWithoutFlywayOnTheClasspathNamesTheDependencies() {
        assertThatThrownBy(() -> FlywaySupport.requireFlyway(false, false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("TestDatabase.flyway(...) needs Flyway on the test classpath: add the test dependencies "
                        + "org.flywaydb:flyway-core and org.flywaydb:flyway-database-postgresql, or run your migration SQL "
                        + "with TestDatabase.execute(sql).");
        assertThatThrownBy(() -> FlywaySupport.requireFlyway(true, false))
                .hasMessage("TestDatabase.flyway(...) needs Flyway's PostgreSQL support on the test classpath (Flyway 10 and "
                        + "later ship it separately): add the test dependency org.flywaydb:flyway-database-postgresql.");
    }
}
