package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.TestDatabase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On a plain table from PostgreSQL 14 on, a constant policy's round walks block ranges: each
 * batch takes at most {@code batchSize} NULL rows of the next blocks (the other policies walk the
 * key). Whatever the policy and however the NULL rows are spread, every NULL row is assigned and
 * journaled once under its key, as {@code jsonb_build_object} writes it, no other row changes, no
 * batch takes more than {@code batchSize} rows, and rows the application appends during the round
 * are found.
 */
class BlockRangeBatchTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> db = d.cutoverDatabase());
    static CutoverDatabase db;

    /** NULL rows: every third of the first 3,000, every 500th up to 100,000, every second after. */
    private static final String NULL_WHEN = "(i <= 3000 and i % 3 = 0) or (i > 3000 and i <= 100000 and i % 500 = 0) "
            + "or (i > 100000 and i % 2 = 0)";
    private static final int ROWS = 103_000;
    private static final int BATCH = 50;

    @BeforeEach
    void rows() {
        database.execute("""
                do $$ begin if to_regclass('cutover_journal_batch') is not null then truncate cutover_journal_batch; end if; end $$;
                drop table if exists item; drop table if exists odd;
                create table item (id bigint primary key, v bigint);
                insert into item select i, case when NULL_WHEN then null else i % 7 end from generate_series(1, ROWS) i;
                create table odd (k text not null, n numeric not null, t timestamptz not null, u uuid not null, v bigint,
                                  primary key (k, n, t, u));
                insert into odd select 'a"b\\c' || chr(1) || E'\\n\\t' || 'é€' || i, i / 3.0, timestamptz '2024-02-29 12:00:00+05:30' + i * interval '1 second',
                                       md5(i::text)::uuid, case when i % 4 = 0 then null else 1 end
                from generate_series(1, 400) i;
                analyze item; analyze odd;
                """.replace("NULL_WHEN", NULL_WHEN).replace("ROWS", Integer.toString(ROWS)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"constant", "sql", "lambda"})
    void everyPolicyAssignsEveryNullRowOnceThroughDenseAndSparseBlocks(String policy) {
        long nulls = database.queryLong("select count(*) from item where v is null");
        String others = checksum("v is not null");
        List<Integer> batchRows = new CopyOnWriteArrayList<>();

        RemediationReport report = Remediation.builder(db, NotNullCutover.builder("item", "v").build())
                .policy(policy(policy)).batchSize(BATCH)
                .onEvent(e -> {
                    if (e instanceof RemediationEvent.BatchDone b) {
                        batchRows.add(b.rows());
                    }
                })
                .build().run();

        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
        assertThat(report.assigned()).isEqualTo(nulls);
        assertThat(database.queryLong("select count(*) from item where v is null")).isZero();
        assertThat(checksum("v <> 42")).isEqualTo(others);
        assertThat(database.queryLong("select count(*) from cutover_journal where run_id = '" + report.runId() + "'"))
                .isEqualTo(nulls);
        assertThat(database.queryLong("select count(distinct key) from cutover_journal where run_id = '" + report.runId() + "'"))
                .isEqualTo(nulls);
        assertThat(batchRows).allSatisfy(rows -> assertThat(rows).isLessThanOrEqualTo(BATCH));
        // Fewer batches than blocks: block ranges grew where NULL rows were sparse.
        assertThat(report.batches()).isLessThan(database.queryLong("select pg_relation_size('item') / 8192"));

        UndoReport undo = Remediation.undo(db, report.runId());
        assertThat(undo.restored()).isEqualTo(nulls);
        assertThat(checksum("v is not null")).isEqualTo(others);
    }

    @ParameterizedTest
    @ValueSource(strings = {"constant", "sql", "lambda"})
    void theJournalHoldsEachKeyAsJsonbBuildObjectWritesIt(String policy) {
        long nulls = database.queryLong("select count(*) from odd where v is null");
        NotNullCutover cutover = NotNullCutover.builder("odd", "v").key("k", "n", "t", "u").build();

        RemediationReport report = Remediation.builder(db, cutover).policy(policy(policy)).batchSize(7).build().run();

        assertThat(report.assigned()).isEqualTo(nulls);
        assertThat(database.queryLong("select count(*) from cutover_journal j join odd o on j.key = "
                + "jsonb_build_object('k', o.k, 'n', o.n, 't', o.t, 'u', o.u) where j.run_id = '" + report.runId() + "'"))
                .isEqualTo(nulls);
        assertThat(Remediation.undo(db, report.runId()).restored()).isEqualTo(nulls);
        assertThat(database.queryLong("select count(*) from odd where v is null")).isEqualTo(nulls);
    }

    @Test
    void nullRowsTheApplicationAppendsDuringTheRoundAreFound() {
        AtomicInteger appended = new AtomicInteger();
        RemediationReport report = Remediation.builder(db, NotNullCutover.builder("item", "v").build())
                .policy(RemediationPolicies.constant(42L)).batchSize(BATCH)
                .onEvent(e -> {
                    if (e instanceof RemediationEvent.BatchDone b && b.batch() % 20 == 0 && appended.get() < 2_000) {
                        int from = ROWS + appended.get() + 1;
                        database.execute("insert into item select i, null from generate_series(" + from + ", " + (from + 99) + ") i");
                        appended.addAndGet(100);
                    }
                })
                .build().run();

        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
        assertThat(database.queryLong("select count(*) from item where v is null")).isZero();
        assertThat(database.queryLong("select count(*) from item where id > " + ROWS + " and v = 42")).isEqualTo(appended.get());
        assertThat(report.assigned()).isEqualTo(database.queryLong("select count(*) from item where v = 42"));
    }

    /**
     * A table with inheritance children: an {@code UPDATE} of the parent reaches the children's
     * rows, whose blocks the parent's size does not cover. Every NULL row is assigned, the
     * children's too, and none is left when the report says so.
     */
    @Test
    void nullRowsOfInheritanceChildrenAreAssignedToo() {
        database.execute("""
                drop table if exists parent cascade;
                create table parent (id bigint primary key, v bigint);
                create table child () inherits (parent);
                insert into parent values (1, null);
                insert into child select i, case when i % 5 = 0 then null else 1 end from generate_series(2, 20001) i;
                analyze parent; analyze child;
                """);
        long nulls = database.queryLong("select count(*) from parent where v is null");

        RemediationReport report = Remediation.builder(db, NotNullCutover.builder("parent", "v").build())
                .policy(RemediationPolicies.constant(42L)).batchSize(BATCH).build().run();

        assertThat(database.queryLong("select count(*) from parent where v is null")).isZero();
        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
        assertThat(report.assigned()).isEqualTo(nulls);
        assertThat(report.remaining()).isZero();
    }

    /** The policy named: {@code constant}, {@code sql}, or else a Java lambda, each giving every row 42. */
    static RemediationPolicy policy(String name) {
        return switch (name) {
            case "constant" -> RemediationPolicies.constant(42L);
            case "sql" -> RemediationPolicies.sql("select 42");
            default -> row -> RemediationDecision.assign(42L);
        };
    }

    private static String checksum(String where) {
        return database.queryString("select md5(string_agg(id || ':' || v, ',' order by id)) from item where " + where);
    }
}
