package dev.cutover.cli;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.remediation.Remediation;
import dev.cutover.core.remediation.RemediationEvent;
import dev.cutover.core.remediation.RemediationReport;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cutover remediate}: the remediation loop with the configured policies. */
@Command(name = "remediate", description = {"The remediation loop: gives NULL rows their value with the configured policies "
        + "(cutover.cutovers[N].remediation.policies: constant, lookup or sql, tried in order), in batches, journaled so that "
        + "'cutover undo RUN_ID' restores them.",
        "Ctrl-C stops after the batch in flight and prints the command that goes on.",
        "Over a fleet (several --url, --targets-file or --schemas): one target at a time unless --parallel N, stopping at the "
                + "first failure unless --keep-going, then a summary of what happened where.",
        "Exit 0 when no NULL row remains (or after a dry run), 1 when some remain."})
final class RemediateCommand extends BaseCommand {

    private static final Pattern PASSWORD = Pattern.compile("(?i)(password=)[^&\\s]*");

    @Option(names = "--dry-run", description = "Decide every row and report, change nothing.")
    boolean dryRun;

    @Option(names = "--batch-size", paramLabel = "N", description = "Rows per batch (default: configured, else 1000).")
    Integer batchSize;

    @Option(names = "--max-rows-per-second", paramLabel = "N", description = "Rate cap (default: configured, else none).")
    Integer maxRowsPerSecond;

    @Option(names = "--keep-going", description = "Over a fleet: go on with the next targets after one failed (default: stop "
            + "starting new ones at the first failure).")
    boolean keepGoing;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "auto (a bar on a terminal, plain lines otherwise), bar, plain or none (default: ${DEFAULT-VALUE}).")
    String progress;

    @Override
    public Integer call() {
        Progress.Mode mode;
        try {
            mode = Progress.Mode.valueOf(progress.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--progress must be auto, bar, plain or none, but was " + progress);
        }
        try (Session session = Session.open(common, env())) {
            List<Target> targets = session.changeTargets("remediate");
            if (!session.fleet()) {
                return single(session, targets.get(0), mode);
            }
            List<FleetRun.Result> results = FleetRun.run(session, targets, common.parallel, keepGoing, t -> {
                RemediationReport report = builder(session, t).build().run();
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

    private Remediation.Builder builder(Session session, Target t) {
        CutoverDatabase db = t.database(session.connections);
        Remediation.Builder b = Remediation.builder(db, t.cutover()).policy(t.spec().policy()).dryRun(dryRun);
        Integer size = batchSize != null ? batchSize : t.spec().batchSize().orElse(null);
        if (size != null) {
            b.batchSize(size);
        }
        Integer rate = maxRowsPerSecond != null ? maxRowsPerSecond : t.spec().maxRowsPerSecond().orElse(null);
        if (rate != null) {
            b.maxRowsPerSecond(rate);
        }
        return b;
    }

    private static int code(RemediationReport report) {
        return report.outcome() == RemediationReport.Outcome.COMPLETE || report.outcome() == RemediationReport.Outcome.DRY_RUN
                ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private int single(Session session, Target t, Progress.Mode mode) {
        Remediation.Builder b = builder(session, t);
        long total = t.database(session.connections).probe(t.cutover()).count();
        PrintStream terminal = System.err;
        try (Progress bar = Progress.open(mode, err(), terminal, "Remediating " + t.cutover().table(), total);
             StopAfterBatch stop = new StopAfterBatch(last -> stopped(bar, t, last))) {
            b.onEvent(bar::on).onEvent(stop::on);
            Remediation remediation = b.build();
            RemediationReport report = remediation.run();
            bar.close();
            int code = code(report);
            if (common.json) {
                Json.print(out(), json(t, report, code));
            } else {
                out().println(summary(report));
                out().flush();
            }
            return code;
        }
    }

    private void stopped(Progress bar, Target t, RemediationEvent.BatchDone last) {
        bar.close();
        String command = resumeCommand();
        err().println();
        err().println(last == null
                ? "Stopped before the first batch finished; nothing was changed by this run."
                : "Stopped after batch " + last.batch() + " (run " + last.runId() + "): every finished batch is committed and "
                        + "journaled, no batch is half-done.");
        err().println("To go on with the rows of " + t.cutover().subject() + " that are still NULL, run:");
        err().println("  " + command);
        err().flush();
    }

    /** The same command line (a password in a URL shown as ***). */
    private String resumeCommand() {
        List<String> parts = new ArrayList<>();
        parts.add("cutover");
        for (String arg : root().args()) {
            String a = PASSWORD.matcher(arg).replaceAll("$1***");
            parts.add(a.matches("[A-Za-z0-9_./:=@%+,-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return String.join(" ", parts);
    }

    static String summary(RemediationReport r) {
        double seconds = Math.max(r.duration().toMillis(), 1) / 1000.0;
        StringBuilder s = new StringBuilder();
        s.append("Remediation of ").append(r.subject()).append(r.dryRun() ? " (dry run)" : "").append(": ").append(r.outcome())
                .append('\n');
        s.append(String.format(Locale.ROOT, "  %d rows %s, %d skipped, %d NULL rows remain%n", r.assigned(),
                r.dryRun() ? "would be assigned" : "assigned", r.skipped(), r.remaining()));
        s.append(String.format(Locale.ROOT, "  %d %s, %d %s, %d %s in %.1f s (%.0f rows/s)%n", r.rounds(),
                r.rounds() == 1 ? "round" : "rounds", r.batches(), r.batches() == 1 ? "batch" : "batches", r.retries(),
                r.retries() == 1 ? "retry" : "retries", seconds, r.assigned() / seconds));
        if (!r.assignedByValue().isEmpty()) {
            s.append("  by value: ").append(r.assignedByValue()).append('\n');
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
