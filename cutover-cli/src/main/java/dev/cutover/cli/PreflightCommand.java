package dev.cutover.cli;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.preflight.Preflight;
import dev.cutover.core.preflight.PreflightCheck;
import dev.cutover.core.preflight.PreflightChecks;
import dev.cutover.core.preflight.PreflightReport;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code cutover preflight}: the runbook's Stage B checklist, from the configuration. */
@Command(name = "preflight", description = {"The Stage B checklist (cutover.cutovers[N].preflight): assignment code live (an HTTP "
        + "GET that must answer 2xx or a command that must exit 0), NULL baseline stable over the window (from the kept "
        + "observations), reconciliation clear (the reconciliation-sql counts 0), and each smoke check (HTTP GET or command).",
        "Every check runs, also after one failed; an item that is not configured fails, naming its key.",
        "Exit 1 when any check fails."})
final class PreflightCommand extends BaseCommand {

    @Override
    public Integer call() {
        try (Session session = Session.open(common, env())) {
            Target t = session.single("preflight");
            Preflight preflight = checklist(t);
            CutoverDatabase db = t.database(session.connections);
            PreflightReport report = preflight.run(db);
            int code = report.passed() ? ExitCodes.OK : ExitCodes.FAILED;
            if (common.json) {
                Map<String, Object> json = t.json();
                json.put("exitCode", code);
                json.put("passed", report.passed());
                json.put("checks", report.results().stream().map(r -> Json.object("name", r.name(), "passed", r.passed(),
                        "detail", r.detail(), "durationMs", r.duration().toMillis())).toList());
                Json.print(out(), json);
            } else {
                out().println("Stage B preflight of " + t.cutover().subject() + " on " + t.address().display());
                out().println(report.render());
                out().flush();
            }
            return code;
        }
    }

    /** The checklist in the runbook's order, every item present: one not configured fails, naming its key. */
    static Preflight checklist(Target t) {
        CutoverSpec spec = t.spec();
        PreflightSpec p = spec.preflight();
        NotNullCutover cutover = t.cutover();
        Preflight.Builder b = Preflight.builder();
        b.check(p.assignmentCodeLive().map(probe -> PreflightChecks.assignmentCodeLive(() -> OutsideCheck.run(probe, p.timeout())))
                .orElseGet(() -> missing(PreflightChecks.ASSIGNMENT_CODE_LIVE, "not configured: set " + spec.prefix()
                        + ".preflight.assignment-code-live.url (an HTTP GET that answers 2xx while the code is live) or "
                        + ".command (exits 0 while it is live)")));
        b.check(p.baselineMaxGap().map(gap -> PreflightChecks.nullBaselineStable(cutover, spec.baseline(), p.baselineWindow(), gap))
                .orElseGet(() -> PreflightChecks.nullBaselineStable(cutover, spec.baseline(), p.baselineWindow())));
        b.check(spec.reconciliationSql().map(PreflightChecks::reconciliationClear)
                .orElseGet(() -> missing(PreflightChecks.RECONCILIATION_CLEAR, "not configured: set " + spec.prefix()
                        + ".preflight.reconciliation-sql to a query counting unresolved finalize failures")));
        if (p.smoke().isEmpty()) {
            b.check(missing(PreflightChecks.SMOKE_PREFIX + "create and join flows", "not configured: set " + spec.prefix()
                    + ".preflight.smoke[0].name and .url or .command, one per flow"));
        }
        for (PreflightSpec.Smoke s : p.smoke()) {
            b.check(PreflightChecks.smoke(s.name(), () -> OutsideCheck.run(s.probe(), p.timeout())));
        }
        return b.build();
    }

    private static PreflightCheck missing(String name, String detail) {
        return PreflightCheck.of(name, db -> PreflightCheck.Outcome.fail(detail));
    }
}
