package dev.cutover.core.preflight;

import static dev.cutover.core.preflight.PreflightChecks.ASSIGNMENT_CODE_LIVE;
import static dev.cutover.core.preflight.PreflightChecks.NULL_BASELINE_STABLE;
import static dev.cutover.core.preflight.PreflightChecks.RECONCILIATION_CLEAR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.gate.CutoverMonitor;
import dev.cutover.core.migrate.NotNullMigration;
import dev.cutover.core.gate.ObservationTables;
import dev.cutover.core.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PreflightChecksTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> {
        d.runbookSchema().execute("""
                create table signup_finalize_failures (
                    id bigint generated always as identity primary key,
                    user_id bigint not null,
                    resolved_at timestamptz
                );
                """);
        db = d.cutoverDatabase();
        ObservationTables.create(PreflightChecksTest.db, PreflightChecksTest.CUTOVER);
    });
    static CutoverDatabase db;

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id").build();
    static final String TARGET = "public.\"user\".organization_id";
    static final String RECONCILIATION_SQL = "select count(*) from signup_finalize_failures where resolved_at is null";
    static final Duration DAY = Duration.ofHours(24);

    @BeforeEach
    void clean() {
        database.execute("""
                truncate cutover_observation, signup_finalize_failures, "user", organizations restart identity;
                insert into organizations (name) values ('Acme');
                insert into "user" (email, organization_id) values ('ann@acme.test', 1);
                insert into signup_finalize_failures (user_id, resolved_at) values (1, now());
                """);
    }

    /** GO observations of the runbook's column from {@code fromAgo} to {@code toAgo} before now, every {@code step}. */
    static void observe(Duration fromAgo, Duration toAgo, Duration step) {
        observe(TARGET, fromAgo, toAgo, step, "0", "null");
    }

    static void observe(String target, Duration fromAgo, Duration toAgo, Duration step, String count, String error) {
        database.execute("insert into cutover_observation (target, observed_at, null_count, baseline, verdict, latched, reason, error) "
                + "select '" + target.replace("'", "''") + "', now() - make_interval(secs => g), " + count + ", 0, "
                + "case when " + count + " is null then 'UNKNOWN' when " + count + " > 0 then 'NO_GO' else 'GO' end, false, 'test', "
                + error + " from generate_series(" + toAgo.getSeconds() + ", " + fromAgo.getSeconds() + ", " + step.getSeconds() + ") g");
    }

    static void observeOnce(Duration ago, String count, String error) {
        observe(TARGET, ago, ago, Duration.ofSeconds(1), count, error);
    }

    static void healthyDay() {
        observe(Duration.ofHours(25), Duration.ZERO, Duration.ofMinutes(10));
    }

    static Preflight runbook(PreflightChecks.Evidence live, PreflightChecks.Smoke create, PreflightChecks.Smoke join) {
        return Preflight.builder()
                .check(PreflightChecks.assignmentCodeLive(live))
                .check(PreflightChecks.nullBaselineStable(CUTOVER, 0, DAY))
                .check(PreflightChecks.reconciliationClear(RECONCILIATION_SQL))
                .check(PreflightChecks.smoke("create flow", create))
                .check(PreflightChecks.smoke("join flow", join))
                .build();
    }

    static Preflight runbook() {
        return runbook(() -> "signup 2026.11.3 is live", () -> { }, () -> { });
    }

    static PreflightResult only(PreflightReport report) {
        assertThat(report.passed()).isFalse();
        assertThat(report.failures()).hasSize(1);
        assertThat(report.results()).hasSize(5);
        return report.failures().get(0);
    }

    static PreflightCheck.Outcome baselineOutcome(Duration maxGap) throws Exception {
        return PreflightChecks.nullBaselineStable(CUTOVER, 0, DAY, maxGap).run(db);
    }

    static String observedAt(String condition) {
        return database.queryString("select to_char(observed_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
                + "from cutover_observation where " + condition + " order by observed_at limit 1");
    }

    @Test
    void allFourPass() {
        healthyDay();

        PreflightReport report = runbook().run(db);

        assertThat(report.passed()).as(report.render()).isTrue();
        assertThat(report.results()).extracting(PreflightResult::name).containsExactly(
                "assignment code live", "null baseline stable", "reconciliation clear", "smoke check: create flow",
                "smoke check: join flow");
        assertThat(report.result(ASSIGNMENT_CODE_LIVE).orElseThrow().detail()).isEqualTo("signup 2026.11.3 is live");
        assertThat(report.result(NULL_BASELINE_STABLE).orElseThrow().detail())
                .startsWith("public.\"user\".organization_id stayed at or below baseline 0 over the last 24h (")
                .contains("observations, no gap over 1h, the newest at ")
                .endsWith(" with count 0)");
        assertThat(report.result(RECONCILIATION_CLEAR).orElseThrow().detail()).isEqualTo("returned 0: " + RECONCILIATION_SQL);
        assertThat(report.result("smoke check: join flow").orElseThrow().detail()).isEqualTo("passed");
    }

    /** The enforce phase's NOT VALID constraint is no failure in itself: the checklist passes as before. */
    @Test
    void allPassWhileTheColumnIsEnforcedForNewRowsButNotValidatedYet() {
        healthyDay();
        NotNullMigration.builder(db, CUTOVER).build().enforceForNewRows();
        try {
            assertThat(db.verify(CUTOVER).notValidatedYet()).isTrue();

            PreflightReport report = runbook(() -> "signup 2026.11.3 is live",
                    () -> database.execute("insert into \"user\" (email, organization_id) values ('smoke@acme.test', 1)"),
                    () -> { }).run(db);

            assertThat(report.passed()).as(report.render()).isTrue();
        } finally {
            database.execute("alter table \"user\" drop constraint if exists user_organization_id_cutover_not_null");
            database.execute("alter table \"user\" alter column organization_id drop not null");
        }
    }

    @Test
    void assignmentCodeNotLiveFailsAlone() {
        healthyDay();

        PreflightReport report = runbook(() -> {
            throw new IllegalStateException("signup 2026.11.2 is live; the hook ships in 2026.11.3");
        }, () -> { }, () -> { }).run(db);

        PreflightResult failed = only(report);
        assertThat(failed.name()).isEqualTo("assignment code live");
        assertThat(failed.detail()).isEqualTo("not confirmed: signup 2026.11.2 is live; the hook ships in 2026.11.3. "
                + "Deploy the assignment/finalization code and confirm it is live before Stage B.");
    }

    @Test
    void assignmentCodeLiveFromAYesOrNo() throws Exception {
        assertThat(PreflightChecks.assignmentCodeLive("org-assignment-hook flag is on", () -> true).run(db))
                .isEqualTo(PreflightCheck.Outcome.pass("org-assignment-hook flag is on"));
        assertThat(PreflightChecks.assignmentCodeLive("org-assignment-hook flag is on", () -> false).run(db))
                .isEqualTo(PreflightCheck.Outcome.fail("not confirmed: \"org-assignment-hook flag is on\" is false. "
                        + "Deploy the assignment/finalization code and confirm it is live before Stage B."));
        assertThat(PreflightChecks.assignmentCodeLive(() -> " ").run(db).detail())
                .startsWith("not confirmed: the application's evidence returned nothing.");
    }

    @Test
    void nullBaselineNotCoveredFailsAlone() {
        observe(Duration.ofHours(2), Duration.ZERO, Duration.ofMinutes(10));

        PreflightResult failed = only(runbook().run(db));

        assertThat(failed.name()).isEqualTo("null baseline stable");
        assertThat(failed.detail())
                .startsWith("public.\"user\".organization_id is not shown stable at baseline 0 over the last 24h: "
                        + "observations cover only the last 2h of 24h (the oldest at " + observedAt("true") + "): "
                        + "keep the monitor running and wait 22h more")
                .endsWith(".");
    }

    @Test
    void reconciliationNotClearFailsAlone() {
        healthyDay();
        database.execute("insert into signup_finalize_failures (user_id) values (7), (8), (9)");

        PreflightResult failed = only(runbook().run(db));

        assertThat(failed.toString()).isEqualTo("[FAIL] reconciliation clear: returned 3, must be 0 "
                + "(resolve what it counts before Stage B): select count(*) from signup_finalize_failures where resolved_at is null");
    }

    @Test
    void failingSmokeCheckFailsAlone() {
        healthyDay();

        PreflightResult failed = only(runbook(() -> "signup 2026.11.3 is live", () -> { }, () -> {
            throw new AssertionError("join flow: expected HTTP 201, got 500");
        }).run(db));

        assertThat(failed.toString()).isEqualTo("[FAIL] smoke check: join flow: failed: join flow: expected HTTP 201, got 500");
    }

    @Test
    void rendersTheChecklistWhenNoMonitorEverRan() {
        CutoverDatabase fresh = CutoverDatabase.builder(database.dataSource()).stateSchema("no_monitor_yet").build();

        PreflightReport report = runbook().run(fresh);

        assertThat(report.render()).isEqualTo("""
                Stage B preflight: FAILED (1 of 5 checks failed)
                  [PASS] assignment code live: signup 2026.11.3 is live
                  [FAIL] null baseline stable: public."user".organization_id is not shown stable at baseline 0 over the last 24h: \
                no observations: table no_monitor_yet.cutover_observation does not exist; start the monitor (CutoverMonitor) and wait 24h.
                  [PASS] reconciliation clear: returned 0: select count(*) from signup_finalize_failures where resolved_at is null
                  [PASS] smoke check: create flow: passed
                  [PASS] smoke check: join flow: passed
                Do not start Stage B: fix what failed above, then run the preflight again.""");
        assertThatThrownBy(report::requirePassed).isInstanceOf(PreflightFailedException.class).hasMessage(report.render());
    }

    @Test
    void nullBaselineFailsOnAGapBetweenObservations() throws Exception {
        observe(Duration.ofHours(25), Duration.ofMinutes(640), Duration.ofMinutes(10));
        observe(Duration.ofMinutes(600), Duration.ZERO, Duration.ofMinutes(10));

        PreflightCheck.Outcome outcome = baselineOutcome(Duration.ofMinutes(15));

        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.detail()).isEqualTo("public.\"user\".organization_id is not shown stable at baseline 0 over the last 24h: "
                + "gap of 40m between observations at " + observedAt("observed_at > now() - interval '641 minutes'")
                + " and " + observedAt("observed_at > now() - interval '601 minutes'") + ", more than the 15m allowed: "
                + "the monitor was not running; keep it running until the gap leaves the window at "
                + database.queryString("select to_char((observed_at + interval '24 hours') at time zone 'UTC', "
                + "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') from cutover_observation where observed_at > now() - interval '601 minutes' "
                + "order by observed_at limit 1") + ".");
        assertThat(baselineOutcome(Duration.ofMinutes(45)).passed()).isTrue();
    }

    @Test
    void nullBaselineFailsWhenTheMonitorStopped() throws Exception {
        observe(Duration.ofHours(25), Duration.ofHours(2), Duration.ofMinutes(10));

        PreflightCheck.Outcome outcome = PreflightChecks.nullBaselineStable(CUTOVER, 0, DAY).run(db);

        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.detail()).isEqualTo("public.\"user\".organization_id is not shown stable at baseline 0 over the last 24h: "
                + "the newest observation is 2h old (at " + observedAt("observed_at > now() - interval '121 minutes'")
                + "), more than the 1h allowed: the monitor is not running; start the monitor (CutoverMonitor) and wait 24h.");
    }

    @Test
    void nullBaselineFailsOnAFailedObservation() throws Exception {
        healthyDay();
        observeOnce(Duration.ofMinutes(185), "null", "'Could not count NULL rows (SQLSTATE 57014)'");

        PreflightCheck.Outcome outcome = baselineOutcome(Duration.ofMinutes(15));

        assertThat(outcome.detail()).isEqualTo("public.\"user\".organization_id is not shown stable at baseline 0 over the last 24h: "
                + "1 observation failed, the first at " + observedAt("error is not null")
                + " (Could not count NULL rows (SQLSTATE 57014)): fix the probe, then wait until a full window passes without failures.");
    }

    @Test
    void nullBaselineFailsOnACountAboveTheBaseline() throws Exception {
        healthyDay();
        observeOnce(Duration.ofMinutes(185), "3", "null");
        observeOnce(Duration.ofMinutes(175), "1", "null");

        PreflightCheck.Outcome outcome = baselineOutcome(Duration.ofMinutes(15));

        assertThat(outcome.detail()).isEqualTo("public.\"user\".organization_id is not shown stable at baseline 0 over the last 24h: "
                + "count was 3 at " + observedAt("null_count = 3") + ", above baseline 0 (2 observations above it): "
                + "remediate, rearm the gate, and wait a full window at the baseline.");
        assertThat(PreflightChecks.nullBaselineStable(CUTOVER, 3, DAY).run(db).passed()).isTrue();
    }

    @Test
    void nullBaselineNamesEveryProblem() throws Exception {
        observe(Duration.ofHours(5), Duration.ofHours(2), Duration.ofMinutes(10));
        observeOnce(Duration.ofMinutes(185), "3", "null");

        PreflightCheck.Outcome outcome = PreflightChecks.nullBaselineStable(CUTOVER, 0, DAY).run(db);

        assertThat(outcome.detail())
                .contains(": observations cover only the last 5h of 24h (the oldest at ")
                .contains("; the newest observation is 2h old (at ")
                .contains("; count was 3 at ");
    }

    @Test
    void nullBaselineIgnoresWhatHappenedBeforeTheWindowAndOtherTargets() throws Exception {
        healthyDay();
        observeOnce(Duration.ofMinutes(24 * 60 + 25), "5", "null");
        observeOnce(Duration.ofHours(30), "null", "'failed long ago'");
        observe("public.other.column", Duration.ofHours(3), Duration.ofHours(3), Duration.ofSeconds(1), "9", "null");

        assertThat(PreflightChecks.nullBaselineStable(CUTOVER, 0, DAY).run(db).passed()).isTrue();
    }

    @Test
    void nullBaselineFailsWithoutObservationsOfThisTarget() throws Exception {
        observe("public.other.column", Duration.ofHours(25), Duration.ZERO, Duration.ofMinutes(10), "0", "null");

        assertThat(PreflightChecks.nullBaselineStable(CUTOVER, 0, DAY).run(db).detail())
                .isEqualTo("public.\"user\".organization_id is not shown stable at baseline 0 over the last 24h: "
                        + "no observations over the last 24h in public.cutover_observation; "
                        + "start the monitor (CutoverMonitor) and wait 24h.");
    }

    @Test
    void nullBaselinePassesOnceARunningMonitorCoversTheWindow() throws Exception {
        PreflightCheck check = PreflightChecks.nullBaselineStable(CUTOVER, 0, Duration.ofSeconds(5), Duration.ofSeconds(1));
        try (CutoverMonitor monitor = CutoverMonitor.builder(db, CUTOVER).every(Duration.ofMillis(100)).start()) {
            monitor.evaluateNow();
            assertThat(check.run(db).detail()).contains("observations cover only the last ");

            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            PreflightCheck.Outcome outcome = check.run(db);
            while (!outcome.passed() && System.nanoTime() < deadline) {
                Thread.sleep(200);
                outcome = check.run(db);
            }
            assertThat(outcome.passed()).as(outcome.detail()).isTrue();
        }
    }

    @Test
    void reconciliationNeedsOneCount() throws Exception {
        assertThat(PreflightChecks.reconciliationClear("select 1, 2").run(db).detail())
                .isEqualTo("the query must return one row with one count, but returned 2 columns: select 1, 2");
        assertThat(PreflightChecks.reconciliationClear("select 1 from signup_finalize_failures where false").run(db).detail())
                .isEqualTo("the query must return one row with one count, but returned no row: "
                        + "select 1 from signup_finalize_failures where false");
        assertThat(PreflightChecks.reconciliationClear("select g from generate_series(1, 2) g").run(db).detail())
                .isEqualTo("the query must return one row with one count, but returned more than one row: "
                        + "select g from generate_series(1, 2) g");
        assertThat(PreflightChecks.reconciliationClear("select 'none'").run(db).detail())
                .isEqualTo("the query must return one count, but returned String none: select 'none'");
        assertThat(PreflightChecks.reconciliationClear("select null::int").run(db).detail())
                .isEqualTo("the query must return one count, but returned NULL: select null::int");
        assertThat(PreflightChecks.reconciliationClear("""
                select count(*)
                from signup_finalize_failures
                where resolved_at is null""").run(db).detail())
                .isEqualTo("returned 0: select count(*) from signup_finalize_failures where resolved_at is null");
    }

    @Test
    void reconciliationRunsReadOnlyAndUnderTheProbeTimeout() {
        PreflightReport report = Preflight.builder()
                .check(PreflightChecks.reconciliationClear("with gone as (delete from signup_finalize_failures returning 1) "
                        + "select count(*) from gone"))
                .build()
                .run(db);
        assertThat(report.results().get(0).detail())
                .startsWith("threw CutoverDatabaseException: Could not run the reconciliation query with gone as (delete")
                .contains("(SQLSTATE 25006): ERROR: cannot execute ").contains(" in a read-only transaction");
        assertThat(database.queryLong("select count(*) from signup_finalize_failures")).isEqualTo(1);

        CutoverDatabase impatient = CutoverDatabase.builder(database.dataSource()).probeTimeout(Duration.ofMillis(100)).build();
        PreflightReport slow = Preflight.builder()
                .check(PreflightChecks.reconciliationClear("select count(*) from (select pg_sleep(5)) s"))
                .build()
                .run(impatient);
        assertThat(slow.results().get(0).detail()).contains("(SQLSTATE 57014): ERROR: canceling statement due to statement timeout");
    }

    @Test
    void factoriesCheckTheirArguments() {
        assertThatThrownBy(() -> PreflightChecks.nullBaselineStable(CUTOVER, -1, DAY))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("baseline must be at least 0, but was -1");
        assertThatThrownBy(() -> PreflightChecks.nullBaselineStable(CUTOVER, 0, Duration.ZERO))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("window must be between 1ms and 720h, but was 0s");
        assertThatThrownBy(() -> PreflightChecks.nullBaselineStable(CUTOVER, 0, Duration.ofHours(1), Duration.ofHours(2)))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("maxGap must be between 1ms and 1h, but was 2h");
        assertThatThrownBy(() -> PreflightChecks.reconciliationClear(" "))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("reconciliationClear needs a SQL count, e.g. \"select count(*) from signup_finalize_failures "
                        + "where resolved_at is null\", but was blank");
        assertThatThrownBy(() -> PreflightChecks.smoke("", () -> { }))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("a smoke check needs a name, e.g. \"create flow\", but was blank");
        assertThatThrownBy(() -> PreflightChecks.assignmentCodeLive(null, () -> true))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("assignmentCodeLive needs a description of what is asked, but was null");
    }
}
