package dev.cutover.core.gate;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Identifiers;
import dev.cutover.core.internal.Sql;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * The Stage A latch that all monitors of one cutover share: one row per cutover in table
 * {@code cutover_gate}. Each evaluation locks the row, applies the rule to the latch it holds,
 * writes the latch back and stores its observation, in one transaction; so monitors on any
 * number of replicas, and across restarts, agree on one go/no-go, and one re-arm releases it
 * for all.
 */
final class SharedLatch {

    /** The table's name. */
    static final String TABLE = "cutover_gate";

    private final DatabaseHandle db;
    private final ObservationStore observations;

    SharedLatch(DatabaseHandle db, ObservationStore observations) {
        this.db = db;
        this.observations = observations;
    }

    /** The gate table's DDL, run when it is missing and rendered into the state tables' script. */
    static void ddl(DSLContext dsl, String schema) {
        dsl.query("""
                create table if not exists {0} (
                    target text primary key,
                    latched boolean not null default false,
                    latched_at timestamptz,
                    latched_count bigint,
                    peak bigint,
                    latched_by text,
                    rearmed_at timestamptz,
                    rearmed_by text,
                    updated_at timestamptz not null default clock_timestamp()
                )""", DSL.name(schema, TABLE)).execute();
    }

    String displayTable(NotNullCutover cutover) {
        return Identifiers.display(db.stateSchema(cutover), TABLE);
    }

    private Name table(NotNullCutover cutover) {
        return DSL.name(db.stateSchema(cutover), TABLE);
    }

    /**
     * One evaluation against the shared latch: the row is locked, the rule applied to what it
     * holds, the row and the observation written, in one transaction.
     */
    NullBaselineGate.Step evaluate(NullBaselineGate gate, NullBaselineGate.Probed probed, String instance) {
        NotNullCutover cutover = gate.cutover();
        return Sql.inTransaction(db.dataSource(), db.stateTimeouts(), "evaluate the shared gate of "
                + cutover.subject() + " in " + displayTable(cutover), dsl -> {
            Record row = lock(dsl, cutover, gate.latch(), instance);
            NullBaselineGate.Latch current = latch(row);
            Instant now = row.get("now", OffsetDateTime.class).toInstant();
            NullBaselineGate.Step step = gate.step(current, probed, now);
            NullBaselineGate.Latch next = step.latch();
            if (step.latchedNow()) {
                dsl.query("update {0} set latched = true, latched_at = {2}, latched_count = {3}, peak = {4}, latched_by = {5}, "
                                + "updated_at = clock_timestamp() where target = {1}", table(cutover), DSL.val(cutover.subject()),
                        DSL.val(next.at().atOffset(ZoneOffset.UTC)), DSL.val(next.count()), DSL.val(next.peak()),
                        DSL.val(instance)).execute();
            } else if (next != null && current != null && next.peak() != current.peak()) {
                dsl.query("update {0} set peak = {2}, updated_at = clock_timestamp() where target = {1}", table(cutover),
                        DSL.val(cutover.subject()), DSL.val(next.peak())).execute();
            }
            observations.insert(dsl, cutover, step.decision(), instance);
            SmokeLatchState smoke = SmokeLatch.read(dsl, db.stateSchema(cutover), cutover);
            return new NullBaselineGate.Step(step.latch(), SmokeLatch.overlay(step.decision(), smoke), step.latchedNow());
        });
    }

    /**
     * Releases the shared latch for every monitor of the cutover.
     *
     * @return the latch released, if it was latched
     */
    Optional<NullBaselineGate.Latch> rearm(NotNullCutover cutover, String instance) {
        return Sql.inTransaction(db.dataSource(), db.stateTimeouts(), "re-arm the shared gate of "
                + cutover.subject() + " in " + displayTable(cutover), dsl -> {
            NullBaselineGate.Latch released = latch(lock(dsl, cutover, null, instance));
            dsl.query("update {0} set latched = false, latched_at = null, latched_count = null, peak = null, latched_by = null, "
                            + "rearmed_at = clock_timestamp(), rearmed_by = {2}, updated_at = clock_timestamp() where target = {1}",
                    table(cutover), DSL.val(cutover.subject()), DSL.val(instance)).execute();
            return Optional.ofNullable(released);
        });
    }

