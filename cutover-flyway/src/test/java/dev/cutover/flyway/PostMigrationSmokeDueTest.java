package dev.cutover.flyway;

import static dev.cutover.flyway.Runbook.cutover;
import static dev.cutover.flyway.Runbook.flyway;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.gate.NullBaselineGate;
import dev.cutover.core.gate.Observations;
import dev.cutover.core.gate.SmokeLatchState;
import dev.cutover.core.gate.Verdict;
import dev.cutover.core.preflight.PostMigrationSmoke;
import dev.cutover.core.preflight.PostMigrationSmokeReport;
import dev.cutover.core.preflight.Preflight;
import dev.cutover.core.preflight.PreflightChecks;
import dev.cutover.core.testing.TestDatabase;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The callback's side of the post-migration smoke gate: after the cutover migration it records
 * that a smoke run is due, in the migration's transaction, and runs no smoke check itself (the
 * application is not serving yet); the application's run then latches "pause rollout" on a failure.
 */
class PostMigrationSmokeDueTest {

    private TestDatabase db;

    @BeforeEach
    void createDatabase() {
        db = TestDatabase.create();
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    @Test
    void theCutoverMigrationMakesASmokeRunDueAndRunsNoSmokeCheckAfterIt() {
        Runbook.tablesWithThreeNullUsers(db, "runbook");
        db.execute("update \"user\" set organization_id = 1 where organization_id is null");
        AtomicInteger joinFlowRuns = new AtomicInteger();
        var joinFlow = PreflightChecks.smoke("join flow", () -> {
            joinFlowRuns.incrementAndGet();
            throw new IllegalStateException("user ann@example.com joined no organization");
        });
        var passingPreflight = Preflight.builder().check(PreflightChecks.smoke("create flow", () -> { })).build();
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover()).preflight(passingPreflight).build();

        flyway(db.dataSource(), "runbook", callback).load().migrate();

        CutoverDatabase cutoverDb = db.cutoverDatabase();
        SmokeLatchState due = Observations.smoke(cutoverDb, cutover()).orElseThrow();
        assertThat(due.due()).isTrue();
        assertThat(due.dueMigration()).hasValue("17");
        assertThat(due.latched()).isFalse();
        assertThat(joinFlowRuns).hasValue(0);

        // Once the application serves:
        PostMigrationSmokeReport report = PostMigrationSmoke.of(cutoverDb, cutover()).check(joinFlow).runIfDue().orElseThrow();

        assertThat(joinFlowRuns).hasValue(1);
        assertThat(report.latched()).isTrue();
        assertThat(NullBaselineGate.of(cutoverDb, cutover(), 0).evaluate().verdict()).isEqualTo(Verdict.NO_GO);
        assertThat(Runbook.isNullable(db)).isEqualTo("NO");
        assertThat(db.queryString("select row_to_json(s)::text from cutover_smoke s")).contains("smoke check: join flow")
                .doesNotContain("ann@example.com");
    }

    @Test
    void aBlockedCutoverMigrationMakesNoSmokeRunDue() {
        Runbook.tablesWithThreeNullUsers(db, "runbook");
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover()).build();

        Throwable blocked = catchThrowable(() -> flyway(db.dataSource(), "runbook", callback).load().migrate());

        assertThat(Runbook.cutoverFailure(blocked).reason()).isEqualTo(CutoverMigrationException.Reason.NULLS_REMAIN);
        assertThat(Observations.smoke(db.cutoverDatabase(), cutover())).isEmpty();
    }
}
