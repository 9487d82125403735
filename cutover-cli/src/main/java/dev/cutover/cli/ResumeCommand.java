package dev.cutover.cli;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.remediation.Remediation;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cutover resume RUN_ID}: goes on with a remediation run that was stopped. */
@Command(name = "resume", description = {"Goes on with a remediation run that stopped before its end (Ctrl-C, cancelled, "
        + "interrupted, or its process killed), under the same run id, with the policies of the configuration: the rows "
        + "still NULL get their value, the rows it assigned stay as they are (none is done twice), and "
        + "'cutover undo RUN_ID' restores the whole run.",
        "One target only (one --url, no --schemas). Progress, Ctrl-C and the summary as for remediate.",
        "Exit 0 when no NULL row remains, 1 when some remain, 2 when the run cannot be resumed (unknown, of another "
                + "cutover, finished or undone; nothing is changed)."})
final class ResumeCommand extends BaseCommand {

    @Parameters(index = "0", paramLabel = "RUN_ID", description = "The stopped run, as remediate printed it or 'cutover runs' "
            + "shows it.")
    String runId;

    @Option(names = "--batch-size", paramLabel = "N", description = "Rows per batch (default: configured, else 1000).")
    Integer batchSize;

    @Option(names = "--max-rows-per-second", paramLabel = "N", description = "Rate cap (default: configured, else none).")
    Integer maxRowsPerSecond;

    @Option(names = "--max-replica-lag", paramLabel = "DURATION",
            description = "Before each batch, wait (holding no connection) while a standby replays more than this far "
                    + "behind, e.g. 10s; off (or 0) does not look (default: configured, else 10s).")
    String maxReplicaLag;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "auto (a bar on a terminal, plain lines otherwise), bar, plain or none (default: ${DEFAULT-VALUE}).")
    String progress;

    @Override
    public Integer call() {
        UUID id;
        try {
            id = UUID.fromString(runId);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("RUN_ID must be a run id such as 5f0c7a3e-..., as remediate printed it or 'cutover runs' "
                    + "shows it, but was " + runId);
        }
        Progress.Mode mode = AttendedRemediation.mode(progress);
        Duration lag = AttendedRemediation.replicaLagFlag(maxReplicaLag);
        try (Session session = Session.open(common, env())) {
            if (session.fleet()) {
                throw CliException.usage("resume goes on with one run on one target: give one --url and no --schemas (a run "
                        + "id belongs to one database)");
            }
            List<Target> targets = session.changeTargets("resume");
            Target t = targets.get(0);
            CutoverDatabase db = t.database(session.connections);
            Remediation.Builder b = AttendedRemediation.configure(Remediation.builder(db, t.cutover()).policy(t.spec().policy())
                    .resume(id), t, batchSize, maxRowsPerSecond, lag);
            try {
                b.build();
            } catch (CutoverConfigurationException e) {
                throw CliException.usage(e.getMessage() + (e.getMessage().contains(id.toString()) ? " On the command line: "
                        + "'cutover runs' lists the runs and their outcomes, 'cutover remediate' starts a new run for the NULL "
                        + "rows left." : ""));
            }
            return AttendedRemediation.run(this, session, t, b, mode, "Resuming", true);
        }
    }
}
