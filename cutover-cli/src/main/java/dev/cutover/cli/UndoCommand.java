package dev.cutover.cli;

import dev.cutover.core.remediation.Remediation;
import dev.cutover.core.remediation.UndoReport;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cutover undo RUN_ID}: restores what a remediation run set. */
@Command(name = "undo", description = {"Restores to NULL the rows a remediation run set, where the value is still the one "
        + "it set (a value someone changed since is left alone).", "Needs only the database: --url or $CUTOVER_URL."})
final class UndoCommand extends BaseCommand {

    @Parameters(index = "0", paramLabel = "RUN_ID", description = "The run, as 'cutover runs' or the remediation printed it.")
    String runId;

    @Override
    public Integer call() {
        UUID id;
        try {
            id = UUID.fromString(runId);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("RUN_ID must be a run id such as 5f0c7a3e-..., as 'cutover runs' shows, but was " + runId);
        }
        try (Session session = Session.databaseOnly(common, env())) {
            String url = session.singleUrl("undo");
            UndoReport report = Remediation.undo(session.connections.database(url), id);
            if (common.json) {
                Map<String, Object> json = Json.object("target", Connections.parse(url).display(), "subject", report.subject(),
                        "exitCode", ExitCodes.OK, "runId", report.runId().toString(), "restored", report.restored(),
                        "unchanged", report.unchanged(), "durationMs", report.duration().toMillis());
                Json.print(out(), json);
            } else {
                out().println("Undo of run " + report.runId() + " on " + report.subject() + ": " + report.restored()
                        + " rows restored to NULL, " + report.unchanged() + " left alone (changed since), "
                        + report.duration().toMillis() + " ms");
                out().flush();
            }
            return ExitCodes.OK;
        }
    }
}
