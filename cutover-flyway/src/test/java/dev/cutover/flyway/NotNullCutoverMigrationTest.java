package dev.cutover.flyway;

import static dev.cutover.flyway.Runbook.cutover;
import static dev.cutover.flyway.Runbook.cutoverFailure;
import static dev.cutover.flyway.Runbook.flyway;
import static dev.cutover.flyway.Runbook.historyRows;
import static dev.cutover.flyway.Runbook.isNullable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.migrate.MigrationBlockedException;
import dev.cutover.core.migrate.MigrationTimeoutException;
import dev.cutover.core.migrate.NotNullMigration;
import dev.cutover.core.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The runbook's V17 as a Java migration running the zero-downtime sequence. */
class NotNullCutoverMigrationTest {

    private TestDatabase db;

    @BeforeEach
    void createDatabase() {
        db = TestDatabase.create();
        Runbook.tablesWithThreeNullUsers(db, "javamigration");
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    @Test
    void runsTheSafeSequenceOnceNullsAreRemediatedAndTheCallbackVerifiesIt() {
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover()).build();

        Throwable blocked = catchThrowable(() -> flyway(db.dataSource(), "javamigration", callback).load().migrate());
        assertThat(cutoverFailure(blocked).reason()).isEqualTo(CutoverMigrationException.Reason.NULLS_REMAIN);
        assertThat(historyRows(db, "17")).isZero();

        db.execute("update \"user\" set organization_id = 1 where organization_id is null");
        int applied = flyway(db.dataSource(), "javamigration", callback).load().migrate().migrationsExecuted;

        assertThat(applied).isOne();
        assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '17' and success")).isOne();
        assertThat(isNullable(db)).isEqualTo("NO");
        assertThat(CutoverDatabase.of(db.dataSource()).verify(cutover()).passed()).isTrue();
        // The sequence's own CHECK constraint (PostgreSQL 12 to 17) is gone; one NOT NULL remains.
        assertThat(db.queryLong("""
                select count(*) from pg_constraint
                where conrelid = '"user"'::regclass and contype = 'c'""")).isZero();
    }

    @Test
    void refusesOnItsOwnWhileNullsRemainAndChangesNothing() {
        Throwable refused = catchThrowable(() -> flyway(db.dataSource(), "javamigration").load().migrate());

        assertThat(refused).hasRootCauseInstanceOf(MigrationBlockedException.class);
        assertThat(isNullable(db)).isEqualTo("YES");
        assertThat(db.queryLong("""
                select count(*) from pg_constraint
                where conrelid = '"user"'::regclass and contype in ('c', 'f')""")).isZero();
    }

    /** Not one big transaction: steps that finished stay committed when a later one runs out of time. */
    @Test
    void commitsEachStepSoAFailureLaterKeepsWhatIsDone() throws Exception {
        db.execute("update \"user\" set organization_id = 1 where organization_id is null");
        try (Connection holder = db.dataSource().getConnection()) {
            holder.setAutoCommit(false);
            // The foreign key step needs a lock on organizations; this transaction keeps it from it.
            try (Statement s = holder.createStatement()) {
                s.execute("lock table organizations in access exclusive mode");
            }
            Throwable timedOut = catchThrowable(() -> flyway(db.dataSource(), "javamigrationshort").load().migrate());
            holder.rollback();
            assertThat(timedOut).hasRootCauseInstanceOf(MigrationTimeoutException.class);
        }
        assertThat(isNullable(db)).as("the NOT NULL steps committed before the foreign key step").isEqualTo("NO");
        assertThat(db.queryLong("""
                select count(*) from pg_constraint where conrelid = '"user"'::regclass and contype = 'f'""")).isZero();

        // Running the sequence again finishes the job.
        NotNullMigration.builder(CutoverDatabase.of(db.dataSource()), cutover()).build().run();
        assertThat(CutoverDatabase.of(db.dataSource()).verify(cutover()).passed()).isTrue();
    }
}
