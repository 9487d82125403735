package dev.cutover.core.remediation;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Identifiers;
import dev.cutover.core.internal.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.Name;
import org.jooq.impl.DSL;

/**
 * The remediation journal: one entry per batch, value and 1,000 keys, holding the keys the batch changed
 * and the id of the transaction that changed them ({@code txid_current()}).
 *
 * <p>How keys are kept: an entry's {@code keys} is a JSON array. When the key has one column,
 * the array holds that column's values as {@code to_jsonb} writes them ({@code [41, 42]}) and
 * {@code key_column} names the column; otherwise it holds one object per key, as
 * {@code jsonb_build_object} makes it ({@code [{"a": 1, "b": "x"}]}), and {@code key_column} is
 * NULL. Bare values cost PostgreSQL several times less to write than objects (measured with
 * {@code cutover-bench/statement-costs.sh}). The view {@code cutover_journal} shows every key as
 * an object, whatever its entry's form ({@link #key}).
 *
 * <p>Why the transaction id: a row version carries the id of the transaction that wrote it
 * ({@code xmin}). A row whose {@code xmin} is still the batch's transaction has not been
 * written since, by anyone; a row the application updated afterwards, even to the same value,
 * has a newer {@code xmin}. Undo restores only rows that pass both this test and the value
 * test. Freezing keeps the raw {@code xmin} readable; a table rewrite that writes new row
 * versions ({@code ALTER TABLE ... TYPE}, a dump and restore) gives rows new ids, so undo then
 * leaves them alone and reports them as changed: it errs towards restoring less, never more.
 * The 32-bit {@code xmin} wraps after about four billion transactions; a row would have to be
 * rewritten by exactly the transaction with the same low 32 bits, and still hold the value the
 * run set, to be taken for unchanged.
 *
 * <p>Sensitive values: when the column being fixed is sensitive, an entry's {@code new_value}
 * is left NULL and undo relies on the row version alone. A sensitive key column is refused
 * before the run ({@link PlanCheck#checkKeyNotSensitive}): the journal must name the rows it
 * changed, readably, for undo and audit.
 */
final class Journal {

    /** The journal as users read it: a view with one row per changed row. */
    static final String JOURNAL = "cutover_journal";
    /** Where the journal is kept: one row per batch and value, the keys as a JSON array. */
    static final String JOURNAL_BATCHES = "cutover_journal_batch";

    private Journal() {
    }

    static Name batchTable(DatabaseHandle db, NotNullCutover cutover) {
        return DSL.name(db.stateSchema(cutover), JOURNAL_BATCHES);
    }

    static void ensure(DatabaseHandle db, NotNullCutover cutover) {
        db.ensureStateTable(db.stateSchema(cutover), JOURNAL_BATCHES, Journal::ddl);
    }

    /** The journal's DDL, run when it is missing and rendered into the state tables' script. */
    static void ddl(org.jooq.DSLContext dsl, String schema) {
        String kind = dsl.fetchOptional("""
                select c.relkind::text from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                where n.nspname = ? and c.relname = ?""", schema, JOURNAL).map(r -> r.get(0, String.class)).orElse(null);
        if (kind != null && !kind.equals("v")) {
            throw new CutoverConfigurationException(Identifiers.display(schema, JOURNAL) + " exists and is not a view. The "
                    + "remediation journal is kept in " + Identifiers.display(schema, JOURNAL_BATCHES) + ", with a view "
                    + JOURNAL + " over it; rename the existing relation (ALTER TABLE ... RENAME TO ...) to keep what it "
                    + "holds, then run again.");
        }
        dsl.query("""
                create table if not exists {0} (
                  id bigint generated always as identity,
                  run_id uuid not null,
                  action text not null check (action in ('assign', 'undo')),
                  table_schema text not null,
                  table_name text not null,
                  column_name text not null,
                  keys jsonb not null check (jsonb_typeof(keys) = 'array'),
                  key_count integer not null check (key_count > 0),
                  old_value text,
                  new_value text,
                  policy text not null,
                  at timestamptz not null default clock_timestamp(),
                  xact bigint,
                  undone_at timestamptz,
                  key_column text,
                  primary key (run_id, id)
                )""", DSL.name(schema, JOURNAL_BATCHES)).execute();
        // The state tables' script upgrades a journal made by an earlier version: entries without a
        // transaction id are never taken for unchanged, and entries without key_column hold objects.
        dsl.query("alter table {0} add column if not exists xact bigint, add column if not exists undone_at timestamptz, "
                + "add column if not exists key_column text", DSL.name(schema, JOURNAL_BATCHES)).execute();
        if (kind == null) {
            dsl.query("""
                    create view {0} as
                    select b.id as batch_id, b.run_id, b.action, b.table_schema, b.table_name, b.column_name, {2} as key,
                           b.old_value, b.new_value, b.policy, b.at
                    from {1} b cross join lateral jsonb_array_elements(b.keys) as k(key)""",
                    DSL.name(schema, JOURNAL), DSL.name(schema, JOURNAL_BATCHES), key("b", "k.key")).execute();
        }
    }

