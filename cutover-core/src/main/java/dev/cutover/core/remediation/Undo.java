package dev.cutover.core.remediation;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Identifiers;
import dev.cutover.core.internal.Sql;
import dev.cutover.core.internal.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Name;
import org.jooq.QueryPart;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts back to NULL the rows a run set, entry by entry of the {@linkplain Journal journal}: a
 * row is restored only while it still holds the value the run set and its row version is still
 * the one the run's batch wrote ({@code xmin} = the batch's transaction). Each entry is marked
 * undone in the transaction that undoes it, so an entry is undone once.
 */
final class Undo {

    private static final Logger LOG = LoggerFactory.getLogger("dev.cutover.core.remediation.Remediation");
    private static final int BATCH = 1_000;

    private final DatabaseHandle db;
    private final UUID runId;

    Undo(DatabaseHandle db, UUID runId) {
        this.db = db;
        this.runId = runId;
    }

    /** What one undo transaction did: entries it took, rows restored, rows those entries held, last entry id. */
    private record Step(long entries, long restored, long rows, long last) {
    }

    UndoReport run() {
        long start = System.nanoTime();
        String schema = Journal.find(db, runId);
        Name journal = DSL.name(schema, Journal.JOURNAL_BATCHES);
        QueryPart keyColumn = Sql.inTransaction(db.dataSource(), db.stateTimeouts(), "read the columns of "
                + Identifiers.display(schema, Journal.JOURNAL_BATCHES), dsl -> keyColumn(dsl, schema));
        Record meta = Sql.inTransaction(db.dataSource(), db.settings().probeTimeout(), "read run " + runId + " from the journal",
                dsl -> dsl.resultQuery("""
                        select table_schema, table_name, column_name, {2} as key_column,
                               case when jsonb_typeof(keys -> 0) = 'object' then array(select jsonb_object_keys(keys -> 0)) end
                                 as key_columns,
                               (select coalesce(sum(key_count), 0) from {0} a
                                where a.run_id = j.run_id and a.action = 'assign' and a.undone_at is not null)::bigint as undone
                        from {0} j where run_id = {1} and action = 'assign' order by id limit 1""",
                        journal, DSL.val(runId), keyColumn).fetchOne());
        if (meta == null) {
            throw new CutoverConfigurationException("Run " + runId + " assigned no rows in " + Identifiers.display(schema,
                    Journal.JOURNAL_BATCHES) + "; nothing to undo (a dry run is not journaled).");
        }
        String onlyKey = meta.get("key_column", String.class);
        NotNullCutover cutover = NotNullCutover.builder(meta.get("table_name", String.class), meta.get("column_name", String.class))
                .schema(meta.get("table_schema", String.class))
                .key(onlyKey != null ? new String[] {onlyKey} : meta.get("key_columns", String[].class)).build();
        Target target = db.target(cutover);
        long alreadyUndone = meta.get("undone", Long.class);
        long restored = 0;
        long taken = 0;
        long last = 0;
        try (BatchRunner runner = new BatchRunner(db.dataSource(), "cutover undo " + runId, Duration.ofMillis(100),
                Duration.ofSeconds(30), 10, Duration.ofMinutes(1), cutover.subject(), (attempt, state, wait) -> { })) {
            while (true) {
                long from = last;
                Step step;
                try {
                    step = runner.inTransaction((connection, dsl) -> step(dsl, target, journal, keyColumn, from)).value();
                } catch (Exception e) {
                    throw failed(e, target, restored);
                }
                if (step.entries() == 0) {
                    break;
                }
                restored += step.restored();
                taken += step.rows();
                last = step.last();
            }
        }
        UndoReport report = new UndoReport(runId, cutover.subject(), restored, taken - restored, alreadyUndone,
                Duration.ofNanos(System.nanoTime() - start));
        LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("runId", runId).addKeyValue("restored", restored)
                .addKeyValue("changedSince", taken - restored).addKeyValue("alreadyUndone", alreadyUndone)
                .log("Undo of run {}: {}", runId, report);
        return report;
    }

    /**
     * Undoes the next entries not yet undone after id {@code after}, about {@link #BATCH} keys,
     * in one statement: lock the entries, restore the rows that pass both tests, journal that as
     * {@code undo}, mark the entries undone.
     */
    /**
     * An undo step failed. The journal does not say which columns are sensitive, so the server's
     * words are cut to their first line, quoted words that are not the cutover's names left out,
     * and no cause carries the rest (a "Failing row contains (...)" detail quotes the whole row).
     * A column that no longer accepts NULL is said so, with what refuses it.
     */
    private dev.cutover.core.CutoverException failed(Exception e, Target target, long restored) {
        NotNullCutover cutover = target.cutover();
        String state = Sql.sqlState(e);
        String done = restored == 0 ? "nothing was restored" : restored + " rows were restored before that";
        if ("23502".equals(state) || "23514".equals(state)) {
            return new CutoverConfigurationException("Undo of run " + runId + " stopped: " + cutover.subject()
                    + " no longer accepts NULL (" + refusedBy(target) + "); " + done + ", the rest keep the value the run set. "
                    + "Putting NULL back would first need that constraint dropped, which rolls back the cutover itself: "
                    + "decide that on its own (see the runbook), then undo again.");
        }
        String words = Redaction.serverWords(e, List.of(), Redaction.knownWords(cutover, ""));
        return new dev.cutover.core.CutoverDatabaseException("Could not undo run " + runId + " on " + cutover.subject()
                + (state == null ? "" : " (SQLSTATE " + state + ")") + ": " + words + "; " + done + ". Undo again to continue.",
                state, new java.sql.SQLException(words, state));
    }

