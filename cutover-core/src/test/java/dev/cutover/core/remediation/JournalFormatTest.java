package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How the journal keeps keys. A key of one column is stored as that column's bare JSON values
 * ({@code [1, 2, 3]}, the column named once per entry in {@code key_column}), which PostgreSQL
 * writes several times faster than an object per row; the view {@code cutover_journal} still
 * shows each key as the object {@code jsonb_build_object} makes, and undo reads both forms. A
 * journal made before {@code key_column} existed keeps receiving objects.
 */
class JournalFormatTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> db = d.cutoverDatabase());
    static CutoverDatabase db;

    private static final int NULLS = 2_500;

    @BeforeEach
    void rows() {
        database.execute("""
                do $$ begin if to_regclass('cutover_journal_batch') is not null then truncate cutover_journal_batch; end if; end $$;
                drop table if exists item; drop table if exists named;
                create table item (id bigint primary key, v bigint);
                insert into item select i, case when i % 4 = 0 then null else i % 7 end from generate_series(1, 10000) i;
                create table named (k text primary key, v bigint);
                insert into named select 'a''b\\c' || chr(1) || E'\\n' || '"é€' || i, case when i % 4 = 0 then null else 1 end
                from generate_series(1, 400) i;
                analyze item; analyze named;
                """);
    }

    @ParameterizedTest(name = "{0}, NULL index {1}")
    @CsvSource({"constant, false", "constant, true", "sql, false", "lambda, false"})
    void aOneColumnKeyIsStoredAsBareValuesAndShownAsObjects(String policy, boolean nullIndex) {
        if (nullIndex) {
            database.execute("create index item_v_null on item (id) where v is null");
        }
        String others = checksum("v is not null");

        RemediationReport report = Remediation.builder(db, NotNullCutover.builder("item", "v").build())
                .policy(BlockRangeBatchTest.policy(policy)).batchSize(2_000).build().run();

        assertThat(report.assigned()).isEqualTo(NULLS);
        String run = "run_id = '" + report.runId() + "'";
        assertThat(database.queryLong("select count(*) from cutover_journal_batch where " + run
                + " and (key_column is distinct from 'id' or jsonb_typeof(keys -> 0) <> 'number' or key_count > 1000"
                + " or key_count <> jsonb_array_length(keys))")).isZero();
        assertThat(database.queryLong("select sum(key_count) from cutover_journal_batch where " + run)).isEqualTo(NULLS);
        // Batches of 2,000 rows make entries of at most 1,000 keys.
        assertThat(database.queryLong("select count(*) from cutover_journal_batch where " + run)).isGreaterThan(2);
        assertThat(database.queryLong("select count(*) from cutover_journal j join item i on j.key = jsonb_build_object('id', i.id)"
                + " where j." + run + " and i.v = 42")).isEqualTo(NULLS);

        UndoReport undo = Remediation.undo(db, report.runId());
        assertThat(undo.restored()).isEqualTo(NULLS);
        assertThat(database.queryLong("select count(*) from item where v is null")).isEqualTo(NULLS);
        assertThat(checksum("v is not null")).isEqualTo(others);
        assertThat(Remediation.undo(db, report.runId()).restored()).isZero();
    }

    @Test
    void aTextKeyWithQuotesBackslashesAndControlCharactersIsJournaledAndUndone() {
        RemediationReport report = Remediation.builder(db, NotNullCutover.builder("named", "v").build())
                .policy(RemediationPolicies.constant(42L)).batchSize(30).build().run();

        assertThat(report.assigned()).isEqualTo(100);
        assertThat(database.queryLong("select count(*) from cutover_journal_batch where jsonb_typeof(keys -> 0) <> 'string'"))
                .isZero();
        assertThat(database.queryLong("select count(*) from cutover_journal j join named n on j.key = jsonb_build_object('k', n.k)"
                + " where n.v = 42")).isEqualTo(100);
        assertThat(Remediation.undo(db, report.runId()).restored()).isEqualTo(100);
        assertThat(database.queryLong("select count(*) from named where v is null")).isEqualTo(100);
    }

    /** A journal whose table predates {@code key_column} (the state tables' script of an earlier version). */
    @Test
    void aJournalMadeBeforeKeyColumnKeepsObjectsAndIsUndone() {
        database.execute("""
                create schema legacy;
                create table legacy.item (id bigint primary key, v bigint);
                insert into legacy.item select i, case when i % 4 = 0 then null else i % 7 end from generate_series(1, 10000) i;
                create table legacy.cutover_journal_batch (
                  id bigint generated always as identity, run_id uuid not null,
                  action text not null check (action in ('assign', 'undo')),
                  table_schema text not null, table_name text not null, column_name text not null,
                  keys jsonb not null check (jsonb_typeof(keys) = 'array'), key_count integer not null check (key_count > 0),
                  old_value text, new_value text, policy text not null, at timestamptz not null default clock_timestamp(),
                  xact bigint, undone_at timestamptz, primary key (run_id, id));
                create view legacy.cutover_journal as
                select b.id as batch_id, b.run_id, b.action, b.table_schema, b.table_name, b.column_name, k.key,
                       b.old_value, b.new_value, b.policy, b.at
                from legacy.cutover_journal_batch b cross join lateral jsonb_array_elements(b.keys) as k(key);
                """);

        for (String policy : new String[] {"constant", "sql", "lambda"}) {
            RemediationReport report = Remediation.builder(db, NotNullCutover.builder("item", "v").schema("legacy").build())
                    .policy(BlockRangeBatchTest.policy(policy)).batchSize(2_000).build().run();

            assertThat(report.assigned()).as(policy).isEqualTo(NULLS);
            assertThat(database.queryLong("select count(*) from legacy.cutover_journal_batch where run_id = '" + report.runId()
                    + "' and jsonb_typeof(keys -> 0) <> 'object'")).as(policy).isZero();
            assertThat(database.queryLong("select count(*) from legacy.cutover_journal j join legacy.item i on j.key = "
                    + "jsonb_build_object('id', i.id) where j.run_id = '" + report.runId() + "'")).as(policy).isEqualTo(NULLS);
            assertThat(Remediation.undo(db, report.runId()).restored()).as(policy).isEqualTo(NULLS);
        }
    }

    private static String checksum(String where) {
        return database.queryString("select md5(string_agg(id || ':' || v, ',' order by id)) from item where " + where);
    }
}
