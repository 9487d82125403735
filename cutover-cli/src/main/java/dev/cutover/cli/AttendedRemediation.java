package dev.cutover.cli;

import dev.cutover.core.remediation.Remediation;
import dev.cutover.core.remediation.RemediationEvent;
import dev.cutover.core.remediation.RemediationReport;
import dev.cutover.core.remediation.RemediationRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A remediation on one target with someone watching (remediate, resume): progress on stderr,
 * Ctrl-C stops after the batch in flight and prints the {@code cutover resume} command that goes
 * on, the summary (or JSON) on stdout.
 */
final class AttendedRemediation {

    private static final Pattern PASSWORD = Pattern.compile("(?i)(password=)[^&\\s]*");
    /** Flags (without a value) that do not carry over to {@code resume}; {@code --parallel N} is left out too. */
    private static final Set<String> NOT_FOR_RESUME = Set.of("--dry-run", "--keep-going");

    private AttendedRemediation() {
    }

    /** The rate, batch size and replica-lag bound of the flags, else of the configuration. */
    static Remediation.Builder configure(Remediation.Builder b, Target t, Integer batchSize, Integer maxRowsPerSecond,
                                         Duration maxReplicaLag) {
        Integer size = batchSize != null ? batchSize : t.spec().batchSize().orElse(null);
        if (size != null) {
            b.batchSize(size);
        }
        Integer rate = maxRowsPerSecond != null ? maxRowsPerSecond : t.spec().maxRowsPerSecond().orElse(null);
        if (rate != null) {
            b.maxRowsPerSecond(rate);
        }
        Duration lag = maxReplicaLag != null ? maxReplicaLag : t.spec().maxReplicaLag().orElse(null);
        if (lag != null && lag.isZero()) {
            b.ignoreReplicaLag();
        } else if (lag != null) {
            b.maxReplicaLag(lag);
        }
        return b;
    }

    /** Reads {@code --max-replica-lag}: null when not given, {@link Duration#ZERO} for off. */
    static Duration replicaLagFlag(String value) {
        return value == null ? null : CliConfig.replicaLag("--max-replica-lag", value);
    }

    static Progress.Mode mode(String progress) {
        try {
            return Progress.Mode.valueOf(progress.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--progress must be auto, bar, plain or none, but was " + progress);
        }
    }

    /** Runs {@code b}'s remediation on {@code t} with progress, and prints its summary; returns the exit code. */
    static int run(BaseCommand command, Session session, Target t, Remediation.Builder b, Progress.Mode mode, String task,
                   boolean resuming) {
        long total = t.database(session.connections).probe(t.cutover()).count();
        try (StopAfterBatch stop = new StopAfterBatch();
             Progress bar = Progress.open(mode, command.err(), System.err, task + " " + t.cutover().table(), total)) {
            AtomicLong assignedNow = new AtomicLong();
            b.onEvent(bar::on).onEvent(e -> {
                if (e instanceof RemediationEvent.BatchDone done) {
                    assignedNow.addAndGet(done.assigned());
                }
            });
            Remediation remediation = b.build();
            RemediationRun run = remediation.start();
            stop.attach(run);
            RemediationReport report = run.await();
            bar.close();
            int code = RemediateCommand.code(report);
            long before = resuming ? Math.max(0, report.assigned() - assignedNow.get()) : -1;
            if (command.common.json) {
                Map<String, Object> json = RemediateCommand.json(t, report, code);
                if (resuming) {
                    json.put("assignedBefore", before);
                }
                Json.print(command.out(), json);
            } else {
                command.out().println(RemediateCommand.summary(report, before));
                command.out().flush();
            }
            if (report.outcome() == RemediationReport.Outcome.CANCELLED && stop.stopRequested()) {
                stopped(command, t, report);
            }
            return code;
        }
    }

    private static void stopped(BaseCommand command, Target t, RemediationReport report) {
        var err = command.err();
        err.println();
        if (report.dryRun()) {
            err.println("Stopped: a dry run changes nothing; run the same command again to decide every row.");
            err.flush();
            return;
        }
        err.println(report.batches() == 0
                ? "Stopped before the first batch finished (run " + report.runId() + "); nothing was changed by this run."
                : "Stopped after batch " + report.batches() + " (run " + report.runId() + "): every finished batch is committed "
                        + "and journaled, no batch is half-done.");
        err.println("To go on with the rows of " + t.cutover().subject() + " that are still NULL, run:");
        err.println("  " + resumeCommand(command.root().args(), report.runId()));
        err.flush();
    }

    /**
     * {@code cutover resume RUN_ID} with the options of this command line that matter to it (a
     * password in a URL shown as ***): the subcommand, a previous run id, --dry-run, --keep-going
     * and --parallel are left out.
     */
    static String resumeCommand(List<String> args, UUID runId) {
        List<String> parts = new ArrayList<>(List.of("cutover", "resume", runId.toString()));
        boolean commandSeen = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!commandSeen && (arg.equals("remediate") || arg.equals("resume"))) {
                commandSeen = true;
                continue;
            }
            if (NOT_FOR_RESUME.contains(arg) || arg.startsWith("--parallel=") || isRunId(arg)) {
                continue;
            }
            if (arg.equals("--parallel")) {
                i++;
                continue;
            }
            String a = PASSWORD.matcher(arg).replaceAll("$1***");
            parts.add(a.matches("[A-Za-z0-9_./:=@%+,-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return String.join(" ", parts);
    }

    private static boolean isRunId(String arg) {
        try {
            return arg.length() == 36 && UUID.fromString(arg) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
