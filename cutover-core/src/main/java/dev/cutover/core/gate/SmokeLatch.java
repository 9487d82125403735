package dev.cutover.core.gate;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Identifiers;
import dev.cutover.core.internal.Sql;
import dev.cutover.core.internal.Texts;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jooq.DSLContext;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The post-migration smoke latch of a cutover, in table {@code cutover_smoke} of its state
 * schema: one row per cutover that every replica shares. The Flyway callback marks a run due
 * after the cutover migration; {@code dev.cutover.core.preflight.PostMigrationSmoke} runs the
 * checks once the application serves and records the outcome here; a failure latches NO_GO
 * "pause rollout", which every gate of the cutover ({@link NullBaselineGate}, {@link CutoverMonitor})
 * and the preflight's "null baseline stable" report until {@link #rearm}. Nothing is rolled back.
 * Only check names and the reconciliation count are stored.
 *
 * <pre>{@code
 * SmokeLatch.due(db, cutover, "17");                   // the Flyway callback, after the migration
 * SmokeLatch.record(db, cutover, List.of("smoke check: join flow"), OptionalLong.of(2), "pod-a");
 * SmokeLatch.state(db, cutover);                        // latched, with the failed check and count 2
 * SmokeLatch.rearm(db, cutover, "alice");              // after the investigation
 * }</pre>
 *
 * Most code uses {@code PostMigrationSmoke}, which calls these.
 */
public final class SmokeLatch {

    /** The table's name. */
    public static final String TABLE = "cutover_smoke";

    private static final Logger LOG = LoggerFactory.getLogger(SmokeLatch.class);

    private SmokeLatch() {
    }

    /** The table's DDL, run when it is missing and rendered into the state tables' script. */
    static void ddl(DSLContext dsl, String schema) {
        dsl.query("""
                create table if not exists {0} (
                    target text primary key,
                    due boolean not null default false,
                    due_since timestamptz,
                    due_migration text,
                    latched boolean not null default false,
                    latched_at timestamptz,
                    failed_checks text[],
                    reconciliation_count bigint,
                    latched_by text,
                    last_run_at timestamptz,
                    last_run_passed boolean,
                    rearmed_at timestamptz,
                    rearmed_by text,
                    updated_at timestamptz not null default clock_timestamp()
                )""", DSL.name(schema, TABLE)).execute();
    }

    /**
     * Records that a post-migration smoke run is due for this cutover, after its migration ran;
     * creates the table when missing. Runs no check: those wait until the application serves.
     *
     * @param migration the migration that ran (its version or script), as people read it
     */
    public static void due(CutoverDatabase db, NotNullCutover cutover, String migration) {
        Objects.requireNonNull(migration, "migration");
        write(db, cutover, "mark a post-migration smoke run due for", dsl -> {
            dsl.query("insert into {0} (target, due, due_since, due_migration) values ({1}, true, clock_timestamp(), {2}) "
                            + "on conflict (target) do update set due = true, due_since = clock_timestamp(), due_migration = {2}, "
                            + "updated_at = clock_timestamp()", table(db, cutover), DSL.val(cutover.subject()), DSL.val(migration))
                    .execute();
            return null;
        });
        LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("migration", migration)
                .log("Post-migration smoke run of {} is due after migration {}: it runs once the application serves",
                        cutover.subject(), migration);
    }

    /**
     * Records a smoke run: it is no longer due; when {@code failedChecks} is not empty it
     * latches NO_GO "pause rollout" with those names and the count (a latch already set keeps
     * its time and checks; a passing run does not release it: only {@link #rearm} does).
     *
     * @param failedChecks        names of the checks that failed; empty when the run passed
     * @param reconciliationCount the reconciliation count the run read, if it read one
     * @param instance            who ran it (an application instance), kept as {@code latched_by}
     * @return the state after the run
     */
    public static SmokeLatchState record(CutoverDatabase db, NotNullCutover cutover, List<String> failedChecks,
            OptionalLong reconciliationCount, String instance) {
        List<String> failed = List.copyOf(failedChecks);
        Objects.requireNonNull(reconciliationCount, "reconciliationCount");
        Objects.requireNonNull(instance, "instance");
        return write(db, cutover, "record the post-migration smoke run of", dsl -> {
            lock(dsl, db, cutover);
            Long count = reconciliationCount.isPresent() ? reconciliationCount.getAsLong() : null;
            if (failed.isEmpty()) {
                dsl.query("update {0} set due = false, due_since = null, due_migration = null, last_run_at = clock_timestamp(), "
                        + "last_run_passed = true, updated_at = clock_timestamp() where target = {1}",
                        table(db, cutover), DSL.val(cutover.subject())).execute();
            } else {
                dsl.query("update {0} set due = false, due_since = null, due_migration = null, last_run_at = clock_timestamp(), "
                                + "last_run_passed = false, latched_at = case when latched then latched_at else clock_timestamp() end, "
                                + "failed_checks = case when latched then failed_checks else {2} end, "
                                + "reconciliation_count = case when latched then reconciliation_count else {3} end, "
                                + "latched_by = case when latched then latched_by else {4} end, latched = true, "
                                + "updated_at = clock_timestamp() where target = {1}", table(db, cutover), DSL.val(cutover.subject()),
                        DSL.val(failed.toArray(String[]::new)), DSL.val(count, Long.class), DSL.val(instance)).execute();
            }
            return read(dsl, schema(db, cutover), cutover);
        });
    }