    /**
     * A journal element as the key object {@code jsonb_build_object} makes, {@code {"id": 42}},
     * whichever form its entry (alias {@code entry}) stores: an object per key, or the key
     * column's bare value with the column named once in {@code key_column}.
     */
    static org.jooq.Field<Object> key(String entry, String element) {
        return DSL.field("case when {0} is null then {1} else jsonb_build_object({0}, {1}) end",
                DSL.field(DSL.name(entry, "key_column")), DSL.field(element));
    }

    /**
     * Whether the journal in {@code schema} has the column {@code key_column}, i.e. may hold bare
     * key values: a journal made by an earlier version of its table does not, and its entries
     * stay objects, which its view shows as they are.
     */
    static boolean hasKeyColumn(org.jooq.DSLContext dsl, String schema) {
        return dsl.fetchExists(dsl.selectOne().from(DSL.table(DSL.name("pg_catalog", "pg_attribute")))
                .where(DSL.field(DSL.name("attrelid")).eq(DSL.field("to_regclass({0})::oid", DSL.val(
                        dsl.render(DSL.name(schema, JOURNAL_BATCHES))))))
                .and(DSL.field(DSL.name("attname")).eq(DSL.val("key_column")))
                .and(DSL.field(DSL.name("attisdropped")).isFalse()));
    }

    /** {@link #hasKeyColumn} of the cutover's journal, read in a transaction of its own. */
    static boolean hasKeyColumn(DatabaseHandle db, NotNullCutover cutover) {
        String schema = db.stateSchema(cutover);
        return Sql.inTransaction(db.dataSource(), db.stateTimeouts(), "read the columns of "
                + Identifiers.display(schema, JOURNAL_BATCHES), dsl -> hasKeyColumn(dsl, schema));
    }

    /**
     * The schema whose journal holds a run: the database's {@code stateSchema}, else every schema
     * with a journal this role may read (a journal it may not read cannot be its own).
     */
    static String find(DatabaseHandle db, UUID runId) {
        List<String> schemas = Sql.inTransaction(db.dataSource(), db.settings().probeTimeout(), "find the remediation journal",
                dsl -> {
                    List<String> candidates = db.settings().stateSchema().map(List::of).orElseGet(() -> dsl.fetch("""
                            select n.nspname::text from pg_catalog.pg_class c
                            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                            where c.relname = ? and c.relkind in ('r', 'p')
                              and pg_catalog.has_schema_privilege(n.oid, 'USAGE')
                              and pg_catalog.has_table_privilege(c.oid, 'SELECT')
                            order by 1""", JOURNAL_BATCHES).getValues(0, String.class));
                    List<String> holding = new ArrayList<>();
                    for (String s : candidates) {
                        boolean exists = dsl.fetchOne("""
                                select 1 from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                                where n.nspname = ? and c.relname = ?""", s, JOURNAL_BATCHES) != null;
                        if (exists && dsl.fetchExists(DSL.selectOne().from(DSL.table(DSL.name(s, JOURNAL_BATCHES)))
                                .where(DSL.field(DSL.name("run_id")).eq(DSL.val(runId))))) {
                            holding.add(s);
                        }
                    }
                    return holding;
                });
        if (schemas.isEmpty()) {
            throw new CutoverConfigurationException("No remediation journal holds run " + runId
                    + (db.settings().stateSchema().isPresent() ? " in schema " + db.settings().stateSchema().get() : "")
                    + "; check the run id (RemediationReport.runId()) and the database's stateSchema.");
        }
        if (schemas.size() > 1) {
            throw new CutoverConfigurationException("Run " + runId + " appears in the journals of several schemas " + schemas
                    + "; set CutoverDatabase.builder(...).stateSchema(...) to the one to undo.");
        }
        return schemas.get(0);
    }
}
