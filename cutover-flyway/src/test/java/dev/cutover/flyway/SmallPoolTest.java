package dev.cutover.flyway;

import static dev.cutover.flyway.Runbook.cutover;
import static dev.cutover.flyway.Runbook.cutoverFailure;
import static dev.cutover.flyway.Runbook.isNullable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.core.testing.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The callback takes no connection of its own: a HikariCP pool as small as Flyway alone needs
 * is enough with the callback, for the cutover migration, for the guard of later migrations
 * and for a non-transactional one.
 */
class SmallPoolTest {

    private TestDatabase db;

    @BeforeEach
    void threeNullUsers() {
        db = TestDatabase.create();
        Runbook.tablesWithThreeNullUsers(db, "cutoverbase");
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    private HikariDataSource pool(int size) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(db.dataSource());
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(1_000);
        return new HikariDataSource(config);
    }

    /** The smallest pool Flyway alone migrates with (on a scratch copy of the history it needs, V16 only). */
    private int smallestPoolForFlywayAlone() {
        for (int size = 1; size <= 3; size++) {
            try (TestDatabase scratch = TestDatabase.create(); HikariDataSource pool = poolOf(scratch, size)) {
                Flyway.configure().dataSource(pool).locations("classpath:dev/cutover/flyway/cutoverbase").load().migrate();
                return size;
            } catch (RuntimeException e) {
                // too small: Flyway waited for a connection the pool did not have
            }
        }
        throw new AssertionError("Flyway alone did not migrate with a pool of 3");
    }

    private static HikariDataSource poolOf(TestDatabase database, int size) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(database.dataSource());
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(1_000);
        return new HikariDataSource(config);
    }

    @Test
    void blocksAndThenMigratesWithThePoolFlywayAloneNeeds() {
        int size = smallestPoolForFlywayAlone();
        assertThat(size).as("Flyway alone migrates PostgreSQL with a main and a migration connection").isEqualTo(2);
        try (HikariDataSource pool = pool(size)) {
            Throwable blocked = catchThrowable(() -> flyway(pool, "cutoverbase").load().migrate());
            assertThat(cutoverFailure(blocked).reason()).isEqualTo(CutoverMigrationException.Reason.NULLS_REMAIN);

            db.execute("update \"user\" set organization_id = 1");
            flyway(pool, "cutoverbase").load().migrate();
            assertThat(isNullable(db)).isEqualTo("NO");

            flyway(pool, "cutoverbase", "late/harmless").load().migrate();
            assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '18' and success")).isOne();
            assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
        }
    }

    @Test
    void guardsANonTransactionalLaterMigrationWithThePoolFlywayAloneNeeds() {
        int size = smallestPoolForFlywayAlone();
        db.execute("update \"user\" set organization_id = 1");
        try (HikariDataSource pool = pool(size)) {
            flyway(pool, "cutoverbase").load().migrate();

            Throwable refused = catchThrowable(() -> flyway(pool, "cutoverbase", "late/nontx").load().migrate());

            assertThat(cutoverFailure(refused).reason()).isEqualTo(CutoverMigrationException.Reason.GUARD_REFUSED);
            assertThat(isNullable(db)).isEqualTo("NO");
        }
    }

    private static org.flywaydb.core.api.configuration.FluentConfiguration flyway(HikariDataSource pool, String... locations) {
        String[] full = new String[locations.length];
        for (int i = 0; i < locations.length; i++) {
            full[i] = "classpath:dev/cutover/flyway/" + locations[i];
        }
        return Flyway.configure().dataSource(pool).locations(full).callbacks(CutoverCallback.forMigration("17", cutover()).build());
    }
}
