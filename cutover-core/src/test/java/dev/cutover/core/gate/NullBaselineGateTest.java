package dev.cutover.core.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.migrate.NotNullMigration;
import dev.cutover.core.testing.LockHolder;
import dev.cutover.core.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NullBaselineGateTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> db = d.runbookSchema().cutoverDatabase());
    static CutoverDatabase db;

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id")
            .references("organizations", "id")
            .build();

    @BeforeEach
    void rows() {
        database.execute("""
                truncate "user", organizations restart identity;
                insert into organizations (name, domain) values ('Acme', 'acme.test');
                insert into "user" (email, organization_id) values ('ann@acme.test', 1), ('bob@acme.test', 1);
                """);
    }

    static void insertNullUsers(int n) {
        database.execute("insert into \"user\" (email) select 'u' || g || '@example.com' from generate_series(1, " + n + ") g");
    }

    static void remediate() {
        database.execute("update \"user\" set organization_id = 1 where organization_id is null");
    }

    @Test
    void goWhileTheCountStaysAtTheBaseline() {
        Gate gate = NullBaselineGate.of(db, CUTOVER, 0);
        assertThat(gate.last()).isEmpty();

        Decision decision = gate.evaluate();

        assertThat(decision.verdict()).isEqualTo(Verdict.GO);
        assertThat(decision.isGo()).isTrue();
        assertThat(decision.target()).isEqualTo("public.\"user\".organization_id");
        assertThat(decision.nullCount()).hasValue(0);
        assertThat(decision.baseline()).isZero();
        assertThat(decision.latched()).isFalse();
        assertThat(decision.error()).isEmpty();
        assertThat(decision.reason()).isEqualTo("public.\"user\".organization_id has 0 NULL rows, at or below baseline 0: rollout may go on.");
        assertThat(gate.last()).contains(decision);
    }

    /** After the enforce phase the gate is a guarantee: its decision says that new NULLs are refused. */
    @Test
    void saysThatNewNullsAreRefusedOnceEnforcedForNewRows() {
        insertNullUsers(2);
        NotNullCutover cutover = NotNullCutover.builder("user", "organization_id").build();
        NotNullMigration.builder(db, cutover).build().enforceForNewRows();
        try {
            NullBaselineGate gate = NullBaselineGate.of(db, cutover, 2);
            String constraint = db.serverVersion().hasNotNullConstraints() ? "NOT NULL constraint user_organization_id_not_null"
                    : "CHECK constraint user_organization_id_cutover_not_null";

            Decision decision = gate.evaluate();

            assertThat(decision.verdict()).isEqualTo(Verdict.GO);
            assertThat(decision.reason()).isEqualTo("public.\"user\".organization_id has 2 NULL rows, at or below baseline 2: "
                    + "rollout may go on. New NULLs are refused at write time by the NOT VALID " + constraint
                    + " (enforced for new rows, not validated yet), so the count can only fall.");
            assertThatThrownBy(() -> insertNullUsers(1)).as("a new NULL is refused").isInstanceOf(RuntimeException.class);
            remediate();
            assertThat(gate.evaluate().nullCount()).hasValue(0);
        } finally {
            database.execute("alter table \"user\" drop constraint if exists user_organization_id_cutover_not_null");
            database.execute("alter table \"user\" alter column organization_id drop not null");
        }
    }

    @Test
    void aRiseAboveTheBaselineLatchesNoGoUntilRearmed() {
        NullBaselineGate gate = NullBaselineGate.of(db, CUTOVER, 0);
        assertThat(gate.evaluate().verdict()).isEqualTo(Verdict.GO);

        insertNullUsers(3);
        Decision rose = gate.evaluate();
        assertThat(rose.verdict()).isEqualTo(Verdict.NO_GO);
        assertThat(rose.nullCount()).hasValue(3);
        assertThat(rose.latched()).isTrue();
        assertThat(rose.reason()).isEqualTo("public.\"user\".organization_id has 3 NULL rows, above baseline 0: "
                + "pause rollout and remediate before Stage B. The gate stays NO_GO until rearm().");
        assertThat(gate.latched()).isTrue();

        insertNullUsers(2);
        assertThat(gate.evaluate().nullCount()).hasValue(5);

        remediate();
        Decision fellBack = gate.evaluate();
        assertThat(fellBack.verdict()).isEqualTo(Verdict.NO_GO);
        assertThat(fellBack.nullCount()).hasValue(0);
        assertThat(fellBack.latched()).isTrue();
        assertThat(fellBack.reason())
                .startsWith("public.\"user\".organization_id is NO_GO, latched since " + rose.at().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                .endsWith(" when the NULL count rose to 3, above baseline 0 (peak 5, now 0): "
                        + "pause rollout and remediate before Stage B, then rearm() the gate.");
        assertThat(gate.evaluate().verdict()).isEqualTo(Verdict.NO_GO);

        gate.rearm();
        assertThat(gate.latched()).isFalse();
        Decision rearmed = gate.evaluate();
        assertThat(rearmed.verdict()).isEqualTo(Verdict.GO);
        assertThat(rearmed.nullCount()).hasValue(0);
        assertThat(rearmed.latched()).isFalse();
    }

    @Test
    void rearmingWhileTheCountIsStillAboveTheBaselineLatchesAgain() {
        Gate gate = NullBaselineGate.of(db, CUTOVER, 0);
        insertNullUsers(1);
        assertThat(gate.evaluate().verdict()).isEqualTo(Verdict.NO_GO);

        gate.rearm();

        Decision again = gate.evaluate();
        assertThat(again.verdict()).isEqualTo(Verdict.NO_GO);
        assertThat(again.reason()).startsWith("public.\"user\".organization_id has 1 NULL rows, above baseline 0");
    }

    @Test
    void toleratesCountsUpToItsBaseline() {
        insertNullUsers(2);
        Gate gate = NullBaselineGate.of(db, CUTOVER, 2);
        assertThat(gate.evaluate().verdict()).isEqualTo(Verdict.GO);
        insertNullUsers(1);
        assertThat(gate.evaluate().verdict()).isEqualTo(Verdict.NO_GO);
    }

    @Test
    void aFailedProbeIsUnknownNeverGo() {
        CutoverDatabase impatient = CutoverDatabase.builder(database.dataSource()).probeTimeout(Duration.ofSeconds(2)).build();
        Gate gate = NullBaselineGate.of(impatient, CUTOVER, 0);
        assertThat(gate.evaluate().verdict()).isEqualTo(Verdict.GO);

        Decision failed;
        try (var lock = LockHolder.accessExclusive(database, "\"user\"")) {
            failed = gate.evaluate();
        }

        assertThat(failed.verdict()).isEqualTo(Verdict.UNKNOWN);
        assertThat(failed.isGo()).isFalse();
        assertThat(failed.probeFailed()).isTrue();
        assertThat(failed.nullCount()).isEmpty();
        assertThat(failed.latched()).isFalse();
        assertThat(failed.reason()).isEqualTo("The NULL count of public.\"user\".organization_id could not be read (SQLSTATE 57014), "
                + "so this is not a GO: hold the rollout and fix the probe (see the error) until a count is read.");
        assertThat(failed.error()).hasValueSatisfying(error -> assertThat(error).startsWith(
                "Could not count NULL rows of public.\"user\".organization_id (SQLSTATE 57014): "
                        + "ERROR: canceling statement due to statement timeout"));

        assertThat(gate.evaluate().verdict()).isEqualTo(Verdict.GO);
    }

    @Test
    void aFailedProbeKeepsALatchedNoGo() {
        CutoverDatabase impatient = CutoverDatabase.builder(database.dataSource()).probeTimeout(Duration.ofSeconds(2)).build();
        Gate gate = NullBaselineGate.of(impatient, CUTOVER, 0);
        insertNullUsers(1);
        gate.evaluate();

        Decision failed;
        try (var lock = LockHolder.accessExclusive(database, "\"user\"")) {
            failed = gate.evaluate();
        }

        assertThat(failed.verdict()).isEqualTo(Verdict.NO_GO);
        assertThat(failed.latched()).isTrue();
        assertThat(failed.nullCount()).isEmpty();
        assertThat(failed.error()).isPresent();
        assertThat(failed.reason()).contains("(peak 1, now unknown: the probe failed (SQLSTATE 57014))");
    }

    @Test
    void concurrentEvaluationsAgreeOnTheLatch() throws InterruptedException {
        Gate gate = NullBaselineGate.of(db, CUTOVER, 0);
        insertNullUsers(1);
        var decisions = new ConcurrentLinkedQueue<Decision>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 10; i++) {
                    decisions.add(gate.evaluate());
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(60).toMillis());
        }
        assertThat(decisions).hasSize(40).allSatisfy(d -> {
            assertThat(d.verdict()).isEqualTo(Verdict.NO_GO);
            assertThat(d.latched()).isTrue();
        });
        assertThat(decisions).filteredOn(d -> d.reason().contains("The gate stays NO_GO until rearm()")).hasSize(1);
    }

    @Test
    void baselineMustNotBeNegative() {
        assertThatThrownBy(() -> NullBaselineGate.of(db, CUTOVER, -1))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("baseline must be at least 0, but was -1");
    }
}
