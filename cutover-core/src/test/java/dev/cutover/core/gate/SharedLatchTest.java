package dev.cutover.core.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several replicas monitor one cutover: they share one latch (the runbook's single go/no-go),
 * which every restart resumes as it is, and one re-arm releases for all; each observation
 * names the instance that made it.
 */
class SharedLatchTest {

    static TestDatabase database;
    static CutoverDatabase db;

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id").build();
    static final Duration HOURLY = Duration.ofHours(1);

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.create().runbookSchema();
        db = database.cutoverDatabase();
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    @BeforeEach
    void rows() {
        database.execute("""
                truncate "user", organizations restart identity;
                drop table if exists cutover_observation, cutover_gate;
                insert into organizations (name, domain) values ('Acme', 'acme.test');
                insert into "user" (email, organization_id) values ('ann@acme.test', 1);
                """);
        db = database.cutoverDatabase();
    }

    /** A monitor whose scheduled first evaluation (at start) is over when it is returned. */
    static CutoverMonitor replica(String name) {
        CutoverMonitor monitor = CutoverMonitor.builder(db, CUTOVER).instance(name).every(HOURLY).start();
        CutoverMonitorTest.await(name + " evaluated once", () -> monitor.evaluations() >= 1);
        return monitor;
    }

    static void rise(int rows) {
        database.execute("insert into \"user\" (email) select 'x' || g || '@example.com' from generate_series(1, " + rows + ") g");
    }

    static void remediate() {
        database.execute("update \"user\" set organization_id = 1 where organization_id is null");
    }

    static String history() {
        return database.queryString("select string_agg(concat_ws(' ', instance, verdict, null_count, latched), ' | ' order by id) "
                + "from cutover_observation");
    }

    @Test
    void aRiseSeenByOneReplicaLatchesEveryReplicaAndEveryRestartUntilOneRearm() {
        CutoverMonitor a = replica("a");
        CutoverMonitor b = replica("b");
        try {
            assertThat(a.evaluateNow().verdict()).isEqualTo(Verdict.GO);
            rise(7);
            assertThat(a.evaluateNow().verdict()).isEqualTo(Verdict.NO_GO);
            remediate();
            // b never saw the rise, but the latch is the cutover's, not a's.
            Decision seenByB = b.evaluateNow();
            assertThat(seenByB.verdict()).isEqualTo(Verdict.NO_GO);
            assertThat(seenByB.reason()).contains("when the NULL count rose to 7, above baseline 0 (peak 7, now 0)");

            // b restarts while the latch is open, and resumes the real rise (not "rose to 0").
            b.close();
            b = replica("b");
            Decision resumed = b.evaluateNow();
            assertThat(resumed.verdict()).isEqualTo(Verdict.NO_GO);
            assertThat(resumed.reason()).contains("when the NULL count rose to 7, above baseline 0 (peak 7, now 0)");
            assertThat(a.evaluateNow().verdict()).isEqualTo(Verdict.NO_GO);

            // One re-arm, on a, releases b too; a restart of b after it starts GO.
            a.rearm();
            assertThat(b.evaluateNow().verdict()).isEqualTo(Verdict.GO);
            b.close();
            b = replica("b");
            assertThat(b.evaluateNow().verdict()).isEqualTo(Verdict.GO);
            assertThat(a.evaluateNow().verdict()).isEqualTo(Verdict.GO);

            // Rows alternating between a re-armed a and a latched b cannot happen: b latches, a follows; a restarted a too.
            rise(3);
            assertThat(b.evaluateNow().verdict()).isEqualTo(Verdict.NO_GO);
            remediate();
            assertThat(a.evaluateNow().verdict()).isEqualTo(Verdict.NO_GO);
            a.close();
            a = replica("a");
            Decision restarted = a.evaluateNow();
            assertThat(restarted.verdict()).isEqualTo(Verdict.NO_GO);
            assertThat(restarted.reason()).contains("when the NULL count rose to 3, above baseline 0 (peak 3, now 0)");
        } finally {
            a.close();
            b.close();
        }

        // Each start evaluates once more: b latched until a's re-arm, every restart as the latch was.
        assertThat(history()).isEqualTo("a GO 0 f | b GO 0 f | a GO 0 f | a NO_GO 7 t | b NO_GO 0 t | b NO_GO 0 t | "
                + "b NO_GO 0 t | a NO_GO 0 t | b GO 0 f | b GO 0 f | b GO 0 f | a GO 0 f | b NO_GO 3 t | a NO_GO 0 t | "
                + "a NO_GO 0 t | a NO_GO 0 t");
        assertThat(database.queryString("select concat_ws(' ', latched, latched_count, peak, latched_by, rearmed_by) "
                + "from cutover_gate")).isEqualTo("t 3 3 b a");
        assertThat(Observations.gate(db, CUTOVER)).hasValueSatisfying(state -> {
            assertThat(state.latched()).isTrue();
            assertThat(state.latchedBy()).contains("b");
            assertThat(state.rearmedBy()).contains("a");
        });
    }

    @Test
    void aPeakSeenByAnyReplicaIsThePeakOfAll() {
        try (CutoverMonitor a = replica("a"); CutoverMonitor b = replica("b")) {
            rise(2);
            assertThat(a.evaluateNow().verdict()).isEqualTo(Verdict.NO_GO);
            rise(3);
            assertThat(b.evaluateNow().reason()).contains("rose to 2, above baseline 0 (peak 5, now 5)");
            remediate();
            assertThat(a.evaluateNow().reason()).contains("rose to 2, above baseline 0 (peak 5, now 0)");
        }
    }

    @Test
    void replicasEvaluatingAtOnceAgreeOnOneLatch() throws Exception {
        rise(1);
        try (CutoverMonitor a = CutoverMonitor.builder(db, CUTOVER).instance("a").every(Duration.ofMillis(20)).start();
             CutoverMonitor b = CutoverMonitor.builder(db, CUTOVER).instance("b").every(Duration.ofMillis(20)).start()) {
            CutoverMonitorTest.await("both evaluate a few times", () -> a.evaluations() >= 5 && b.evaluations() >= 5);
        }
        assertThat(database.queryLong("select count(distinct latched_at) from cutover_gate")).isEqualTo(1);
        assertThat(database.queryLong("select count(*) from cutover_observation where not latched")).isZero();
        assertThat(database.queryLong("select count(distinct instance) from cutover_observation")).isEqualTo(2);
    }
}
