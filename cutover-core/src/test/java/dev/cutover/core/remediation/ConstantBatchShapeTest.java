package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where rounds walk the key (before PostgreSQL 14, on a partitioned table, or with a partial
 * index of the NULL rows), a constant policy's batches take two shapes: a key range, where NULL
 * rows are dense, and the NULL keys read then updated one by one, where they are sparse. Over a
 * table whose NULLs go from dense to sparse and back, every NULL row is assigned and journaled
 * once, no other row changes, and undo restores them all, with a key of one column and of two,
 * whether the round walks the key or block ranges ({@link BlockRanges}).
 */
class ConstantBatchShapeTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> db = d.cutoverDatabase());
    static CutoverDatabase db;

    /** NULL rows: every third of the first 3,000, every 500th up to 100,000, every second after. */
    private static final String NULL_WHEN = "(i <= 3000 and i % 3 = 0) or (i > 3000 and i <= 100000 and i % 500 = 0) "
            + "or (i > 100000 and i % 2 = 0)";
    private static final int ROWS = 103_000;

    @BeforeEach
    void rows() {
        database.execute("""
                do $$ begin if to_regclass('cutover_journal_batch') is not null then truncate cutover_journal_batch; end if; end $$;
                drop table if exists item cascade; drop table if exists pair cascade;
                create table item (id bigint primary key, v bigint);
                create table pair (a int not null, b text not null, v bigint, primary key (a, b));
                insert into item select i, case when NULL_WHEN then null else i % 7 end from generate_series(1, ROWS) i;
                insert into pair select i / 1000, lpad((i % 1000)::text, 4, '0'), case when NULL_WHEN then null else i % 7 end
                from generate_series(1, ROWS) i;
                analyze item; analyze pair;
                """.replace("NULL_WHEN", NULL_WHEN).replace("ROWS", Integer.toString(ROWS)));
    }

    @Test
    void oneColumnKeyThroughDenseAndSparseNulls() {
        check("item", NotNullCutover.builder("item", "v").build(), "id::text");
    }

    @Test
    void twoColumnKeyThroughDenseAndSparseNulls() {
        check("pair", NotNullCutover.builder("pair", "v").key("a", "b").build(), "a || '/' || b");
    }

    /** With a partial index of the NULL rows, rounds walk the key (no block ranges): the shapes above. */
    @Test
    void oneColumnKeyWithANullIndex() {
        NotNullCutover cutover = NotNullCutover.builder("item", "v").build();
        db.probe(cutover).createNullIndex();
        check("item", cutover, "id::text");
    }

    @Test
    void twoColumnKeyWithANullIndex() {
        NotNullCutover cutover = NotNullCutover.builder("pair", "v").key("a", "b").build();
        db.probe(cutover).createNullIndex();
        check("pair", cutover, "a || '/' || b");
    }

    private void check(String table, NotNullCutover cutover, String keyText) {
        long nulls = database.queryLong("select count(*) from " + table + " where v is null");
        String others = checksum(table, keyText, "v is not null");

        RemediationReport report = Remediation.builder(db, cutover).policy(RemediationPolicies.constant(42L)).batchSize(50)
                .build().run();

        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
        assertThat(report.assigned()).isEqualTo(nulls);
        assertThat(database.queryLong("select count(*) from " + table + " where v is null")).isZero();
        assertThat(checksum(table, keyText, "v <> 42")).isEqualTo(others);
        assertThat(database.queryLong("select count(*) from cutover_journal where run_id = '" + report.runId() + "'"))
                .isEqualTo(nulls);
        assertThat(database.queryLong("select count(distinct key) from cutover_journal where run_id = '" + report.runId() + "'"))
                .isEqualTo(nulls);

        UndoReport undo = Remediation.undo(db, report.runId());
        assertThat(undo.restored()).isEqualTo(nulls);
        assertThat(database.queryLong("select count(*) from " + table + " where v is null")).isEqualTo(nulls);
        assertThat(checksum(table, keyText, "v is not null")).isEqualTo(others);
    }

    private static String checksum(String table, String keyText, String where) {
        return database.queryString("select md5(string_agg(" + keyText + " || ':' || v, ',' order by " + keyText + ")) from "
                + table + " where " + where);
    }
}
