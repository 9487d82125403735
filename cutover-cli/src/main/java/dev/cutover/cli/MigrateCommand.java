package dev.cutover.cli;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.migrate.Blocker;
import dev.cutover.core.migrate.MigrationBlockedException;
import dev.cutover.core.migrate.MigrationEvent;
import dev.cutover.core.migrate.MigrationReport;
import dev.cutover.core.migrate.MigrationTimeoutException;
import dev.cutover.core.migrate.NotNullMigration;
import dev.cutover.core.verify.VerificationCheck;
import dev.cutover.core.verify.VerificationReport;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cutover migrate}: the zero-downtime migration, showing live which sessions it waits for. */
@Command(name = "migrate", description = {"The zero-downtime migration: the NOT NULL constraint NOT VALID, VALIDATE, SET NOT NULL "
        + "(PostgreSQL 12 to 17), then the foreign key NOT VALID and VALIDATE; each step a short transaction with a short "
        + "lock_timeout, retried, never queued behind a long transaction. Refuses, changing nothing, while NULL rows remain.",
        "While a step waits, stderr shows the sessions it waits for (pid, application, state, how long, lock, query shape).",
        "Afterwards the verification runs. Over a fleet: one target at a time unless --parallel N, stopping at the first "
                + "failure unless --keep-going, then a summary.",
        "Exit 0 when migrated and verified; 1 when NULL rows remain, the deadline passed while the table stayed busy, or "
                + "the verification fails."})
final class MigrateCommand extends BaseCommand {

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "50ms",
            description = "lock_timeout of each step's transaction (default: ${DEFAULT-VALUE}).")
    String lockTimeout;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "10m",
            description = "How long the run may wait for the table, over all steps and retries (default: ${DEFAULT-VALUE}).")
    String deadline;

    @Option(names = "--validate-timeout", paramLabel = "DURATION", defaultValue = "1h",
            description = "statement_timeout of each VALIDATE, which scans the table (default: ${DEFAULT-VALUE}).")
    String validateTimeout;

    @Option(names = "--replace-foreign-key",
            description = "Replace a foreign key on the column that differs from the configured one (default: refuse).")
    boolean replaceForeignKey;

    @Option(names = "--keep-going", description = "Over a fleet: go on with the next targets after one failed.")
    boolean keepGoing;

    @Override
    public Integer call() {
        Duration lock = CliConfig.duration("--lock-timeout", lockTimeout);
        Duration until = CliConfig.duration("--deadline", deadline);
        Duration validate = CliConfig.duration("--validate-timeout", validateTimeout);
        requireDeadlineAtLeastLockTimeout(until, deadline, lock, lockTimeout);
        try (Session session = Session.open(common, env())) {
            return changeEach(session, session.changeTargets("migrate"), keepGoing,
                    (t, fleet) -> migrate(session, t, lock, until, validate, fleet));
        }
    }

    private Session.Outcome migrate(Session session, Target t, Duration lock, Duration until, Duration validate, boolean fleet) {
        CutoverDatabase db = t.database(session.connections);
        List<Map<String, Object>> steps = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, Map<String, Object>> waitedFor = Collections.synchronizedMap(new LinkedHashMap<>());
        String prefix = fleet ? t.label() + ": " : "";
        NotNullMigration migration = NotNullMigration.builder(db, t.cutover()).lockTimeout(lock).deadline(until)
                .validateTimeout(validate).replaceForeignKey(replaceForeignKey)
                .onEvent(e -> show(err(), prefix, e, steps, waitedFor)).build();
        Map<String, Object> json = t.json();
        String outcome;
        String error = null;
        MigrationReport report = null;
        try {
            report = migration.run();
            outcome = "DONE";
        } catch (MigrationBlockedException e) {
            outcome = "BLOCKED";
            error = e.getMessage();
        } catch (MigrationTimeoutException e) {
            outcome = "TIMED_OUT";
            error = e.getMessage();
            e.blockers().forEach(b -> waitedFor.put(b.pid(), blocker(b)));
        }
        VerificationReport verification = report == null ? null : db.verify(t.cutover());
        boolean verified = verification != null && verification.passed();
        int code = verified ? ExitCodes.OK : ExitCodes.FAILED;
        json.put("exitCode", code);
        json.put("outcome", outcome);
        json.put("steps", new ArrayList<>(steps));
        json.put("tookMs", report == null ? null : report.took().toMillis());
        json.put("waitedFor", new ArrayList<>(waitedFor.values()));
        json.put("verified", verified);
        json.put("failedChecks", verification == null ? List.of()
                : verification.failures().stream().map(VerificationCheck::name).toList());
        json.put("error", error);
        String text = report != null ? report.render() + "\n" + (verified ? "Verification passed."
                : "Verification FAILED:\n" + verification.render()) : "Migration of " + t.cutover().subject() + ": " + outcome
                + "\n  " + error;
        String detail = "DONE".equals(outcome) ? (verified ? "migrated, verified" : "migrated, verification FAILED: "
                + String.join("; ", verification.failures().stream().map(VerificationCheck::name).toList()))
                : outcome + ": " + firstLine(error);
        return new Session.Outcome(t, code, json, text, List.of(detail));
    }

    static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** One line per event on stderr, as it happens. */
    static void show(PrintWriter err, String prefix, MigrationEvent event, List<Map<String, Object>> steps,
                             Map<Integer, Map<String, Object>> waitedFor) {
        String line;
        if (event instanceof MigrationEvent.Skipped s) {
            steps.add(Json.object("name", s.step(), "ran", false, "attempts", 0, "waitedMs", 0L, "tookMs", 0L));
            line = s.step() + ": already done";
        } else if (event instanceof MigrationEvent.Waiting w) {
            StringBuilder b = new StringBuilder(w.step()).append(": waiting for ").append(w.blockers().size())
                    .append(w.blockers().size() == 1 ? " session" : " sessions").append(" holding the table");
            for (Blocker blocker : w.blockers()) {
                waitedFor.put(blocker.pid(), blocker(blocker));
                b.append("\n    ").append(blocker);
            }
            line = b.toString();
        } else if (event instanceof MigrationEvent.Retrying r) {
            line = r.step() + ": lock not granted within the lock timeout (SQLSTATE " + r.sqlState() + "), attempt "
                    + (r.attempt() + 1) + " in " + r.backoff().toMillis() + " ms";
        } else {
            MigrationEvent.Done d = (MigrationEvent.Done) event;
            MigrationReport.StepOutcome o = d.outcome();
            steps.add(Json.object("name", o.name(), "ran", o.ran(), "attempts", o.attempts(), "waitedMs", o.waited().toMillis(),
                    "tookMs", o.took().toMillis()));
            line = String.format(Locale.ROOT, "%s: done (%d %s, waited %d ms, took %d ms)", d.step(), o.attempts(),
                    o.attempts() == 1 ? "attempt" : "attempts", o.waited().toMillis(), o.took().toMillis());
        }
        synchronized (err) {
            err.println(prefix + line);
            err.flush();
        }
    }

    static Map<String, Object> blocker(Blocker b) {
        return Json.object("pid", b.pid(), "applicationName", b.applicationName(), "state", b.state(), "heldForMs",
                b.heldFor().map(Duration::toMillis).orElse(null), "lockModes", b.lockModes(), "query", b.query());
    }
}
