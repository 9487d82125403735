package dev.cutover.cli;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * Reads what the library keeps in the target database: the newest gate observation
 * ({@code cutover_observation}) and the remediation runs (the {@code cutover_journal} view).
 * Core has no public read API for either yet, so these are read-only queries on the documented
 * relations, names quoted through jOOQ, values bound, in a read-only transaction with the probe's
 * statement timeout.
 */
final class StateReader {

    static final String OBSERVATIONS = "cutover_observation";
    static final String JOURNAL = "cutover_journal";
    /** The post-migration smoke latch's table. */
    static final String SMOKE = "cutover_smoke";

    private StateReader() {
    }

    /** The newest observation of this cutover, if the table exists and has one. */
    static Optional<Map<String, Object>> lastObservation(CutoverDatabase db, NotNullCutover cutover) {
        String schema = stateSchema(db, cutover);
        return read(db, dsl -> exists(dsl, schema, OBSERVATIONS) ? lastObservation(dsl, schema, cutover) : Optional.empty());
    }

    /** The newest observation of this cutover in {@code schema}'s observation table, which exists. */
    static Optional<Map<String, Object>> lastObservation(DSLContext dsl, String schema, NotNullCutover cutover) {
        Record r = dsl.resultQuery("""
                select observed_at, null_count, baseline, verdict, latched
                from {0} where target = {1} order by observed_at desc, id desc limit 1""",
                DSL.name(schema, OBSERVATIONS), DSL.val(cutover.subject())).fetchOne();
        if (r == null) {
            return Optional.empty();
        }
        return Optional.of(Json.object("verdict", r.get("verdict", String.class), "latched", r.get("latched", Boolean.class),
                "nullCount", r.get("null_count", Long.class), "baseline", r.get("baseline", Long.class),
                "observedAt", r.get("observed_at", java.time.OffsetDateTime.class).toInstant().toString()));
    }

    /** The remediation runs of this cutover, newest first (at most {@code limit}). */
    static List<Map<String, Object>> runs(CutoverDatabase db, NotNullCutover cutover, int limit) {
        String schema = stateSchema(db, cutover);
        return read(db, dsl -> exists(dsl, schema, JOURNAL) ? runs(dsl, schema, cutover, limit) : new ArrayList<>());
    }

    /** The remediation runs of this cutover in {@code schema}'s journal, which exists. */
    static List<Map<String, Object>> runs(DSLContext dsl, String schema, NotNullCutover cutover, int limit) {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (Record r : dsl.resultQuery("""
                select run_id, count(*) filter (where action = 'assign') as assigned,
                       count(*) filter (where action = 'undo') as undone,
                       min(at) as started, max(at) as last,
                       string_agg(distinct policy, ', ') filter (where action = 'assign') as policies
                from {0}
                where table_schema = {1} and table_name = {2} and column_name = {3}
                group by run_id order by min(at) desc limit {4}""",
                DSL.name(schema, JOURNAL), DSL.val(cutover.schema()), DSL.val(cutover.table()),
                DSL.val(cutover.column()), DSL.inline(limit)).fetch()) {
            runs.add(Json.object("runId", r.get("run_id", java.util.UUID.class).toString(),
                    "assigned", r.get("assigned", Long.class), "undone", r.get("undone", Long.class),
                    "started", r.get("started", java.time.OffsetDateTime.class).toInstant().toString(),
                    "last", r.get("last", java.time.OffsetDateTime.class).toInstant().toString(),
                    "policies", r.get("policies", String.class)));
        }
        return runs;
    }

    static String stateSchema(CutoverDatabase db, NotNullCutover cutover) {
        return db.settings().stateSchema().orElse(cutover.schema());
    }

    private static boolean exists(DSLContext dsl, String schema, String relation) {
        return dsl.fetchExists(DSL.selectOne().from(DSL.table(DSL.name("pg_catalog", "pg_class")).as("c"))
                .join(DSL.table(DSL.name("pg_catalog", "pg_namespace")).as("n"))
                .on(DSL.field(DSL.name("n", "oid")).eq(DSL.field(DSL.name("c", "relnamespace"))))
                .where(DSL.field(DSL.name("n", "nspname"), String.class).eq(schema))
                .and(DSL.field(DSL.name("c", "relname"), String.class).eq(relation)));
    }

    private static <T> T read(CutoverDatabase db, java.util.function.Function<DSLContext, T> query) {
        Duration timeout = db.settings().probeTimeout();
        return DSL.using(db.dataSource(), SQLDialect.POSTGRES).transactionResult(cfg -> {
            DSLContext dsl = cfg.dsl();
            dsl.execute("select set_config('statement_timeout', ?, true), set_config('transaction_read_only', 'on', true)",
                    timeout.toMillis() + "ms");
            return query.apply(dsl);
        });
    }
}