    /** What makes the target's column refuse NULL: NOT NULL, or the CHECK constraints on that column alone. */
    private String refusedBy(Target target) {
        try {
            return Sql.inTransaction(db.dataSource(), db.stateTimeouts(), "read the constraints of " + target.cutover().subject(),
                    dsl -> dsl.resultQuery("""
                            select a.attnotnull, array(select c.conname::text from pg_catalog.pg_constraint c
                                                       where c.conrelid = a.attrelid and c.contype in ('c', 'n')
                                                         and c.conkey = array[a.attnum] order by c.conname)
                            from pg_catalog.pg_attribute a where a.attrelid = {0}::regclass and a.attname = {1}""",
                            DSL.val(dsl.render(target.tableName())), DSL.val(target.cutover().column())).fetchOne(r -> {
                                String[] names = r.get(1, String[].class);
                                if (names.length > 0) {
                                    return (names.length == 1 ? "constraint " : "one of the constraints ") + String.join(", ", names);
                                }
                                return r.get(0, Boolean.class) ? "the column is NOT NULL" : "a constraint of the table";
                            }));
        } catch (RuntimeException e) {
            return "a constraint of the table";
        }
    }

    /**
     * The journal's column {@code key_column}, or NULL for a journal made before it existed,
     * whose entries all hold key objects.
     */
    private static QueryPart keyColumn(DSLContext dsl, String schema) {
        return Journal.hasKeyColumn(dsl, schema) ? DSL.name("key_column") : DSL.inline((String) null).cast(String.class);
    }

    private Step step(DSLContext dsl, Target target, Name journal, QueryPart keyColumn, long after) {
        Record range = dsl.resultQuery("""
                select count(*) as n, max(id) as last from (
                  select id, sum(key_count) over (order by id) - key_count as before from (
                    select id, key_count from {0}
                    where run_id = {1} and action = 'assign' and undone_at is null and id > {2} order by id limit {3}
                  ) e
                ) s where before < {3}""",
                journal, DSL.val(runId), DSL.val(after), DSL.inline(BATCH)).fetchOne();
        long n = range.get("n", Long.class);
        if (n == 0) {
            return new Step(0, 0, 0, after);
        }
        long last = range.get("last", Long.class);
        List<QueryPart> match = new ArrayList<>();
        for (String k : target.keyColumns()) {
            match.add(DSL.condition("{0} = (jsonb_populate_record(null::{1}, cutover_k.key)).{2}",
                    DSL.field(DSL.name("cutover_row", k)), target.tableName(), DSL.name(k)));
        }
        NotNullCutover cutover = target.cutover();
        Name column = DSL.name("cutover_row", cutover.column());
        Record done = dsl.resultQuery("""
                with cutover_e as (
                  select id, keys, key_count, new_value, xact, {11} as key_column from {0}
                  where run_id = {1} and action = 'assign' and undone_at is null and id > {2} and id <= {3}
                  for update
                ), cutover_k as (
                  select {12} as key, cutover_e.new_value, cutover_e.xact
                  from cutover_e cross join lateral jsonb_array_elements(cutover_e.keys) as e(key)
                ), cutover_u as (
                  update {4} as cutover_row set {5} = null from cutover_k
                  where {6} and {7} is not null and ({7}::text = cutover_k.new_value or cutover_k.new_value is null)
                    and cutover_row.xmin::text::bigint = cutover_k.xact % 4294967296
                  returning cutover_k.key, cutover_k.new_value
                ), cutover_ins as (
                  insert into {0} (run_id, action, table_schema, table_name, column_name, keys, key_count, old_value, new_value,
                                   policy, xact)
                  select {1}, 'undo', {8}, {9}, {10}, jsonb_agg(cutover_u.key), count(*), cutover_u.new_value, null, 'undo',
                         txid_current()
                  from cutover_u group by cutover_u.new_value
                ), cutover_marked as (
                  update {0} j set undone_at = clock_timestamp() from cutover_e
                  where j.run_id = {1} and j.id = cutover_e.id
                  returning j.key_count
                )
                select (select count(*) from cutover_u)::bigint as restored,
                       (select coalesce(sum(key_count), 0) from cutover_marked)::bigint as taken""",
                journal, DSL.val(runId), DSL.val(after), DSL.val(last), target.tableName(), DSL.name(cutover.column()),
                DSL.and(match.stream().map(c -> (Condition) c).toList()), DSL.field(column), DSL.val(cutover.schema()),
                DSL.val(cutover.table()), DSL.val(cutover.column()), keyColumn, Journal.key("cutover_e", "e.key")).fetchOne();
        return new Step(n, done.get("restored", Long.class), done.get("taken", Long.class), last);
    }
}
