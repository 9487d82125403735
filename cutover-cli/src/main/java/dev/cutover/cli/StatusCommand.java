package dev.cutover.cli;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.catalog.ColumnState;
import dev.cutover.core.catalog.ForeignKey;
import dev.cutover.core.catalog.Names;
import dev.cutover.core.catalog.NotNullConstraint;
import dev.cutover.core.gate.Observations;
import dev.cutover.core.gate.SmokeLatchState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;
import picocli.CommandLine.Command;

/**
 * {@code cutover status}: where each cutover stands. Per target the column's catalog state
 * through the library's catalog API ({@code CutoverDatabase.column}, one short transaction);
 * then, for up to 50 targets of one database together, one read-only transaction
 * with one statement for their NULL counts, NULL indexes and newest observations, and the runs
 * where a journal exists. Which schemas keep observations or a journal is read once per
 * database, and each fleet worker holds one connection per database for all its targets.
 */
@Command(name = "status", description = {"Where each cutover stands: the NULL count, the gate, the NOT NULL constraint, the "
        + "foreign key, the post-migration smoke latch and the remediation runs.", "Exit 1 when NULL rows remain, the gate is "
        + "NO_GO or a post-migration smoke run latched \"pause rollout\"."})
final class StatusCommand extends BaseCommand {

    private static final int RUNS = 5;
    /** Targets of one database read together: their counts, NULL indexes and observations in one statement. */
    private static final int CHUNK = 50;

    /** The valid partial index WHERE col IS NULL, as the probe finds it; binds schema, table, column. */
    private static final String NULL_INDEX = """
            select ic.relname::text
            from pg_catalog.pg_index i
            join pg_catalog.pg_class ic on ic.oid = i.indexrelid
            join pg_catalog.pg_class c on c.oid = i.indrelid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where n.nspname = ? and c.relname = ? and i.indpred is not null and i.indisvalid
              and pg_catalog.pg_get_expr(i.indpred, i.indrelid) = '(' || pg_catalog.quote_ident(?) || ' IS NULL)'
            order by ic.relname limit 1""";

    @Override
    public Integer call() {
        try (Session session = Session.open(common, env())) {
            List<Target> targets = session.targets();
            // at most 50 together, and small enough that every worker gets some
            int chunk = Math.max(1, Math.min(CHUNK, (targets.size() + common.parallel - 1) / common.parallel));
            List<Session.Outcome> outcomes = session.forEachChunkOnWorkers(targets, chunk,
                    (c, w) -> status(session, c, w));
            return print(outcomes, "TARGET", "SUBJECT", "NULLS", "GATE", "CONSTRAINT", "FOREIGN KEY", "RUNS");
        }
    }

    /** What one read-only transaction found besides the catalog. */
    private record Counts(long nulls, Optional<String> index, Optional<Map<String, Object>> observation,
                          List<Map<String, Object>> runs, Optional<SmokeLatchState> smoke) {
    }

    private static List<Session.Outcome> status(Session session, List<Target> chunk, Worker worker) {
        Worker.Held held = worker.on(chunk.get(0));
        Session.Outcome[] outcomes = new Session.Outcome[chunk.size()];
        Map<Target, ColumnState> columns = new java.util.LinkedHashMap<>();
        for (int i = 0; i < chunk.size(); i++) {
            Target t = chunk.get(i);
            NotNullCutover c = t.cutover();
            try {
                columns.put(t, held.database().column(c.schema(), c.table(), c.column()).orElseThrow(() -> missing(held, t)));
            } catch (RuntimeException e) {
                outcomes[i] = session.guarded(t, () -> {
                    throw e;
                });
            }
        }
        Map<Target, Counts> counts = new java.util.HashMap<>();
        try {
            counts.putAll(read(session, columns, held));
        } catch (RuntimeException e) {
            // one target's failure (a statement timeout, say) must not hide the others: read them one by one
            for (Map.Entry<Target, ColumnState> entry : columns.entrySet()) {
                try {
                    counts.putAll(read(session, Map.of(entry.getKey(), entry.getValue()), held));
                } catch (RuntimeException one) {
                    outcomes[chunk.indexOf(entry.getKey())] = session.guarded(entry.getKey(), () -> {
                        throw one;
                    });
                }
            }
        }
        for (int i = 0; i < chunk.size(); i++) {
            Target t = chunk.get(i);
            if (outcomes[i] == null) {
                outcomes[i] = outcome(t, columns.get(t), counts.get(t));
            }
        }
        return List.of(outcomes);
    }

