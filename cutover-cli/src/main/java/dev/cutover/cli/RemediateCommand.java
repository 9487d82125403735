package dev.cutover.cli;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.remediation.Remediation;
import dev.cutover.core.remediation.RemediationReport;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cutover remediate}: the remediation loop with the configured policies. */
@Command(name = "remediate", description = {"The remediation loop: gives NULL rows their value with the configured policies "
        + "(cutover.cutovers[N].remediation.policies: constant, lookup or sql, tried in order), in batches, journaled so that "
        + "'cutover undo RUN_ID' restores them.",
        "Ctrl-C stops after the batch in flight and prints the command that goes on: cutover resume RUN_ID ...",
        "While a standby is further behind than --max-replica-lag, the run waits between batches and shows 'throttled'.",
        "Over a fleet (several --url, --targets-file or --schemas): one target at a time unless --parallel N, stopping at the "
                + "first failure unless --keep-going, then a summary of what happened where.",
        "Exit 0 when no NULL row remains (or after a dry run), 1 when some remain."})
final class RemediateCommand extends BaseCommand {

    @Option(names = "--dry-run", description = "Decide every row and report, change nothing.")
    boolean dryRun;

    @Option(names = "--batch-size", paramLabel = "N", description = "Rows per batch (default: configured, else 1000).")
    Integer batchSize;

    @Option(names = "--max-rows-per-second", paramLabel = "N", description = "Rate cap (default: configured, else none).")
    Integer maxRowsPerSecond;

    @Option(names = "--max-replica-lag", paramLabel = "DURATION",
            description = "Before each batch, wait (holding no connection) while a standby replays more than this far "
                    + "behind, e.g. 10s; off (or 0) does not look (default: configured, else 10s).")
    String maxReplicaLag;

    @Option(names = "--keep-going", description = "Over a fleet: go on with the next targets after one failed (default: stop "
            + "starting new ones at the first failure).")
    boolean keepGoing;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "auto (a bar on a terminal, plain lines otherwise), bar, plain or none (default: ${DEFAULT-VALUE}).")
    String progress;

    @Override
    public Integer call() {
        Progress.Mode mode = AttendedRemediation.mode(progress);
        Duration lag = AttendedRemediation.replicaLagFlag(maxReplicaLag);
        try (Session session = Session.open(common, env())) {
            List<Target> targets = session.changeTargets("remediate");
            if (!session.fleet()) {
                Target t = targets.get(0);
                return AttendedRemediation.run(this, session, t, builder(session, t, lag), mode, "Remediating", false);
            }
            List<FleetRun.Result> results = FleetRun.run(session, targets, common.parallel, keepGoing, t -> {
                RemediationReport report = builder(session, t, lag).build().run();
                int code = code(report);
                err().println(t.label() + ": " + report.outcome() + ", " + report.assigned() + (report.dryRun() ? " would be" : "")
                        + " assigned, " + report.remaining() + " NULL rows remain (run " + report.runId() + ")");
                err().flush();
                return new Session.Outcome(t, code, json(t, report, code), summary(report), List.of(report.outcome() + ", "
                        + report.assigned() + (report.dryRun() ? " would be" : "") + " assigned, " + report.skipped()
                        + " skipped, " + report.remaining() + " remain, run " + report.runId()));
            });
            if (common.json) {
                Json.print(out(), FleetRun.json(results, keepGoing));
            } else {
                out().println(FleetRun.text(results, keepGoing));
                out().flush();
            }
            return FleetRun.exitCode(results);
        }
    }

    private Remediation.Builder builder(Session session, Target t, Duration lag) {
        CutoverDatabase db = t.database(session.connections);
        return AttendedRemediation.configure(Remediation.builder(db, t.cutover()).policy(t.spec().policy()).dryRun(dryRun), t,
                batchSize, maxRowsPerSecond, lag);
    }

    static int code(RemediationReport report) {
        return report.outcome() == RemediationReport.Outcome.COMPLETE || report.outcome() == RemediationReport.Outcome.DRY_RUN
                ? ExitCodes.OK : ExitCodes.FAILED;
    }

    static String summary(RemediationReport r) {
        return summary(r, -1);
    }

    /**
     * The summary for people; {@code assignedBefore} is what a resumed run had assigned before
     * this resumption ({@code -1}: not resumed), and the rate is of the rows this process assigned.
     */
    static String summary(RemediationReport r, long assignedBefore) {
        double seconds = Math.max(r.duration().toMillis(), 1) / 1000.0;
        long now = r.assigned() - Math.max(assignedBefore, 0);
        StringBuilder s = new StringBuilder();
        s.append("Remediation of ").append(r.subject()).append(r.dryRun() ? " (dry run)" : "").append(": ").append(r.outcome())
                .append('\n');
        s.append(String.format(Locale.ROOT, "  %d rows %s%s, %d skipped, %d NULL rows remain%n", r.assigned(),
                r.dryRun() ? "would be assigned" : "assigned", assignedBefore >= 0 ? " (" + assignedBefore
                        + " before this resumption)" : "", r.skipped(), r.remaining()));
        s.append(String.format(Locale.ROOT, "  %d %s, %d %s, %d %s in %.1f s (%.0f rows/s)%n", r.rounds(),
                r.rounds() == 1 ? "round" : "rounds", r.batches(), r.batches() == 1 ? "batch" : "batches", r.retries(),
                r.retries() == 1 ? "retry" : "retries", seconds, now / seconds));
        if (!r.assignedByValue().isEmpty()) {
            s.append(assignedBefore >= 0 ? "  by value (this resumption): " : "  by value: ").append(r.assignedByValue())
                    .append('\n');
        }
        if (!r.skippedByReason().isEmpty()) {
            s.append("  skipped: ").append(r.skippedByReason()).append('\n');
        }
        if (!r.dryRun() && r.assigned() > 0) {
            s.append("  run ").append(r.runId()).append(": undo with 'cutover undo ").append(r.runId()).append("'");
        } else {
            s.append("  run ").append(r.runId());
        }
        return s.toString();
    }

    static Map<String, Object> json(Target t, RemediationReport r, int code) {
        Map<String, Object> json = t.json();
        json.put("exitCode", code);
        json.put("runId", r.runId().toString());
        json.put("dryRun", r.dryRun());
        json.put("outcome", r.outcome().name());
        json.put("assigned", r.assigned());
        json.put("assignedByValue", r.assignedByValue());
        json.put("skipped", r.skipped());
        json.put("skippedByReason", r.skippedByReason());
        json.put("remaining", r.remaining());
        json.put("rounds", r.rounds());
        json.put("batches", r.batches());
        json.put("retries", r.retries());
        json.put("durationMs", r.duration().toMillis());
        json.put("changes", r.changes().stream().map(c -> Json.object("key", c.key(), "value", c.value(), "policy", c.policy()))
                .toList());
        json.put("skippedRows", r.skippedRows().stream().map(c -> Json.object("key", c.key(), "reason", c.reason())).toList());
        return json;
    }
}
