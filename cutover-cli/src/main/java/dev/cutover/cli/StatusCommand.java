package dev.cutover.cli;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.NullProbe;
import dev.cutover.core.gate.Observations;
import dev.cutover.core.gate.SmokeLatchState;
import dev.cutover.core.verify.VerificationCheck;
import dev.cutover.core.verify.VerificationReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;

/** {@code cutover status}: where each cutover stands. */
@Command(name = "status", description = {"Where each cutover stands: the NULL count, the gate, the NOT NULL constraint, the "
        + "foreign key, the post-migration smoke latch and the remediation runs.", "Exit 1 when NULL rows remain, the gate is "
        + "NO_GO or a post-migration smoke run latched \"pause rollout\"."})
final class StatusCommand extends BaseCommand {

    @Override
    public Integer call() {
        try (Session session = Session.open(common, env())) {
            List<Session.Outcome> outcomes = session.forEach(session.targets(), t -> status(session, t));
            return print(outcomes, "TARGET", "SUBJECT", "NULLS", "GATE", "CONSTRAINT", "FOREIGN KEY", "RUNS");
        }
    }

    private static Session.Outcome status(Session session, Target t) {
        CutoverDatabase db = t.database(session.connections);
        NotNullCutover cutover = t.cutover();
        NullProbe probe = db.probe(cutover);
        long nulls = probe.count();
        Optional<String> index = probe.nullIndex();
        VerificationReport verification = db.verify(cutover);
        String constraint = constraintState(verification);
        Map<String, Object> fk = foreignKey(verification, cutover);
        Optional<Map<String, Object>> observation = StateReader.lastObservation(db, cutover);
        List<Map<String, Object>> runs = StateReader.runs(db, cutover, 5);
        long baseline = t.spec().baseline();
        Map<String, Object> gate = observation.map(o -> {
            Map<String, Object> g = Json.object("verdict", o.get("verdict"), "latched", o.get("latched"), "baseline",
                    o.get("baseline"), "from", "observations", "observedAt", o.get("observedAt"));
            return g;
        }).orElseGet(() -> Json.object("verdict", nulls <= baseline ? "GO" : "NO_GO", "latched", false, "baseline", baseline,
                "from", "count", "observedAt", null));
        Optional<SmokeLatchState> smoke = Observations.smoke(db, cutover);
        boolean paused = smoke.map(SmokeLatchState::latched).orElse(false);
        boolean ok = nulls == 0 && !paused && !"NO_GO".equals(gate.get("verdict")) && !"UNKNOWN".equals(gate.get("verdict"));
        int code = ok ? ExitCodes.OK : ExitCodes.FAILED;

        Map<String, Object> json = t.json();
        json.put("exitCode", code);
        json.put("nulls", nulls);
        json.put("nullIndex", index.orElse(null));
        json.put("gate", gate);
        json.put("constraint", constraint);
        json.put("verified", verification.passed());
        json.put("foreignKey", fk);
        json.put("runs", runs);
        smoke.ifPresent(state -> json.put("smoke", Json.object("latched", state.latched(), "due", state.due(),
                "failedChecks", state.failedChecks(), "reconciliationCount", state.reconciliationCount().isPresent()
                        ? state.reconciliationCount().getAsLong() : null, "reason", state.reason())));

        String gateText = gate.get("verdict") + (Boolean.TRUE.equals(gate.get("latched")) ? " (latched)" : "")
                + ("observations".equals(gate.get("from")) ? " at " + gate.get("observedAt") : " (no observation kept; from "
                + "the count against baseline " + baseline + ")");
        String fkText = fkText(fk);
        StringBuilder text = new StringBuilder();
        text.append(cutover.subject()).append(" on ").append(t.address().display()).append('\n');
        text.append("  NULL rows    ").append(nulls).append(index.map(i -> " (NULL index " + i + ")").orElse(
                constraint.equals("NOT NULL") ? "" : " (no NULL index: cutover index create)")).append('\n');
        text.append("  gate         ").append(gateText).append('\n');
        text.append("  constraint   ").append(constraint).append(verification.passed() ? " (verification passes)" : "")
                .append('\n');
        text.append("  foreign key  ").append(fkText).append('\n');
        smoke.filter(state -> state.latched() || state.due()).ifPresent(state -> text.append("  smoke        ")
                .append(state.reason()).append('\n'));
        text.append("  runs         ").append(runs.isEmpty() ? "none" : runs.size() + (runs.size() == 5 ? "+ " : " ")
                + "(newest " + runs.get(0).get("runId") + ": " + runs.get(0).get("assigned") + " assigned, "
                + runs.get(0).get("undone") + " undone, " + runs.get(0).get("started") + ")");
        List<String> row = new ArrayList<>(List.of(t.address().display(), cutover.subject(), String.valueOf(nulls),
                gate.get("verdict") + (Boolean.TRUE.equals(gate.get("latched")) ? " (latched)" : ""), constraint,
                String.valueOf(fk.get("state")), String.valueOf(runs.size())));
        return new Session.Outcome(t, code, json, text.toString(), row);
    }

    /** none, NOT VALID, validated (a CHECK, the column still nullable) or NOT NULL. */
    static String constraintState(VerificationReport report) {
        VerificationCheck column = report.check(VerificationCheck.COLUMN_NOT_NULL).orElseThrow();
        VerificationCheck constraint = report.check(VerificationCheck.CONSTRAINT_VALIDATED).orElseThrow();
        if (constraint.actual().startsWith("NOT VALID")) {
            return "NOT VALID";
        }
        if (column.passed() && constraint.passed()) {
            return "NOT NULL";
        }
        return constraint.passed() ? "validated" : "none";
    }

    static Map<String, Object> foreignKey(VerificationReport report, NotNullCutover cutover) {
        if (cutover.referencedTable().isEmpty()) {
            return Json.object("state", "not configured", "name", null, "onDelete", null, "references", null);
        }
        Optional<VerificationCheck> exists = report.check(VerificationCheck.FK_EXISTS);
        if (exists.isEmpty() || exists.get().actual().equals("none")) {
            return Json.object("state", "none", "name", null, "onDelete", null, "references", null);
        }
        boolean validated = report.check(VerificationCheck.FK_VALIDATED).map(VerificationCheck::passed).orElse(false);
        return Json.object("state", validated ? "validated" : "NOT VALID", "name", exists.get().actual(),
                "onDelete", report.check(VerificationCheck.FK_ON_DELETE).map(VerificationCheck::actual).orElse(null),
                "references", report.check(VerificationCheck.FK_REFERENCES).map(VerificationCheck::actual).orElse(null));
    }

    private static String fkText(Map<String, Object> fk) {
        Object state = fk.get("state");
        if (fk.get("name") == null) {
            return String.valueOf(state);
        }
        return state + ", " + fk.get("name") + " -> " + fk.get("references") + " ON DELETE " + fk.get("onDelete");
    }
}