    private static Session.Outcome outcome(Target t, ColumnState column, Counts counts) {
        NotNullCutover cutover = t.cutover();
        String constraint = constraintState(column);
        Map<String, Object> fk = foreignKey(column, cutover);
        boolean verified = column.validatedNotNull() && (cutover.referencedTable().isEmpty() || "validated".equals(fk.get("state"))
                && Boolean.TRUE.equals(fk.get("matches")));
        fk.remove("matches");
        long nulls = counts.nulls();
        long baseline = t.spec().baseline();
        Map<String, Object> gate = counts.observation().map(o -> Json.object("verdict", o.get("verdict"), "latched",
                o.get("latched"), "baseline", o.get("baseline"), "from", "observations", "observedAt", o.get("observedAt")))
                .orElseGet(() -> Json.object("verdict", nulls <= baseline ? "GO" : "NO_GO", "latched", false, "baseline",
                        baseline, "from", "count", "observedAt", null));
        boolean paused = counts.smoke().map(SmokeLatchState::latched).orElse(false);
        boolean ok = nulls == 0 && !paused && !"NO_GO".equals(gate.get("verdict")) && !"UNKNOWN".equals(gate.get("verdict"));
        int code = ok ? ExitCodes.OK : ExitCodes.FAILED;

        Map<String, Object> json = t.json();
        json.put("exitCode", code);
        json.put("nulls", nulls);
        json.put("nullIndex", counts.index().orElse(null));
        json.put("gate", gate);
        json.put("constraint", constraint);
        json.put("verified", verified);
        json.put("foreignKey", fk);
        json.put("runs", counts.runs());
        counts.smoke().ifPresent(state -> json.put("smoke", Json.object("latched", state.latched(), "due", state.due(),
                "failedChecks", state.failedChecks(), "reconciliationCount", state.reconciliationCount().isPresent()
                        ? state.reconciliationCount().getAsLong() : null, "reason", state.reason())));
        return new Session.Outcome(t, code, json, text(t, counts, gate, constraint, verified, fk), row(t, nulls, gate, constraint,
                fk, counts.runs()));
    }

    private static RuntimeException missing(Worker.Held held, Target t) {
        NotNullCutover c = t.cutover();
        boolean table = held.database().table(c.schema(), c.table()).isPresent();
        return CliException.usage(table
                ? "Column " + Names.display(c.column()) + " does not exist in " + c.qualifiedTable() + ": check " + t.spec().prefix()
                        + ".column"
                : "Table " + c.qualifiedTable() + " does not exist: check " + t.spec().prefix() + ".table and .schema");
    }

