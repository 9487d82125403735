package dev.cutover.flyway;

import static dev.cutover.flyway.Runbook.cutover;
import static dev.cutover.flyway.Runbook.cutoverFailure;
import static dev.cutover.flyway.Runbook.isNullable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutover.core.testing.TestDatabase;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guard holds for any migration that runs once the cutover is applied: whatever its version,
 * order or transactionality, a migration that would take the NOT NULL (or the constraint that
 * carries it, or the foreign key) away is refused before it runs, and no migration runs on top of
 * a NOT NULL that is already gone.
 */
class GuardBeforeEachMigrationTest {

    private static final String ROOT = "classpath:dev/cutover/flyway/";

    private TestDatabase db;

    @BeforeEach
    void cutoverApplied() {
        db = TestDatabase.create();
        Runbook.tablesWithThreeNullUsers(db, "cutoverbase");
        db.execute("update \"user\" set organization_id = 1");
        flyway("cutoverbase").load().migrate();
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    private FluentConfiguration flyway(String... later) {
        String[] locations = new String[later.length + 1];
        locations[0] = ROOT + "cutoverbase";
        for (int i = 0; i < later.length; i++) {
            locations[i + 1] = ROOT + later[i];
        }
        return Flyway.configure().dataSource(db.dataSource()).locations(locations)
                .callbacks(CutoverCallback.forMigration("17", cutover()).build());
    }

    private long successfulRows(String version) {
        return db.queryLong("select count(*) from flyway_schema_history where version = '" + version + "' and success");
    }

    @Test
    void refusesANonTransactionalMigrationBeforeItCommitsTheDrop() {
        for (int run = 1; run <= 2; run++) {
            Throwable refused = catchThrowable(() -> flyway("late/nontx").load().migrate());

            CutoverMigrationException failure = cutoverFailure(refused);
            assertThat(failure.reason()).isEqualTo(CutoverMigrationException.Reason.GUARD_REFUSED);
            assertThat(failure.getMessage()).startsWith("Migration 18 refused before it ran: its script "
                    + "V18__drop_org_not_null.sql would take the validated NOT NULL away from public.\"user\".organization_id "
                    + "(ALTER COLUMN organization_id DROP NOT NULL).");
            assertThat(isNullable(db)).isEqualTo("NO");
            assertThat(successfulRows("18")).isZero();
            db.execute("delete from flyway_schema_history where version = '18'");
        }
        assertThat(db.cutoverDatabase().verify(cutover()).passed()).isTrue();
    }

    @Test
    void refusesAnOlderMigrationAppliedOutOfOrder() {
        Throwable refused = catchThrowable(() -> flyway("late/outoforder").outOfOrder(true).load().migrate());

        assertThat(cutoverFailure(refused).getMessage()).startsWith("Migration 16.5 refused before it ran: its script "
                + "V16_5__drop_org_not_null.sql would take the validated NOT NULL away from public.\"user\".organization_id "
                + "(ALTER COLUMN organization_id DROP NOT NULL).");
        assertThat(isNullable(db)).isEqualTo("NO");
        assertThat(successfulRows("16.5")).isZero();
    }

    @Test
    void refusesANonTransactionalMigrationThatDropsTheForeignKey() {
        Throwable refused = catchThrowable(() -> flyway("late/dropfk").load().migrate());

        assertThat(cutoverFailure(refused).getMessage()).startsWith("Migration 18 refused before it ran: its script "
                + "V18__drop_org_fk.sql would take the validated NOT NULL away from public.\"user\".organization_id "
                + "(DROP CONSTRAINT user_organization_id_organizations_id_fk).");
        assertThat(db.queryLong("select count(*) from pg_constraint where conname = 'user_organization_id_organizations_id_fk'"))
                .isOne();
    }

    @Test
    void refusesAnyMigrationOnceTheNotNullIsGone() {
        db.execute("alter table \"user\" alter column organization_id drop not null");

        Throwable refused = catchThrowable(() -> flyway("late/harmless").load().migrate());

        assertThat(cutoverFailure(refused).getMessage()).startsWith("Migration 18 refused before it ran: the cutover migration "
                + "is applied, but public.\"user\".organization_id has lost its validated NOT NULL already (column NOT NULL: "
                + "expected NOT NULL, actual nullable");
        assertThat(successfulRows("18")).isZero();
        assertThat(db.queryLong("select count(*) from pg_class where relname = 'unrelated'")).isZero();
    }

    @Test
    void letsAHarmlessLaterMigrationRun() {
        flyway("late/harmless").load().migrate();

        assertThat(successfulRows("18")).isOne();
    }
}
