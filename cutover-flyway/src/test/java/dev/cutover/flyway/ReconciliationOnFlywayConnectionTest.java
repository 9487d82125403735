package dev.cutover.flyway;

import static dev.cutover.flyway.Runbook.cutover;
import static dev.cutover.flyway.Runbook.isNullable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.preflight.Preflight;
import dev.cutover.core.preflight.PreflightChecks;
import dev.cutover.core.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The preflight's reconciliation SQL runs on Flyway's connection, inside the migration's
 * transaction, as a read-only savepoint that is rolled back: it can neither end the migration's
 * transaction, nor write, nor leave a setting behind for the migration.
 */
class ReconciliationOnFlywayConnectionTest {

    private TestDatabase db;

    @BeforeEach
    void noNullUsers() {
        db = TestDatabase.create();
        Runbook.tablesWithThreeNullUsers(db, "cutoverbase");
        db.execute("update \"user\" set organization_id = 1");
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    private void migrate(String reconciliation) {
        Runbook.flyway(db.dataSource(), "cutoverbase", CutoverCallback.forMigration("17", cutover())
                .preflight(Preflight.builder().check(PreflightChecks.reconciliationClear(reconciliation)).build()).build())
                .load().migrate();
    }

    @Test
    void aSecondStatementIsRefusedBeforeAnythingRuns() {
        assertThatThrownBy(() -> migrate("commit; update \"user\" set organization_id = null where id = 1; select 0"))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessageContaining("more than one statement");
        assertThat(db.queryLong("select count(*) from \"user\" where organization_id is null")).isZero();
        assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '17'")).isZero();
    }

    @Test
    void aWriteInOneStatementChangesNothing() {
        Throwable failed = catchThrowable(() -> migrate(
                "with w as (update \"user\" set email = 'changed' returning 1) select count(*) - count(*) from w"));

        assertThat(failed).hasStackTraceContaining("read-only transaction");
        assertThat(db.queryLong("select count(*) from \"user\" where email = 'changed'")).isZero();
        assertThat(isNullable(db)).isEqualTo("YES");
    }

    @Test
    void aSettingTheQueryChangesIsNotLeftToTheMigration() {
        String role = "cutover_reader_" + Long.toHexString(System.nanoTime());
        db.execute("create role " + role + " nologin");
        try {
            migrate("select count(*) - count(*) from (select set_config('role', '" + role + "', false)) s");

            assertThat(isNullable(db)).isEqualTo("NO");
            assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '17' and success")).isOne();
        } finally {
            db.execute("drop role " + role);
        }
    }
}