    /** The shared latch as stored now, or {@code null} when not latched (or never stored). */
    NullBaselineGate.Latch current(NotNullCutover cutover) {
        return Sql.inTransaction(db.dataSource(), db.stateTimeouts(), "read the shared gate of "
                + cutover.subject() + " from " + displayTable(cutover), dsl -> {
            GateState state = read(dsl, db.stateSchema(cutover), cutover);
            return state == null || !state.latched() ? null
                    : new NullBaselineGate.Latch(state.latchedAt().orElseThrow(), state.latchedCount(), state.peak());
        });
    }

    /**
     * Locks the cutover's row; a missing row (the first monitor ever, or a table dropped and
     * created again) starts with the latch this monitor holds, so that a drop loses no latch
     * a running monitor knows of.
     */
    private Record lock(DSLContext dsl, NotNullCutover cutover, NullBaselineGate.Latch seed, String instance) {
        dsl.query("insert into {0} (target, latched, latched_at, latched_count, peak, latched_by) values ({1}, {2}, {3}, {4}, {5}, {6}) "
                        + "on conflict (target) do nothing", table(cutover), DSL.val(cutover.subject()), DSL.val(seed != null),
                DSL.val(seed == null ? null : seed.at().atOffset(ZoneOffset.UTC), OffsetDateTime.class),
                DSL.val(seed == null ? null : seed.count(), Long.class), DSL.val(seed == null ? null : seed.peak(), Long.class),
                DSL.val(seed == null ? null : instance, String.class)).execute();
        return dsl.resultQuery("select latched, latched_at, latched_count, peak, clock_timestamp() as now from {0} "
                + "where target = {1} for update", table(cutover), DSL.val(cutover.subject())).fetchOne();
    }

    private static NullBaselineGate.Latch latch(Record row) {
        if (!Boolean.TRUE.equals(row.get("latched", Boolean.class))) {
            return null;
        }
        Long count = row.get("latched_count", Long.class);
        Long peak = row.get("peak", Long.class);
        long latchedAt = count != null ? count : 0;
        return new NullBaselineGate.Latch(row.get("latched_at", OffsetDateTime.class).toInstant(), latchedAt,
                peak != null ? peak : latchedAt);
    }

    /** The gate row of a cutover, read in the caller's transaction; {@code null} when the table or row is missing. */
    static GateState read(DSLContext dsl, String schema, NotNullCutover cutover) {
        boolean exists = dsl.fetchOne("""
                select count(*) from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                where n.nspname = ? and c.relname = ? and c.relkind in ('r', 'p')""", schema, TABLE).get(0, Long.class) > 0;
        if (!exists) {
            return null;
        }
        Record r = dsl.resultQuery("select latched, latched_at, latched_count, peak, latched_by, rearmed_at, rearmed_by "
                + "from {0} where target = {1}", DSL.name(schema, TABLE), DSL.val(cutover.subject())).fetchOne();
        if (r == null) {
            return null;
        }
        Long count = r.get("latched_count", Long.class);
        Long peak = r.get("peak", Long.class);
        return new GateState(cutover.subject(), Boolean.TRUE.equals(r.get("latched", Boolean.class)),
                instant(r, "latched_at"), count == null ? 0 : count, peak == null ? 0 : peak,
                Optional.ofNullable(r.get("latched_by", String.class)), instant(r, "rearmed_at"),
                Optional.ofNullable(r.get("rearmed_by", String.class)));
    }

    private static Optional<Instant> instant(Record r, String column) {
        return Optional.ofNullable(r.get(column, OffsetDateTime.class)).map(OffsetDateTime::toInstant);
    }
}
