package dev.cutover.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cutover runs}: the remediation runs in the journal. */
@Command(name = "runs", description = "The remediation runs of each cutover, newest first, from the remediation journal.")
final class RunsCommand extends BaseCommand {

    @Option(names = {"-n", "--limit"}, defaultValue = "20", description = "Runs per target (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        if (limit < 1 || limit > 10_000) {
            throw CliException.usage("-n must be between 1 and 10000, but was " + limit);
        }
        try (Session session = Session.open(common, env())) {
            List<Session.Outcome> outcomes = session.forEach(session.targets(), t -> {
                List<Map<String, Object>> runs = StateReader.runs(t.database(session.connections), t.cutover(), limit);
                Map<String, Object> json = t.json();
                json.put("exitCode", ExitCodes.OK);
                json.put("runs", runs);
                TextTable table = new TextTable("RUN", "STARTED", "LAST", "ASSIGNED", "UNDONE", "POLICIES");
                for (Map<String, Object> r : runs) {
                    table.row(String.valueOf(r.get("runId")), String.valueOf(r.get("started")), String.valueOf(r.get("last")),
                            String.valueOf(r.get("assigned")), String.valueOf(r.get("undone")), String.valueOf(r.get("policies")));
                }
                java.io.StringWriter text = new java.io.StringWriter();
                java.io.PrintWriter w = new java.io.PrintWriter(text);
                w.println(t.cutover().subject() + ": " + runs.size() + (runs.size() == 1 ? " run" : " runs"));
                if (!runs.isEmpty()) {
                    table.print(w);
                }
                w.flush();
                return new Session.Outcome(t, ExitCodes.OK, json, text.toString().stripTrailing(), List.of(
                        t.address().display(), t.cutover().subject(), String.valueOf(runs.size()),
                        runs.isEmpty() ? "-" : String.valueOf(runs.get(0).get("runId"))));
            });
            return print(outcomes, "TARGET", "SUBJECT", "RUNS", "NEWEST");
        }
    }
}
