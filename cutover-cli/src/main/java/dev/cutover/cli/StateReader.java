package dev.cutover.cli;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.remediation.Remediation;
import dev.cutover.core.remediation.JournaledRun;
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
 * ({@code cutover_observation}) and the remediation runs ({@link Remediation#runs}). Core has no
 * public read API for the observations yet, so that one is a read-only query on the documented
 * table, names quoted through jOOQ, values bound, in a read-only transaction with the probe's
 * statement timeout.
 */
final class StateReader {

    static final String OBSERVATIONS = "cutover_observation";
    /** The remediation journal's view. */
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

    /** The remediation runs of this cutover, newest first (at most {@code limit}), as core reads them from the journal. */
    static List<Map<String, Object>> runs(CutoverDatabase db, NotNullCutover cutover, int limit) {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (JournaledRun r : Remediation.runs(db, cutover, limit)) {
            runs.add(Json.object("runId", r.runId().toString(), "assigned", r.assigned(), "undone", r.restored(),
                    "started", r.started().toString(), "last", r.ended().toString(), "policies", String.join(", ", r.policies())));
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
