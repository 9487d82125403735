package dev.cutover.core.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.gate.CutoverMonitor;
import dev.cutover.core.gate.Decision;
import dev.cutover.core.gate.ObservationTables;
import dev.cutover.core.testing.TestDatabase;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stage B never passes while Stage A says NO_GO: the runbook pauses the rollout on a rise and
 * remediates before Stage B, so a latch (on any replica) in the window, or open now, fails
 * "null baseline stable" however low the counts are; and every duration in its messages is
 * exact enough to see why it failed.
 */
class StageBAgainstLatchTest {

    static TestDatabase database;
    static CutoverDatabase db;

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id").build();
    static final String TARGET = "public.\"user\".organization_id";
    static final Duration WINDOW = Duration.ofSeconds(3);

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.create().runbookSchema().execute("""
                insert into organizations (name) values ('Acme');
                insert into "user" (email, organization_id) values ('ann@acme.test', 1);
                """);
        db = database.cutoverDatabase();
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting until " + what);
            }
            sleep(Duration.ofMillis(20));
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static PreflightCheck.Outcome stable() throws Exception {
        return PreflightChecks.nullBaselineStable(CUTOVER, 0, WINDOW, WINDOW).run(db);
    }

    @Test
    void failsWhileAnyReplicaIsLatchedAndUntilAFullWindowAfterTheRearm() throws Exception {
        try (CutoverMonitor a = CutoverMonitor.builder(db, CUTOVER).instance("replica-a").every(Duration.ofMillis(100)).start();
             CutoverMonitor b = CutoverMonitor.builder(db, CUTOVER).instance("replica-b").every(Duration.ofMillis(100)).start()) {
            await("both say GO", () -> a.last().filter(Decision::isGo).isPresent() && b.last().filter(Decision::isGo).isPresent());
            database.execute("insert into \"user\" (email) values ('bob@example.com'), ('carl@example.com')");
            await("both latch", () -> a.last().filter(Decision::latched).isPresent() && b.last().filter(Decision::latched).isPresent());
            database.execute("update \"user\" set organization_id = 1");
            // Longer than the window: every count in it is 0 again, and nobody has re-armed.
            sleep(WINDOW.plusMillis(700));
            assertThat(database.queryLong("select count(*) from cutover_observation where observed_at > now() - interval '3 seconds' "
                    + "and null_count > 0")).isZero();

            PreflightCheck.Outcome latched = stable();

            assertThat(latched.passed()).as(latched.detail()).isFalse();
            assertThat(latched.detail())
                    .contains("the Stage A gate is latched NO_GO since ")
                    .contains(" when the count rose to 2 (peak 2, baseline 0): remediate, then rearm() the gate "
                            + "(CutoverMonitor.rearm(), once for every replica), and wait a full window (3s) at the baseline");

            b.rearm();
            PreflightCheck.Outcome justRearmed = stable();
            assertThat(justRearmed.passed()).as(justRearmed.detail()).isFalse();
            assertThat(justRearmed.detail()).contains("the Stage A gate was latched NO_GO in the window (")
                    .contains(", peak 0); it was re-armed at ").contains(" by replica-b, so the window is clear of the latch at ");

            await("both say GO again", () -> a.last().filter(Decision::isGo).isPresent() && b.last().filter(Decision::isGo).isPresent());
            sleep(WINDOW.plusMillis(700));
            PreflightCheck.Outcome clear = stable();
            assertThat(clear.passed()).as(clear.detail()).isTrue();
        }
    }

    @Test
    void durationsInItsMessagesAreExact() throws Exception {
        ObservationTables.create(db, CUTOVER);
        database.execute("truncate cutover_observation; truncate cutover_gate");
        // A 3.5 s window with observations every 0.5 s, but for one gap of 1.4 s, against a 1 s limit.
        database.execute("insert into cutover_observation (target, observed_at, null_count, baseline, verdict, latched, reason) "
                + "select '" + TARGET.replace("'", "''") + "', now() - make_interval(secs => g), 0, 0, 'GO', false, 'test' "
                + "from unnest(array[4.0, 3.5, 3.0, 2.5, 2.0, 0.6, 0.1]) g");

        PreflightCheck.Outcome outcome = PreflightChecks.nullBaselineStable(CUTOVER, 0, Duration.ofMillis(3500),
                Duration.ofSeconds(1)).run(db);

        assertThat(outcome.passed()).isFalse();
        assertThat(outcome.detail())
                .startsWith(TARGET + " is not shown stable at baseline 0 over the last 3.5s: gap of 1.4s between observations at ")
                .contains(", more than the 1s allowed: the monitor was not running");
    }
}
