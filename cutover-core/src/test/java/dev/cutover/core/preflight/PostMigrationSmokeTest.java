package dev.cutover.core.preflight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.gate.CutoverMonitor;
import dev.cutover.core.gate.Decision;
import dev.cutover.core.gate.NullBaselineGate;
import dev.cutover.core.gate.Observations;
import dev.cutover.core.gate.SmokeLatchState;
import dev.cutover.core.gate.Verdict;
import dev.cutover.core.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The post-migration smoke gate on real PostgreSQL: after the cutover migration, a failing smoke
 * check or an unresolved reconciliation count latches NO_GO "pause rollout" in the state tables
 * with the failed checks' names and the count (never their messages); every gate of the cutover
 * and the preflight see it until a re-arm; a passing run leaves GO. Nothing is rolled back.
 */
class PostMigrationSmokeTest {

    static CutoverDatabase db;

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> db = d.runbookSchema().execute("""
            insert into organizations (name) values ('Acme');
            insert into "user" (email, organization_id) values ('ann@acme.test', 1);
            alter table "user" alter column organization_id set not null;
            create table signup_finalize_failures (id bigint generated always as identity primary key, email text not null,
                resolved_at timestamptz);
            """).cutoverDatabase());

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id").build();
    static final String RECONCILIATION = "select count(*) from signup_finalize_failures where resolved_at is null";
    static final String SECRET = "jane.doe@example.com";

    static final PreflightCheck CREATE_FLOW = PreflightChecks.smoke("create flow", () -> { });
    static final PreflightCheck JOIN_FLOW_FAILS = PreflightChecks.smoke("join flow", () -> {
        throw new IllegalStateException("signup of " + SECRET + " left no organization");
    });

    @BeforeEach
    void freshState() {
        database.execute("drop table if exists cutover_smoke; delete from signup_finalize_failures");
    }

    PostMigrationSmoke smoke() {
        return PostMigrationSmoke.of(db, CUTOVER).instance("app-1");
    }

    @Test
    void aFailingSmokeCheckAfterTheMigrationLatchesNoGoWithTheFailedChecksAndTheReconciliationCount() {
        database.execute("insert into signup_finalize_failures (email) values ('" + SECRET + "'), ('bob@example.com')");
        smoke().markDue("2");
        assertThat(smoke().state()).get().extracting(SmokeLatchState::due, SmokeLatchState::latched).containsExactly(true, false);

        PostMigrationSmokeReport report = smoke().check(CREATE_FLOW).check(JOIN_FLOW_FAILS)
                .check(PreflightChecks.reconciliationClear(RECONCILIATION)).runIfDue().orElseThrow();

        assertThat(report.passed()).isFalse();
        assertThat(report.latched()).isTrue();
        assertThat(report.failedChecks()).containsExactly("smoke check: join flow", "reconciliation clear");
        assertThat(report.reconciliationCount()).hasValue(2);
        SmokeLatchState state = Observations.smoke(db, CUTOVER).orElseThrow();
        assertThat(state.latched()).isTrue();
        assertThat(state.due()).isFalse();
        assertThat(state.failedChecks()).containsExactly("smoke check: join flow", "reconciliation clear");
        assertThat(state.reconciliationCount()).hasValue(2);
        assertThat(state.latchedBy()).hasValue("app-1");
        assertThat(state.reason()).startsWith("public.\"user\".organization_id is NO_GO: pause rollout. The post-migration smoke "
                + "run latched at ").endsWith(" on app-1 with 2 failed checks (smoke check: join flow, reconciliation clear), "
                + "reconciliation count 2. Investigate signup assignment/finalization events before additional deploys; nothing "
                + "was rolled back. Then re-arm it (PostMigrationSmoke.rearm) and run the smoke checks again.");
        assertThat(report.render()).startsWith("Post-migration smoke of public.\"user\".organization_id: FAILED (2 of 3 checks "
                + "failed), reconciliation count 2\n  [PASS] smoke check: create flow: passed\n  [FAIL] smoke check: join flow: "
                + "failed: signup of jane.doe@example.com left no organization\n");
        // Nothing is rolled back: the column keeps its NOT NULL.
        assertThat(database.queryString("select attnotnull::text from pg_attribute where attrelid = '\"user\"'::regclass "
                + "and attname = 'organization_id'")).isEqualTo("true");
    }

    @Test
    void everyGateAndThePreflightSeeTheLatchUntilItIsRearmed() throws Exception {
        smoke().check(JOIN_FLOW_FAILS).run();

        Decision standalone = NullBaselineGate.of(db, CUTOVER, 0).evaluate();
        assertThat(standalone.verdict()).isEqualTo(Verdict.NO_GO);
        assertThat(standalone.latched()).isTrue();
        assertThat(standalone.nullCount()).hasValue(0);
        assertThat(standalone.reason()).contains("is NO_GO: pause rollout. The post-migration smoke run latched at ");
        try (CutoverMonitor monitor = CutoverMonitor.builder(db, CUTOVER).instance("replica-a").every(Duration.ofHours(1)).start()) {
            assertThat(monitor.evaluateNow().verdict()).isEqualTo(Verdict.NO_GO);
            assertThat(monitor.evaluateNow().reason()).contains("pause rollout");
            PreflightCheck.Outcome stable = PreflightChecks.nullBaselineStable(CUTOVER, 0, Duration.ofHours(1)).run(db);
            assertThat(stable.passed()).isFalse();
            assertThat(stable.detail()).contains("the post-migration smoke gate is latched: public.\"user\".organization_id is "
                    + "NO_GO: pause rollout.");

            assertThat(smoke().rearm("alice")).get().extracting(SmokeLatchState::failedChecks)
                    .isEqualTo(List.of("smoke check: join flow"));

            assertThat(monitor.evaluateNow().verdict()).isEqualTo(Verdict.GO);
            assertThat(NullBaselineGate.of(db, CUTOVER, 0).evaluate().verdict()).isEqualTo(Verdict.GO);
            assertThat(PreflightChecks.nullBaselineStable(CUTOVER, 0, Duration.ofHours(1)).run(db).detail())
                    .doesNotContain("smoke");
        }
        SmokeLatchState state = smoke().state().orElseThrow();
        assertThat(state.latched()).isFalse();
        assertThat(state.failedChecks()).isEmpty();
        assertThat(state.rearmedBy()).hasValue("alice");
        assertThat(smoke().rearm("alice")).isEmpty();
    }

    @Test
    void aPassingRunLeavesGoAndIsNoLongerDue() {
        smoke().markDue("2");
        PostMigrationSmokeReport report = smoke().check(CREATE_FLOW).check(PreflightChecks.reconciliationClear(RECONCILIATION))
                .runIfDue().orElseThrow();

        assertThat(report.passed()).isTrue();
        assertThat(report.latched()).isFalse();
        assertThat(report.reconciliationCount()).hasValue(0);
        assertThat(report.render()).endsWith("\nRollout may go on.");
        SmokeLatchState state = smoke().state().orElseThrow();
        assertThat(state.due()).isFalse();
        assertThat(state.lastRunPassed()).isTrue();
        assertThat(NullBaselineGate.of(db, CUTOVER, 0).evaluate().verdict()).isEqualTo(Verdict.GO);
    }

    @Test
    void aPassingRunDoesNotReleaseALatch() {
        smoke().check(JOIN_FLOW_FAILS).run();
        PostMigrationSmokeReport again = smoke().check(CREATE_FLOW).run();

        assertThat(again.passed()).isTrue();
        assertThat(again.latched()).isTrue();
        assertThat(again.state().failedChecks()).containsExactly("smoke check: join flow");
        assertThat(NullBaselineGate.of(db, CUTOVER, 0).evaluate().verdict()).isEqualTo(Verdict.NO_GO);
    }

    @Test
    void nothingRunsBeforeTheMigrationMadeARunDue() {
        AtomicInteger runs = new AtomicInteger();
        PostMigrationSmoke counting = smoke().check(PreflightChecks.smoke("create flow", runs::incrementAndGet));

        assertThat(counting.runIfDue()).isEmpty();
        counting.markDue("2");
        assertThat(counting.runIfDue()).isPresent();
        assertThat(counting.runIfDue()).isEmpty();
        assertThat(runs).hasValue(1);
    }

    @Test
    void theStateTablesHoldNoSensitiveValue() {
        database.execute("insert into signup_finalize_failures (email) values ('" + SECRET + "')");
        smoke().markDue("2");
        smoke().check(JOIN_FLOW_FAILS).check(PreflightChecks.reconciliationClear(RECONCILIATION)).runIfDue();
        NullBaselineGate.of(db, CUTOVER, 0).evaluate();

        String stored = database.queryString("select coalesce(string_agg(t::text, ' '), '') from (select row_to_json(s) as t "
                + "from cutover_smoke s) x");
        assertThat(stored).contains("smoke check: join flow").contains("reconciliation clear").doesNotContain(SECRET)
                .doesNotContain("left no organization");
    }

    @Test
    void selectsTheSmokeChecksAndTheReconciliationCountOfAChecklist() {
        List<PreflightCheck> checklist = List.of(PreflightChecks.assignmentCodeLive(() -> "hook v42"),
                PreflightChecks.nullBaselineStable(CUTOVER, 0, Duration.ofHours(24)), PreflightChecks.reconciliationClear(RECONCILIATION),
                CREATE_FLOW, PreflightCheck.of("custom", d -> PreflightCheck.Outcome.pass("ok")));

        assertThat(checklist.stream().filter(PostMigrationSmoke::isSmokeCheck).map(PreflightCheck::name))
                .containsExactly("reconciliation clear", "smoke check: create flow");
    }

    @Test
    void aRunWithoutChecksIsRefused() {
        assertThatThrownBy(() -> smoke().run()).isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("the post-migration smoke run of public.\"user\".organization_id has no checks: add the application's "
                        + "smoke checks (PreflightChecks.smoke) and the reconciliation count (PreflightChecks.reconciliationClear) "
                        + "with check(...)");
        assertThatThrownBy(() -> smoke().instance(" ")).isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("instance must be a name of 1 to 200 characters, e.g. the pod's name, but was blank");
    }
}
