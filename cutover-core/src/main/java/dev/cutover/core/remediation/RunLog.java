package dev.cutover.core.remediation;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Sql;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * One row per remediation run that writes ({@code cutover_remediation_run}): which cutover it
 * fixes, when it started and was resumed, and how it ended. A run whose process died has no
 * end; that, with the journal, is what {@link Remediation.Builder#resume(UUID)} checks before it
 * goes on. Dry runs are not recorded.
 */
final class RunLog {

    static final String TABLE = "cutover_remediation_run";

    private RunLog() {
    }

    static Name table(DatabaseHandle db, NotNullCutover cutover) {
        return DSL.name(db.stateSchema(cutover), TABLE);
    }

    static void ensure(DatabaseHandle db, NotNullCutover cutover) {
        db.ensureStateTable(db.stateSchema(cutover), TABLE, RunLog::ddl);
    }

    static void ddl(DSLContext dsl, String schema) {
        dsl.query("""
                create table if not exists {0} (
                  run_id uuid primary key,
                  table_schema text not null,
                  table_name text not null,
                  column_name text not null,
                  policy text not null,
                  started_at timestamptz not null default clock_timestamp(),
                  resumed_at timestamptz,
                  resumes integer not null default 0,
                  finished_at timestamptz,
                  outcome text
                )""", DSL.name(schema, TABLE)).execute();
    }

    /** Records a new run, before its first batch. */
    static void started(DatabaseHandle db, NotNullCutover cutover, UUID runId, String policy) {
        Sql.inTransaction(db.dataSource(), db.stateTimeouts(), "record remediation run " + runId, dsl -> dsl.query("""
                insert into {0} (run_id, table_schema, table_name, column_name, policy) values ({1}, {2}, {3}, {4}, {5})""",
                table(db, cutover), DSL.val(runId), DSL.val(cutover.schema()), DSL.val(cutover.table()), DSL.val(cutover.column()),
                DSL.val(policy)).execute());
    }

    /** Records that a run goes on again in this process. */
    static void resumed(DatabaseHandle db, NotNullCutover cutover, UUID runId) {
        Sql.inTransaction(db.dataSource(), db.stateTimeouts(), "record the resumption of remediation run " + runId,
                dsl -> dsl.query("""
                        update {0} set resumed_at = clock_timestamp(), resumes = resumes + 1, finished_at = null, outcome = null
                        where run_id = {1}""", table(db, cutover), DSL.val(runId)).execute());
    }

    /** Records how a run ended, in the work of the run's one connection. */
    static void finished(DSLContext dsl, DatabaseHandle db, NotNullCutover cutover, UUID runId, RemediationReport.Outcome outcome) {
        dsl.query("update {0} set finished_at = clock_timestamp(), outcome = {1} where run_id = {2}",
                table(db, cutover), DSL.val(outcome.name()), DSL.val(runId)).execute();
    }

    /**
     * Checks that {@code runId} is a run of {@code cutover} that can go on: recorded, not ended
     * (or ended by a cancel or an interrupt), not undone. Returns the rows its journal holds.
     *
     * @throws CutoverConfigurationException naming what is wrong and what to do instead
     */
    static long checkResumable(DatabaseHandle db, NotNullCutover cutover, UUID runId) {
        if (!exists(db, cutover)) {
            throw unknown(db, cutover, runId);
        }
        return Sql.inTransaction(db.dataSource(), db.stateTimeouts(), "read remediation run " + runId, dsl -> {
            Record run = dsl.resultQuery("select table_schema, table_name, column_name, outcome, finished_at::text from {0} "
                    + "where run_id = {1}", table(db, cutover), DSL.val(runId)).fetchOne();
            if (run == null) {
                throw unknown(db, cutover, runId);
            }
            String subject = dev.cutover.core.internal.Identifiers.display(run.get(0, String.class), run.get(1, String.class))
                    + "." + dev.cutover.core.internal.Identifiers.display(run.get(2, String.class));
            if (!run.get(0, String.class).equals(cutover.schema()) || !run.get(1, String.class).equals(cutover.table())
                    || !run.get(2, String.class).equals(cutover.column())) {
                throw new CutoverConfigurationException("Remediation run " + runId + " fixed " + subject + ", not "
                        + cutover.subject() + "; resume it with the cutover of " + subject + ".");
            }
            String outcome = run.get(3, String.class);
            if (outcome != null && !outcome.equals("CANCELLED") && !outcome.equals("INTERRUPTED")) {
                throw new CutoverConfigurationException("Remediation run " + runId + " of " + cutover.subject() + " finished ("
                        + outcome + " at " + run.get(4, String.class) + ") and cannot be resumed; start a new run "
                        + "(Remediation.builder(db, cutover)...build().start()) for the NULL rows left.");
            }
            Record journal = dsl.resultQuery("""
                    select coalesce(sum(key_count) filter (where action = 'assign'), 0)::bigint,
                           count(*) filter (where action = 'undo' or undone_at is not null)
                    from {0} where run_id = {1}""", Journal.batchTable(db, cutover), DSL.val(runId)).fetchOne();
            if (journal.get(1, Long.class) > 0) {
                throw new CutoverConfigurationException("Remediation run " + runId + " of " + cutover.subject()
                        + " was undone (Remediation.undo) and cannot be resumed; start a new run instead.");
            }
            return journal.get(0, Long.class);
        });
    }

    private static boolean exists(DatabaseHandle db, NotNullCutover cutover) {
        return Sql.inTransaction(db.dataSource(), db.stateTimeouts(), "look for the remediation runs", dsl -> dsl.fetchOne("""
                select 1 from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                where n.nspname = ? and c.relname = ? and c.relkind in ('r', 'p')""", db.stateSchema(cutover), TABLE) != null);
    }

    private static CutoverConfigurationException unknown(DatabaseHandle db, NotNullCutover cutover, UUID runId) {
        return new CutoverConfigurationException("No remediation run " + runId + " is recorded in "
                + dev.cutover.core.internal.Identifiers.display(db.stateSchema(cutover), TABLE) + "; check the run id "
                + "(RemediationRun.runId() or RemediationReport.runId()) and the database's stateSchema. Dry runs are not "
                + "recorded and cannot be resumed.");
    }
}
