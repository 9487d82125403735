package dev.cutover.flyway;

import static dev.cutover.flyway.Runbook.cutover;
import static dev.cutover.flyway.Runbook.cutoverFailure;
import static dev.cutover.flyway.Runbook.flyway;
import static dev.cutover.flyway.Runbook.historyRows;
import static dev.cutover.flyway.Runbook.isNullable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutover.core.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gate fails closed when no migration of the project is the configured cutover migration. */
class UnmatchedMigrationTest {

    private TestDatabase db;

    @BeforeEach
    void tablesWithNullUsers() {
        db = TestDatabase.create();
        Runbook.tablesWithThreeNullUsers(db, "guard");
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    @Test
    void refusesToMigrateWhenNoMigrationHasTheConfiguredVersion() {
        CutoverCallback callback = CutoverCallback.forMigration("170", cutover()).build();

        Throwable refused = catchThrowable(() -> flyway(db.dataSource(), "guard", callback).load().migrate());

        CutoverMigrationException failure = cutoverFailure(refused);
        assertThat(failure.reason()).isEqualTo(CutoverMigrationException.Reason.NO_SUCH_MIGRATION);
        assertThat(failure.getMessage()).isEqualTo("No migration has version 170, the cutover migration of "
                + "public.\"user\".organization_id, so nothing is migrated: the gate would not see it run. Migrations: 16 "
                + "(applied), 17 (pending), 18 (pending). Configure the cutover migration's version as Flyway "
                + "names it, then re-run.");
        assertThat(historyRows(db, "17")).isZero();
        assertThat(isNullable(db)).isEqualTo("YES");
    }

    @Test
    void refusesToMigrateWhenNoMigrationHasTheConfiguredScript() {
        CutoverCallback callback = CutoverCallback.forScript("V17__user_org_notnull.sql", cutover()).build();

        Throwable refused = catchThrowable(() -> flyway(db.dataSource(), "guard", callback).load().migrate());

        assertThat(cutoverFailure(refused).getMessage()).startsWith("No migration has script V17__user_org_notnull.sql, the "
                + "cutover migration of public.\"user\".organization_id, so nothing is migrated: the gate would not see it run. "
                + "Migrations: V16__runbook_tables.sql (applied), V17__user_org_not_null.sql (pending), "
                + "V18__drop_org_not_null.sql (pending).");
        assertThat(historyRows(db, "17")).isZero();
    }

    @Test
    void aVersionWithLeadingZerosOrATrailingZeroIsTheSameVersion() {
        for (String version : new String[] {"017", "17.0"}) {
            CutoverCallback callback = CutoverCallback.forMigration(version, cutover()).build();

            Throwable refused = catchThrowable(() -> flyway(db.dataSource(), "guard", callback).target("17").load().migrate());

            assertThat(cutoverFailure(refused).reason()).as(version).isEqualTo(CutoverMigrationException.Reason.NULLS_REMAIN);
        }
        db.execute("update \"user\" set organization_id = 1");
        flyway(db.dataSource(), "guard", CutoverCallback.forMigration("017", cutover()).build()).target("17").load().migrate();
        assertThat(historyRows(db, "17")).isOne();
    }

    @Test
    void anAppliedCutoverMigrationMatches() {
        db.execute("update \"user\" set organization_id = 1");
        flyway(db.dataSource(), "guard", CutoverCallback.forMigration("17", cutover()).build()).target("17").load().migrate();
        db.execute("create table later (id int)");

        Throwable refused = catchThrowable(() -> flyway(db.dataSource(), "guard", CutoverCallback.forMigration("17", cutover())
                .build()).load().migrate());

        assertThat(cutoverFailure(refused).reason()).isEqualTo(CutoverMigrationException.Reason.GUARD_REFUSED);
    }
}
