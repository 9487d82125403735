package dev.cutover.cli;

import dev.cutover.core.NullRow;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cutover sample}: the runbook's inspection query. */
@Command(name = "sample", description = {"The runbook's inspection: NULL rows, newest first, with the configured inspect "
        + "columns; sensitive columns masked.", "Exit 1 when NULL rows were found."})
final class SampleCommand extends BaseCommand {

    @Option(names = {"-n", "--limit"}, defaultValue = "200", description = "Rows per target (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        if (limit < 1 || limit > 100_000) {
            throw CliException.usage("-n must be between 1 and 100000, but was " + limit);
        }
        try (Session session = Session.open(common, env())) {
            List<Session.Outcome> outcomes = session.forEach(session.targets(), t -> {
                List<NullRow> rows = t.database(session.connections).probe(t.cutover()).sample(limit);
                int code = rows.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
                Map<String, Object> json = t.json();
                json.put("exitCode", code);
                json.put("rows", rows.stream().map(r -> Json.object("key", r.key(), "columns", r.columns())).toList());
                StringBuilder text = new StringBuilder(t.cutover().subject()).append(": ").append(rows.size())
                        .append(rows.size() == limit ? " NULL rows (the first " + limit + ", newest first)" : " NULL rows");
                for (NullRow r : rows) {
                    text.append("\n  ").append(r.columns().isEmpty() ? r.key() : r.columns());
                }
                return new Session.Outcome(t, code, json, text.toString(), List.of(t.address().display(),
                        t.cutover().subject(), String.valueOf(rows.size()), rows.isEmpty() ? "-" : String.valueOf(
                                rows.get(0).columns().isEmpty() ? rows.get(0).key() : rows.get(0).columns())));
            });
            return print(outcomes, "TARGET", "SUBJECT", "ROWS", "NEWEST");
        }
    }
}