    /**
     * For targets of one database: the counts (none when the catalog proves NOT NULL), the NULL
     * indexes and the newest observations in one statement, and the runs where a journal
     * exists, in one read-only transaction with the probe timeout.
     */
    private static Map<Target, Counts> read(Session session, Map<Target, ColumnState> columns, Worker.Held held) {
        Map<Target, Counts> result = new java.util.HashMap<>();
        if (columns.isEmpty()) {
            return result;
        }
        List<Target> targets = new ArrayList<>(columns.keySet());
        Connection c = held.connection();
        try {
            c.setAutoCommit(false);
            try {
                DSLContext dsl = held.dsl();
                dsl.execute("select set_config('statement_timeout', ?, true), set_config('transaction_read_only', 'on', true)",
                        held.database().settings().probeTimeout().toMillis() + "ms");
                StringBuilder sql = new StringBuilder();
                List<Object> binds = new ArrayList<>();
                for (int i = 0; i < targets.size(); i++) {
                    branch(session, held, targets.get(i), columns.get(targets.get(i)).validatedNotNull(), i, sql, binds);
                }
                Record[] rows = new Record[targets.size()];
                for (Record r : dsl.fetch(sql.toString(), binds.toArray())) {
                    rows[r.get(0, Integer.class)] = r;
                }
                for (int i = 0; i < targets.size(); i++) {
                    Target t = targets.get(i);
                    Record r = rows[i];
                    Optional<Map<String, Object>> observation = r.get(3) == null ? Optional.empty() : Optional.of(Json.object(
                            "verdict", r.get(6, String.class), "latched", r.get(7, Boolean.class), "nullCount", r.get(4, Long.class),
                            "baseline", r.get(5, Long.class), "observedAt",
                            r.get(3, java.time.OffsetDateTime.class).toInstant().toString()));
                    String stateSchema = stateSchema(held, t);
                    List<Map<String, Object>> runs = session.schemasWith(t, StateReader.JOURNAL, dsl).contains(stateSchema)
                            ? StateReader.runs(dsl, stateSchema, t.cutover(), RUNS) : new ArrayList<>();
                    Optional<SmokeLatchState> smoke = session.schemasWith(t, StateReader.SMOKE, dsl).contains(stateSchema)
                            ? Observations.smoke(held.database(), t.cutover()) : Optional.empty();
                    result.put(t, new Counts(r.get(1, Long.class), Optional.ofNullable(r.get(2, String.class)), observation, runs,
                            smoke));
                }
                c.commit();
                return result;
            } catch (RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new dev.cutover.core.CutoverDatabaseException("Could not read the state of " + targets.get(0).cutover().subject()
                    + (targets.size() > 1 ? " and " + (targets.size() - 1) + " more targets" : "") + ": " + e.getMessage(),
                    e.getSQLState(), e);
        }
    }

    /** One target's line of the UNION ALL: index, count, NULL index, newest observation (or NULLs). Names quoted by jOOQ. */
    private static void branch(Session session, Worker.Held held, Target t, boolean provenNotNull, int i, StringBuilder sql,
                               List<Object> binds) {
        NotNullCutover cutover = t.cutover();
        DSLContext dsl = held.dsl();
        String stateSchema = stateSchema(held, t);
        boolean observations = session.schemasWith(t, StateReader.OBSERVATIONS, dsl).contains(stateSchema);
        if (i > 0) {
            sql.append("\nunion all\n");
        }
        sql.append("select ").append(i).append("::int, ");
        sql.append(provenNotNull ? "0::bigint" : "(select count(*) from " + dsl.render(DSL.name(cutover.schema(), cutover.table()))
                + " where " + dsl.render(DSL.name(cutover.column())) + " is null)");
        sql.append(", (").append(NULL_INDEX).append(")");
        binds.addAll(List.of(cutover.schema(), cutover.table(), cutover.column()));
        if (observations) {
            sql.append(", o.observed_at, o.null_count, o.baseline, o.verdict, o.latched from (select 1) one left join lateral "
                    + "(select observed_at, null_count, baseline, verdict, latched from ")
                    .append(dsl.render(DSL.name(stateSchema, StateReader.OBSERVATIONS)))
                    .append(" where target = ? order by observed_at desc, id desc limit 1) o on true");
            binds.add(cutover.subject());
        } else {
            sql.append(", null::timestamptz, null::bigint, null::bigint, null::text, null::boolean");
        }
    }

    private static String stateSchema(Worker.Held held, Target t) {
        return held.database().settings().stateSchema().orElse(t.cutover().schema());
    }

    /** none, NOT VALID, validated (a CHECK, the column still nullable) or NOT NULL. */
    static String constraintState(ColumnState column) {
        if (column.validatedNotNull()) {
            return "NOT NULL";
        }
        Optional<NotNullConstraint> constraint = column.catalogued()
                .or(() -> column.notNullConstraints().stream().filter(NotNullConstraint::check).findFirst());
        return constraint.map(n -> n.validated() ? "validated" : "NOT VALID").orElse("none");
    }

    /**
     * The foreign key the cutover expects, found as verification finds it: by its configured
     * name, else the one on the column with the configured target, else any on the column. The
     * entry {@code matches} (removed before output) says whether it is on the column, references
     * the configured column and has the configured ON DELETE.
     */
    static Map<String, Object> foreignKey(ColumnState column, NotNullCutover cutover) {
        if (cutover.referencedTable().isEmpty()) {
            return Json.object("state", "not configured", "name", null, "onDelete", null, "references", null, "matches", true);
        }
        String expected = Names.display(cutover.referencedSchema().orElseThrow(), cutover.referencedTable().get()) + "("
                + Names.display(cutover.referencedColumn().orElseThrow()) + ")";
        Optional<ForeignKey> found;
        if (cutover.foreignKey().isPresent()) {
            found = column.foreignKeys().stream().filter(fk -> fk.name().equals(cutover.foreignKey().get())).findFirst();
        } else {
            List<ForeignKey> onColumn = column.foreignKeysOn(cutover.column());
            found = onColumn.stream().filter(fk -> fk.target().equals(expected)).findFirst().or(() -> onColumn.stream().findFirst());
        }
        if (found.isEmpty()) {
            return Json.object("state", "none", "name", null, "onDelete", null, "references", null, "matches", false);
        }
        ForeignKey fk = found.get();
        ReferentialAction action = cutover.onDelete().orElse(ReferentialAction.RESTRICT);
        boolean matches = fk.columns().equals(List.of(cutover.column())) && fk.target().equals(expected)
                && fk.onDelete() == action;
        return Json.object("state", fk.validated() ? "validated" : "NOT VALID", "name", Names.display(fk.name()) + " on ("
                + Names.display(fk.columns()) + ")", "onDelete", fk.onDelete().sql(), "references", fk.target(), "matches", matches);
    }

    private static String text(Target t, Counts counts, Map<String, Object> gate, String constraint, boolean verified,
                               Map<String, Object> fk) {
        long baseline = t.spec().baseline();
        String gateText = gate.get("verdict") + (Boolean.TRUE.equals(gate.get("latched")) ? " (latched)" : "")
                + ("observations".equals(gate.get("from")) ? " at " + gate.get("observedAt") : " (no observation kept; from "
                + "the count against baseline " + baseline + ")");
        List<Map<String, Object>> runs = counts.runs();
        StringBuilder text = new StringBuilder();
        text.append(t.cutover().subject()).append(" on ").append(t.address().display()).append('\n');
        text.append("  NULL rows    ").append(counts.nulls()).append(counts.index().map(i -> " (NULL index " + i + ")").orElse(
                constraint.equals("NOT NULL") ? "" : " (no NULL index: cutover index create)")).append('\n');
        text.append("  gate         ").append(gateText).append('\n');
        text.append("  constraint   ").append(constraint).append(verified ? " (verification passes)" : "").append('\n');
        text.append("  foreign key  ").append(fkText(fk)).append('\n');
        counts.smoke().filter(state -> state.latched() || state.due()).ifPresent(state -> text.append("  smoke        ")
                .append(state.reason()).append('\n'));
        text.append("  runs         ").append(runs.isEmpty() ? "none" : runs.size() + (runs.size() == RUNS ? "+ " : " ")
                + "(newest " + runs.get(0).get("runId") + ": " + runs.get(0).get("assigned") + " assigned, "
                + runs.get(0).get("undone") + " undone, " + runs.get(0).get("started") + ")");
        return text.toString();
    }

    private static List<String> row(Target t, long nulls, Map<String, Object> gate, String constraint, Map<String, Object> fk,
                                    List<Map<String, Object>> runs) {
        return List.of(t.address().display(), t.cutover().subject(), String.valueOf(nulls),
                gate.get("verdict") + (Boolean.TRUE.equals(gate.get("latched")) ? " (latched)" : ""), constraint,
                String.valueOf(fk.get("state")), String.valueOf(runs.size()));
    }

    private static String fkText(Map<String, Object> fk) {
        Object state = fk.get("state");
        if (fk.get("name") == null) {
            return String.valueOf(state);
        }
        return state + ", " + fk.get("name") + " -> " + fk.get("references") + " ON DELETE " + fk.get("onDelete");
    }
}
