package dev.cutover.core.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.LockHolder;
import dev.cutover.core.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class CutoverMonitorTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> db = d.runbookSchema().cutoverDatabase());
    static CutoverDatabase db;

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id").build();
    static final Duration FAST = Duration.ofMillis(50);

    @BeforeEach
    void rows() {
        database.execute("""
                truncate "user", organizations restart identity;
                drop table if exists cutover_observation, cutover_gate;
                insert into organizations (name, domain) values ('Acme', 'acme.test');
                insert into "user" (email, organization_id) values ('ann@acme.test', 1);
                """);
        // A fresh database object: the table dropped above is created again on start.
        db = database.cutoverDatabase();
    }

    /** Polls until the condition holds; fails after a generous bound (against hangs, not a timing assertion). */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting until " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static long observations() {
        return database.queryLong("select count(*) from cutover_observation");
    }

    static long observations(String condition) {
        return database.queryLong("select count(*) from cutover_observation where " + condition);
    }

    @Test
    void storesOneRowPerEvaluationAndPublishesEachDecision() {
        List<Decision> decisions = new CopyOnWriteArrayList<>();
        try (CutoverMonitor monitor = CutoverMonitor.builder(db, CUTOVER).every(Duration.ofHours(1))
                .onDecision(decisions::add).start()) {
            await("the first scheduled evaluation is published", () -> decisions.size() == 1);
            monitor.evaluateNow();
            monitor.evaluateNow();
            Decision third = monitor.evaluateNow();

            assertThat(decisions).hasSize(4).allSatisfy(d -> assertThat(d.verdict()).isEqualTo(Verdict.GO));
            assertThat(monitor.evaluations()).isEqualTo(4);
            assertThat(monitor.last()).contains(third);
            assertThat(observations()).isEqualTo(4);
            assertThat(database.queryString("""
                    select string_agg(concat_ws(' ', target, null_count, baseline, verdict, latched, coalesce(error, '-')), ' | ' order by id)
                    from cutover_observation"""))
                    .isEqualTo("public.\"user\".organization_id 0 0 GO f - | public.\"user\".organization_id 0 0 GO f - | "
                            + "public.\"user\".organization_id 0 0 GO f - | public.\"user\".organization_id 0 0 GO f -");
            assertThat(observations("observed_at between now() - interval '1 minute' and now()")).isEqualTo(4);
        }
    }

    @Test
    void aRiseLatchesNoGoInTheObservationsUntilRearmed() {
        List<Decision> decisions = new CopyOnWriteArrayList<>();
        try (CutoverMonitor monitor = CutoverMonitor.builder(db, CUTOVER).baseline(0).every(FAST)
                .onDecision(decisions::add).start()) {
            await("a GO is published", () -> !decisions.isEmpty());
            assertThat(decisions.get(0).verdict()).isEqualTo(Verdict.GO);

            database.execute("insert into \"user\" (email) values ('bob@example.com'), ('carl@example.com')");
            await("NO_GO is recorded", () -> observations("verdict = 'NO_GO' and null_count = 2 and latched") > 0);

            database.execute("update \"user\" set organization_id = 1");
            await("a count back at 0 is recorded as still NO_GO", () -> observations("verdict = 'NO_GO' and null_count = 0") > 0);
            assertThat(monitor.last()).hasValueSatisfying(d -> assertThat(d.verdict()).isEqualTo(Verdict.NO_GO));

            monitor.rearm();
            await("GO is recorded after the NO_GO", () -> observations(
                    "verdict = 'GO' and id > (select max(id) from cutover_observation where verdict = 'NO_GO')") > 0);
            assertThat(monitor.evaluateNow().verdict()).isEqualTo(Verdict.GO);
        }
        assertThat(decisions).extracting(Decision::verdict).containsSubsequence(Verdict.GO, Verdict.NO_GO, Verdict.NO_GO, Verdict.GO);
    }

    @Test
    void aRestartedMonitorKeepsALatchedNoGoUntilRearmed() {
        database.execute("insert into \"user\" (email) values ('bob@example.com'), ('carl@example.com')");
        try (CutoverMonitor first = CutoverMonitor.builder(db, CUTOVER).every(Duration.ofHours(1)).start()) {
            await("the first monitor latches", () -> first.last().filter(Decision::latched).isPresent());
            database.execute("insert into \"user\" (email) values ('dan@example.com')");
            assertThat(first.evaluateNow().nullCount()).hasValue(3);
        }
        database.execute("update \"user\" set organization_id = 1");

        try (CutoverMonitor second = CutoverMonitor.builder(db, CUTOVER).every(Duration.ofHours(1)).start()) {
            Decision decision = second.evaluateNow();
            assertThat(decision.verdict()).isEqualTo(Verdict.NO_GO);
            assertThat(decision.nullCount()).hasValue(0);
            assertThat(decision.reason()).startsWith("public.\"user\".organization_id is NO_GO, latched since "
                    + database.queryString("select to_char(latched_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
                    + "from cutover_gate"))
                    .endsWith(" when the NULL count rose to 2, above baseline 0 (peak 3, now 0): "
                            + "pause rollout and remediate before Stage B, then rearm() the gate.");

            second.rearm();
            assertThat(second.evaluateNow().verdict()).isEqualTo(Verdict.GO);
        }

        try (CutoverMonitor third = CutoverMonitor.builder(db, CUTOVER).every(Duration.ofHours(1)).start()) {
            assertThat(third.evaluateNow().verdict()).isEqualTo(Verdict.GO);
        }
    }

    @Test
    void survivesAFailingProbeAndRecordsIt() {
        CutoverDatabase impatient = CutoverDatabase.builder(database.dataSource()).probeTimeout(Duration.ofMillis(100)).build();
        List<Decision> decisions = new CopyOnWriteArrayList<>();
        try (CutoverMonitor monitor = CutoverMonitor.builder(impatient, CUTOVER).every(FAST).onDecision(decisions::add).start()) {
            await("a first GO", () -> observations("verdict = 'GO'") > 0);

            try (var lock = LockHolder.accessExclusive(database, "\"user\"")) {
                await("a failed probe is recorded", () -> observations("verdict = 'UNKNOWN'") > 0);
            }
            await("a GO is recorded after the failure", () -> observations(
                    "verdict = 'GO' and id > (select max(id) from cutover_observation where verdict = 'UNKNOWN')") > 0);

            assertThat(monitor.isRunning()).isTrue();
            assertThat(database.queryString("""
                    select concat_ws(' | ', coalesce(null_count::text, 'no count'), latched, error)
                    from cutover_observation where verdict = 'UNKNOWN' order by id limit 1"""))
                    .startsWith("no count | f | Could not count NULL rows of public.\"user\".organization_id (SQLSTATE 57014): "
                            + "ERROR: canceling statement due to statement timeout");
            assertThat(decisions).anySatisfy(d -> {
                assertThat(d.verdict()).isEqualTo(Verdict.UNKNOWN);
                assertThat(d.error()).isPresent();
            });
        }
    }

    @Test
    void aThrowingListenerDoesNotStopTheMonitor() {
        List<Decision> decisions = new CopyOnWriteArrayList<>();
        try (CutoverMonitor monitor = CutoverMonitor.builder(db, CUTOVER).every(FAST)
                .onDecision(d -> {
                    throw new IllegalStateException("listener broke");
                })
                .onDecision(d -> {
                    throw new AssertionError("listener asserted");
                })
                .onDecision(decisions::add)
                .start()) {
            await("three decisions reach the last listener", () -> decisions.size() >= 3);
            assertThat(monitor.isRunning()).isTrue();
        }
    }

    @Test
    void aStateTableDroppedWhileRunningIsCreatedAgain() {
        List<Decision> decisions = new CopyOnWriteArrayList<>();
        try (CutoverMonitor monitor = CutoverMonitor.builder(db, CUTOVER).every(Duration.ofHours(1))
                .onDecision(decisions::add).start()) {
            await("the first evaluation", () -> decisions.size() == 1);
            database.execute("drop table cutover_observation");

            assertThat(monitor.evaluateNow().verdict()).isEqualTo(Verdict.GO);
            assertThat(observations()).isEqualTo(1);

            database.execute("insert into \"user\" (email) values ('bob@example.com')");
            assertThat(monitor.evaluateNow().verdict()).isEqualTo(Verdict.NO_GO);
            database.execute("drop table cutover_gate; update \"user\" set organization_id = 1");

            // The latch this monitor held survives the drop: the row is created again latched.
            Decision kept = monitor.evaluateNow();
            assertThat(kept.verdict()).isEqualTo(Verdict.NO_GO);
            assertThat(kept.reason()).contains("when the NULL count rose to 1, above baseline 0 (peak 1, now 0)");
            assertThat(database.queryString("select concat_ws(' ', latched, latched_count, peak) from cutover_gate"))
                    .isEqualTo("t 1 1");
            assertThat(observations()).isEqualTo(3);
            assertThat(decisions).hasSize(4);
            assertThat(monitor.isRunning()).isTrue();
        }
    }

    @Test
    void closeCancelsAnEvaluationWaitingForALockAndNothingIsStoredOrPublishedAfter() throws InterruptedException {
        CutoverDatabase patient = CutoverDatabase.builder(database.dataSource()).probeTimeout(Duration.ofMinutes(5)).build();
        List<Decision> decisions = new CopyOnWriteArrayList<>();
        CutoverMonitor monitor = CutoverMonitor.builder(patient, CUTOVER).every(Duration.ofMillis(200))
                .onDecision(decisions::add).start();
        await("a first decision", () -> !decisions.isEmpty());
        String waiting = "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' "
                + "and query ilike '%organization_id%'";
        int seen;
        long rows;
        try (var lock = LockHolder.accessExclusive(database, "\"user\"")) {
            await("the monitor's probe waits for the lock", () -> database.queryLong(waiting) > 0);
            seen = decisions.size();
            rows = observations();

            monitor.close();

            await("the probe's statement is cancelled", () -> database.queryLong(waiting) == 0);
            await("the monitor's thread ends", () -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("cutover-monitor ") && t.isAlive()));
        }
        Thread.sleep(500);
        assertThat(decisions).hasSize(seen);
        assertThat(observations()).isEqualTo(rows);
    }

    @Test
    void closeFromAListenerDoesNotWaitForItsOwnThreadAndPublishesNothingMore() {
        AtomicReference<CutoverMonitor> self = new AtomicReference<>();
        List<String> calls = new CopyOnWriteArrayList<>();
        CountDownLatch closed = new CountDownLatch(1);
        CutoverMonitor monitor = CutoverMonitor.builder(db, CUTOVER).every(FAST)
                .onDecision(d -> {
                    CutoverMonitor m = self.get();
                    if (m != null && closed.getCount() > 0) {
                        m.close();
                        calls.add("closed, interrupted " + Thread.currentThread().isInterrupted());
                        closed.countDown();
                    }
                })
                .onDecision(d -> calls.add("second listener " + (closed.getCount() == 0 ? "after close" : "before close")))
                .start();
        self.set(monitor);
        await("the listener closed the monitor", () -> closed.getCount() == 0);
        await("the monitor's thread ends", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("cutover-monitor ") && t.isAlive()));

        assertThat(monitor.isRunning()).isFalse();
        assertThat(calls).contains("closed, interrupted false").doesNotContain("second listener after close");
    }

    @Test
    void everyIsAFixedRateStartToStart() throws InterruptedException {
        // Each evaluation takes its probe and store plus a slow listener's 250 ms, of a 300 ms period. With a delay
        // after each, start to start would be at least its duration plus the period; at a fixed rate it is the
        // period, or the duration when that is longer. The sum over all evaluations tells the two apart, however
        // slow the machine: the fixed rate saves at least the 250 ms each (min(period, duration)); 100 ms is asserted.
        Duration period = Duration.ofMillis(300);
        List<long[]> runs = new CopyOnWriteArrayList<>();
        try (CutoverMonitor monitor = CutoverMonitor.builder(db, CUTOVER).every(period).onDecision(d -> {
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    long start = d.at().getEpochSecond() * 1_000_000_000L + d.at().getNano();
                    java.time.Instant end = java.time.Instant.now();
                    runs.add(new long[] {start, end.getEpochSecond() * 1_000_000_000L + end.getNano()});
                }).start()) {
            await("ten evaluations", () -> runs.size() >= 10);
        }
        int n = 10;
        long startToStart = runs.get(n - 1)[0] - runs.get(0)[0];
        long withDelayAtLeast = 0;
        for (int i = 0; i < n - 1; i++) {
            withDelayAtLeast += runs.get(i)[1] - runs.get(i)[0] + period.toNanos();
        }
        assertThat(startToStart).as("start to start of %s evaluations: %s ms; with a delay after each at least %s ms", n,
                startToStart / 1_000_000, withDelayAtLeast / 1_000_000)
                .isLessThan(withDelayAtLeast - (n - 1) * Duration.ofMillis(100).toNanos());
    }

    @Test
    void closeStopsIt() throws InterruptedException {
        List<Decision> decisions = new CopyOnWriteArrayList<>();
        CutoverMonitor monitor = CutoverMonitor.builder(db, CUTOVER).every(FAST).onDecision(decisions::add).start();
        await("two evaluations", () -> decisions.size() >= 2);

        monitor.close();
        monitor.close();

        assertThat(monitor.isRunning()).isFalse();
        int seen = decisions.size();
        long rows = observations();
        Thread.sleep(FAST.multipliedBy(4).toMillis());
        assertThat(decisions).hasSize(seen);
        assertThat(observations()).isEqualTo(rows);
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("cutover-monitor ") && t.isAlive());
        assertThatThrownBy(monitor::evaluateNow)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("The monitor of public.\"user\".organization_id is closed; build and start a new one");
    }

    @Test
    void runsOnTheApplicationsSchedulerAndLeavesItRunningWhenClosed() {
        ScheduledExecutorService application = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "application-scheduler"));
        try {
            List<String> threads = new CopyOnWriteArrayList<>();
            CutoverMonitor monitor = CutoverMonitor.builder(db, CUTOVER).every(FAST)
                    .onDecision(d -> threads.add(Thread.currentThread().getName())).startUnscheduled();
            assertThat(monitor.isRunning()).isTrue();
            assertThat(monitor.evaluations()).isZero();
            assertThat(observations()).isZero();

            ScheduledFuture<?> task = application.scheduleAtFixedRate(monitor::runOnce, 0, FAST.toMillis(), TimeUnit.MILLISECONDS);
            await("three evaluations on the application's scheduler", () -> monitor.evaluations() >= 3);
            task.cancel(false);
            monitor.close();

            assertThat(threads).isNotEmpty().containsOnly("application-scheduler");
            assertThat(observations()).isEqualTo(monitor.evaluations());
            assertThat(application.isShutdown()).isFalse();
            long rows = observations();
            assertThat(monitor.runOnce()).isEmpty();
            assertThat(observations()).isEqualTo(rows);
        } finally {
            application.shutdownNow();
        }
    }

    @Test
    void runOnceReturnsTheDecisionAndCloseFromItsListenerDoesNotWait() {
        AtomicReference<CutoverMonitor> self = new AtomicReference<>();
        CutoverMonitor monitor = CutoverMonitor.builder(db, CUTOVER).onDecision(d -> self.get().close()).startUnscheduled();
        self.set(monitor);
        database.execute("insert into \"user\" (email) values ('bob@acme.test')");

        assertThat(monitor.runOnce()).hasValueSatisfying(d -> assertThat(d.verdict()).isEqualTo(Verdict.NO_GO));
        assertThat(monitor.isRunning()).isFalse();
        assertThat(monitor.runOnce()).isEmpty();
        assertThat(observations()).isEqualTo(1);
    }

    @Test
    void keepsObservationsInTheConfiguredStateSchema() {
        CutoverDatabase elsewhere = CutoverDatabase.builder(database.dataSource()).stateSchema("cutover state").build();
        try (CutoverMonitor monitor = CutoverMonitor.builder(elsewhere, CUTOVER).every(Duration.ofHours(1)).start()) {
            monitor.evaluateNow();
            assertThat(database.queryLong("select count(*) from \"cutover state\".cutover_observation")).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void refusesAnUnknownTableOnStart() {
        NotNullCutover missing = NotNullCutover.builder("users", "organization_id").build();
        assertThatThrownBy(() -> CutoverMonitor.builder(db, missing).start())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessageContaining("public.users");
    }

    @Test
    void builderChecksItsSettings() {
        assertThatThrownBy(() -> CutoverMonitor.builder(db, CUTOVER).every(Duration.ofMillis(1)))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("every must be between 10ms and 24h, but was 1ms");
        assertThatThrownBy(() -> CutoverMonitor.builder(db, CUTOVER).baseline(-3))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("baseline must be at least 0, but was -3");
    }
}
