package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link Remediation#runs}: the journal read back per run, for status pages and the on-call. */
class RemediationRunsTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> d.runbookSchema());

    static final NotNullCutover USER = NotNullCutover.builder("user", "organization_id").build();

    CutoverDatabase db;

    @BeforeEach
    void rows() {
        database.execute("""
                drop table if exists cutover_journal_batch cascade;
                drop view if exists cutover_journal;
                drop schema if exists elsewhere cascade;
                truncate "user", organizations restart identity;
                insert into organizations (name, domain) values ('Acme', 'acme.test');
                insert into "user" (email, organization_id)
                select 'u' || i || '@acme.test', case when i % 2 = 0 then null else 1 end from generate_series(1, 10) i;
                """);
        db = database.cutoverDatabase();
    }

    private RemediationReport remediate(int batchSize) {
        return Remediation.builder(db, USER).policy(RemediationPolicies.constant(1)).batchSize(batchSize).build().run();
    }

    @Test
    void noJournalMeansNoRunsAndNothingIsCreated() {
        assertThat(Remediation.runs(db, USER, 5)).isEmpty();
        assertThat(database.queryLong("select count(*) from pg_class where relname like 'cutover_journal%'")).isZero();
    }

    @Test
    void eachRunNewestFirstWithItsRowsAndWhetherItWasUndone() {
        RemediationReport first = remediate(2);
        database.execute("update \"user\" set organization_id = null where id in (1, 3, 5)");
        RemediationReport second = remediate(1_000);
        Remediation.builder(db, USER).policy(RemediationPolicies.constant(1)).dryRun(true).build().run();
        Remediation.undo(db, first.runId());

        List<JournaledRun> runs = Remediation.runs(db, USER, 10);

        assertThat(runs).extracting(JournaledRun::runId).containsExactly(second.runId(), first.runId());
        JournaledRun older = runs.get(1);
        assertThat(older.assigned()).isEqualTo(5);
        assertThat(older.restored()).isEqualTo(5);
        assertThat(older.undone()).isTrue();
        assertThat(older.started()).isBefore(older.ended());
        JournaledRun newer = runs.get(0);
        assertThat(newer.assigned()).isEqualTo(3);
        assertThat(newer.restored()).isZero();
        assertThat(newer.undone()).isFalse();
        assertThat(newer.started()).isAfterOrEqualTo(older.ended());
        assertThat(newer.policies()).hasSize(1).allSatisfy(p -> assertThat(p).isNotBlank());
        assertThat(Remediation.runs(db, USER, 1)).extracting(JournaledRun::runId).containsExactly(second.runId());
    }

    @Test
    void onlyTheCutoversOwnRunsFromTheConfiguredStateSchema() {
        remediate(1_000);
        NotNullCutover other = NotNullCutover.builder("user", "email").build();
        assertThat(Remediation.runs(db, other, 5)).isEmpty();

        CutoverDatabase elsewhere = CutoverDatabase.builder(database.dataSource()).stateSchema("elsewhere").build();
        assertThat(Remediation.runs(elsewhere, USER, 5)).isEmpty();
        database.execute("update \"user\" set organization_id = null where id = 2");
        RemediationReport there = Remediation.builder(elsewhere, USER).policy(RemediationPolicies.constant(1)).build().run();
        assertThat(Remediation.runs(elsewhere, USER, 5)).singleElement()
                .satisfies(r -> assertThat(r.runId()).isEqualTo(there.runId()))
                .satisfies(r -> assertThat(r.assigned()).isEqualTo(1));
    }

    @Test
    void refusesALimitOutOfRange() {
        assertThatThrownBy(() -> Remediation.runs(db, USER, 0))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("limit must be between 1 and 10000, but was 0");
        assertThatThrownBy(() -> Remediation.runs(db, USER, 10_001))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("limit must be between 1 and 10000, but was 10001");
    }
}
