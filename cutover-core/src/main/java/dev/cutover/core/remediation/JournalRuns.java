package dev.cutover.core.remediation;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Sql;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Name;
import org.jooq.impl.DSL;

/**
 * Reads the runs of one cutover from its {@linkplain Journal journal}, newest first: one
 * read-only statement over {@code cutover_journal_batch}, grouped by run, in a transaction with
 * the database's probe timeout. Writes nothing and creates nothing: without a journal there
 * are no runs.
 */
final class JournalRuns {

    private JournalRuns() {
    }

    static List<JournaledRun> read(DatabaseHandle db, NotNullCutover cutover, int limit) {
        String schema = db.stateSchema(cutover);
        Name table = DSL.name(schema, Journal.JOURNAL_BATCHES);
        return Sql.inTransaction(db.dataSource(), db.settings().probeTimeout(), "read the remediation runs of "
                + cutover.subject(), dsl -> {
                    Sql.setLocal(dsl, "transaction_read_only", "on");
                    return exists(dsl, schema) ? runs(dsl, table, cutover, limit) : List.of();
                });
    }

    private static boolean exists(DSLContext dsl, String schema) {
        return dsl.fetchOptional("""
                select 1 from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                where n.nspname = ? and c.relname = ? and c.relkind in ('r', 'p')""", schema, Journal.JOURNAL_BATCHES).isPresent();
    }

    private static List<JournaledRun> runs(DSLContext dsl, Name table, NotNullCutover cutover, int limit) {
        return dsl.resultQuery("""
                select run_id,
                       min(at) filter (where action = 'assign') as started,
                       max(at) filter (where action = 'assign') as ended,
                       coalesce(sum(key_count) filter (where action = 'assign'), 0)::bigint as assigned,
                       coalesce(sum(key_count) filter (where action = 'undo'), 0)::bigint as restored,
                       bool_and(undone_at is not null) filter (where action = 'assign') as undone,
                       array_agg(distinct policy order by policy) filter (where action = 'assign') as policies
                from {0}
                where table_schema = {1} and table_name = {2} and column_name = {3}
                group by run_id
                having count(*) filter (where action = 'assign') > 0
                order by started desc, run_id
                limit {4}""", table, DSL.val(cutover.schema()), DSL.val(cutover.table()), DSL.val(cutover.column()),
                DSL.val(limit)).fetch(r -> new JournaledRun(r.get("run_id", UUID.class),
                r.get("started", OffsetDateTime.class).toInstant(), r.get("ended", OffsetDateTime.class).toInstant(),
                r.get("assigned", Long.class), r.get("restored", Long.class), r.get("undone", Boolean.class),
                List.of(r.get("policies", String[].class))));
    }
}
