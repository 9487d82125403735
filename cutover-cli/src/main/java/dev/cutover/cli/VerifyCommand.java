package dev.cutover.cli;

import dev.cutover.core.verify.VerificationCheck;
import dev.cutover.core.verify.VerificationReport;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code cutover verify}: the post-migration verification. */
@Command(name = "verify", description = {"The post-migration verification: the column is NOT NULL and its constraint "
        + "validated; the foreign key exists, is validated and has the configured ON DELETE.",
        "Exit 1 when any check fails."})
final class VerifyCommand extends BaseCommand {

    @Override
    public Integer call() {
        try (Session session = Session.open(common, env())) {
            List<Session.Outcome> outcomes = session.forEach(session.targets(), t -> {
                VerificationReport report = t.database(session.connections).verify(t.cutover());
                int code = report.passed() ? ExitCodes.OK : ExitCodes.FAILED;
                Map<String, Object> json = t.json();
                json.put("exitCode", code);
                json.put("passed", report.passed());
                json.put("serverVersion", report.serverVersion());
                json.put("checks", report.checks().stream().map(c -> Json.object("name", c.name(), "passed", c.passed(),
                        "expected", c.expected(), "actual", c.actual())).toList());
                String failed = String.join("; ", report.failures().stream().map(VerificationCheck::name).toList());
                return new Session.Outcome(t, code, json, report.render(), List.of(t.address().display(),
                        t.cutover().subject(), report.passed() ? "PASSED" : "FAILED", failed.isEmpty() ? "-" : failed));
            });
            return print(outcomes, "TARGET", "SUBJECT", "RESULT", "FAILED CHECKS");
        }
    }
}
