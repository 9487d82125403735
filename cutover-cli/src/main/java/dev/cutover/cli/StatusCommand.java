package dev.cutover.cli;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.catalog.ColumnState;
import dev.cutover.core.catalog.ForeignKey;
import dev.cutover.core.catalog.Names;
import dev.cutover.core.catalog.NotNullConstraint;
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
 * {@code cutover status}: where each cutover stands. Per target: the column's catalog state
 * through the library's catalog API (one short transaction), then one read-only transaction
 * for the NULL count with the NULL index, the newest kept observation and the runs. Which
 * schemas keep observations or a journal is read once per database for the whole fleet, and
 * each fleet worker holds one connection per database for all its targets.
 */
@Command(name = "status", description = {"Where each cutover stands: the NULL count, the gate, the NOT NULL constraint, the "
        + "foreign key and the remediation runs.", "Exit 1 when NULL rows remain or the gate is NO_GO."})
final class StatusCommand extends BaseCommand {

    private static final int RUNS = 5;

    /** The valid partial index WHERE col IS NULL, as the probe finds it; binds {2} schema, {3} table, {4} column. */
    private static final String NULL_INDEX = """
            select ic.relname::text
            from pg_catalog.pg_index i
            join pg_catalog.pg_class ic on ic.oid = i.indexrelid
            join pg_catalog.pg_class c on c.oid = i.indrelid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where n.nspname = {2} and c.relname = {3} and i.indpred is not null and i.indisvalid
              and pg_catalog.pg_get_expr(i.indpred, i.indrelid) = '(' || pg_catalog.quote_ident({4}) || ' IS NULL)'
            order by ic.relname limit 1""";

    @Override
    public Integer call() {
        try (Session session = Session.open(common, env())) {
            List<Session.Outcome> outcomes = session.forEachOnWorkers(session.targets(), (t, w) -> status(session, t, w));
            return print(outcomes, "TARGET", "SUBJECT", "NULLS", "GATE", "CONSTRAINT", "FOREIGN KEY", "RUNS");
        }
    }

    /** What one read-only transaction found besides the catalog. */
    private record Counts(long nulls, Optional<String> index, Optional<Map<String, Object>> observation,
                          List<Map<String, Object>> runs) {
    }

    private static Session.Outcome status(Session session, Target t, Worker worker) {
        Worker.Held held = worker.on(t);
        NotNullCutover cutover = t.cutover();
        ColumnState column = held.database().column(cutover.schema(), cutover.table(), cutover.column())
                .orElseThrow(() -> missing(held, t));
        Counts counts = read(session, t, held, column.validatedNotNull());
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
        boolean ok = nulls == 0 && !"NO_GO".equals(gate.get("verdict")) && !"UNKNOWN".equals(gate.get("verdict"));
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

    /** The count (none when the catalog proves NOT NULL), the NULL index, the observation and the runs, in one transaction. */
    private static Counts read(Session session, Target t, Worker.Held held, boolean provenNotNull) {
        NotNullCutover cutover = t.cutover();
        String stateSchema = held.database().settings().stateSchema().orElse(cutover.schema());
        boolean observations = session.schemasWith(t, StateReader.OBSERVATIONS, held.dsl()).contains(stateSchema);
        boolean journal = session.schemasWith(t, StateReader.JOURNAL, held.dsl()).contains(stateSchema);
        Connection c = held.connection();
        try {
            c.setAutoCommit(false);
            try {
                DSLContext dsl = held.dsl();
                dsl.execute("select set_config('statement_timeout', ?, true), set_config('transaction_read_only', 'on', true)",
                        held.database().settings().probeTimeout().toMillis() + "ms");
                Record r = dsl.resultQuery("select (" + (provenNotNull ? "0::bigint" : "select count(*) from {0} where {1} is null")
                                + "), (" + NULL_INDEX + ")",
                        DSL.name(cutover.schema(), cutover.table()), DSL.name(cutover.column()), DSL.val(cutover.schema()),
                        DSL.val(cutover.table()), DSL.val(cutover.column())).fetchOne();
                Counts counts = new Counts(r.get(0, Long.class), Optional.ofNullable(r.get(1, String.class)),
                        observations ? StateReader.lastObservation(dsl, stateSchema, cutover) : Optional.empty(),
                        journal ? StateReader.runs(dsl, stateSchema, cutover, RUNS) : new ArrayList<>());
                c.commit();
                return counts;
            } catch (RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new dev.cutover.core.CutoverDatabaseException("Could not read the state of " + cutover.subject() + ": "
                    + e.getMessage(), e.getSQLState(), e);
        }
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