    /**
     * Releases the post-migration smoke latch of this cutover for every replica.
     *
     * @param by who re-arms it, kept as {@code rearmed_by}
     * @return the latch released, if it was latched
     */
    public static Optional<SmokeLatchState> rearm(CutoverDatabase db, NotNullCutover cutover, String by) {
        Objects.requireNonNull(by, "by");
        SmokeLatchState released = write(db, cutover, "re-arm the post-migration smoke latch of", dsl -> {
            lock(dsl, db, cutover);
            SmokeLatchState before = read(dsl, schema(db, cutover), cutover);
            dsl.query("update {0} set latched = false, latched_at = null, failed_checks = null, reconciliation_count = null, "
                            + "latched_by = null, rearmed_at = clock_timestamp(), rearmed_by = {2}, updated_at = clock_timestamp() "
                            + "where target = {1}", table(db, cutover), DSL.val(cutover.subject()), DSL.val(by)).execute();
            return before != null && before.latched() ? before : null;
        });
        if (released != null) {
            LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("by", by)
                    .log("Post-migration smoke latch of {} re-armed by {} (was: {})", cutover.subject(), by, released.reason());
        }
        return Optional.ofNullable(released);
    }

    /** The latch as stored now; empty when the table or the cutover's row is missing. Reads only. */
    public static Optional<SmokeLatchState> state(CutoverDatabase db, NotNullCutover cutover) {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(cutover, "cutover");
        DatabaseHandle handle = DatabaseHandle.of(db);
        String schema = handle.stateSchema(cutover);
        return Optional.ofNullable(handle.read("read the post-migration smoke latch of " + cutover.subject(),
                dsl -> read(dsl, schema, cutover)));
    }

    /** {@code schema.cutover_smoke} for people. */
    public static String displayTable(CutoverDatabase db, NotNullCutover cutover) {
        return Identifiers.display(schema(db, cutover), TABLE);
    }

    private static <T> T write(CutoverDatabase db, NotNullCutover cutover, String what, Sql.Work<T> work) {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(cutover, "cutover");
        DatabaseHandle handle = DatabaseHandle.of(db);
        String schema = handle.stateSchema(cutover);
        for (int attempt = 1; ; attempt++) {
            try {
                handle.ensureStateTable(schema, TABLE, SmokeLatch::ddl);
                return Sql.inTransaction(handle.dataSource(), handle.stateTimeouts(), what + " " + cutover.subject() + " in "
                        + Identifiers.display(schema, TABLE), work);
            } catch (CutoverDatabaseException e) {
                if (e.sqlState().filter("42P01"::equals).isPresent() && attempt == 1) {
                    // Dropped since this JVM last saw it: create it again, once.
                    handle.forgetStateTable(schema, TABLE);
                    continue;
                }
                if (e.sqlState().filter("42501"::equals).isPresent()) {
                    throw new CutoverDatabaseException(Texts.message(e) + " Create the state tables as the migration role "
                            + "(StateTables.script(\"" + schema + "\")) and grant this role StateTables.grants(...).", "42501", e);
                }
                throw e;
            }
        }
    }

    private static void lock(DSLContext dsl, CutoverDatabase db, NotNullCutover cutover) {
        dsl.query("insert into {0} (target) values ({1}) on conflict (target) do nothing", table(db, cutover),
                DSL.val(cutover.subject())).execute();
        dsl.query("select 1 from {0} where target = {1} for update", table(db, cutover), DSL.val(cutover.subject())).execute();
    }

    private static String schema(CutoverDatabase db, NotNullCutover cutover) {
        return DatabaseHandle.of(db).stateSchema(cutover);
    }

    private static Name table(CutoverDatabase db, NotNullCutover cutover) {
        return DSL.name(schema(db, cutover), TABLE);
    }

    /** The cutover's row, read in the caller's transaction; {@code null} when the table or row is missing. */
    static SmokeLatchState read(DSLContext dsl, String schema, NotNullCutover cutover) {
        boolean exists = dsl.fetchOne("""
                select count(*) from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                where n.nspname = ? and c.relname = ? and c.relkind in ('r', 'p')""", schema, TABLE).get(0, Long.class) > 0;
        if (!exists) {
            return null;
        }
        Record r = dsl.resultQuery("select due, due_since, due_migration, latched, latched_at, failed_checks, reconciliation_count, "
                + "latched_by, last_run_at, last_run_passed, rearmed_at, rearmed_by from {0} where target = {1}",
                DSL.name(schema, TABLE), DSL.val(cutover.subject())).fetchOne();
        if (r == null) {
            return null;
        }
        String[] failed = r.get("failed_checks", String[].class);
        Long count = r.get("reconciliation_count", Long.class);
        return new SmokeLatchState(cutover.subject(), Boolean.TRUE.equals(r.get("due", Boolean.class)), instant(r, "due_since"),
                Optional.ofNullable(r.get("due_migration", String.class)), Boolean.TRUE.equals(r.get("latched", Boolean.class)),
                instant(r, "latched_at"), failed == null ? List.of() : Arrays.asList(failed),
                count == null ? OptionalLong.empty() : OptionalLong.of(count), Optional.ofNullable(r.get("latched_by", String.class)),
                instant(r, "last_run_at"), Boolean.TRUE.equals(r.get("last_run_passed", Boolean.class)), instant(r, "rearmed_at"),
                Optional.ofNullable(r.get("rearmed_by", String.class)));
    }

    /**
     * A decision as every gate of the cutover reports it: a latched smoke run makes it NO_GO
     * "pause rollout" (the NULL count and the NULL latch stay as read); otherwise unchanged.
     */
    static Decision overlay(Decision decision, SmokeLatchState state) {
        if (state == null || !state.latched()) {
            return decision;
        }
        return new Decision(decision.target(), Verdict.NO_GO, decision.nullCount(), decision.baseline(), true, state.reason(),
                decision.at(), decision.error());
    }

    private static Optional<Instant> instant(Record r, String column) {
        return Optional.ofNullable(r.get(column, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
    }
}
