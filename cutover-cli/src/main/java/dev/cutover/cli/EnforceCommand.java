package dev.cutover.cli;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.migrate.MigrationBlockedException;
import dev.cutover.core.migrate.MigrationReport;
import dev.cutover.core.migrate.MigrationTimeoutException;
import dev.cutover.core.migrate.NotNullMigration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cutover enforce}: the "enforce for new rows now" phase, the NOT VALID constraint while NULL rows remain. */
@Command(name = "enforce", description = {"Enforce for new rows now: adds the NOT NULL constraint NOT VALID (a CHECK on "
        + "PostgreSQL 12 to 17, NOT NULL ... NOT VALID on 18) while NULL rows may remain, so that from then on PostgreSQL "
        + "refuses a new NULL at write time and remediation only deals with the rows written before. No table scan; one "
        + "short lock with a short lock_timeout, retried, never queued behind a long transaction. Nothing to do when the "
        + "column refuses NULLs already. 'cutover migrate' later validates this same constraint.",
        "While it waits, stderr shows the sessions it waits for (pid, application, state, how long, lock, query shape).",
        "Over a fleet: one target at a time unless --parallel N, stopping at the first failure unless --keep-going, then "
                + "a summary.",
        "Exit 0 when new NULLs are refused (enforced now or already); 1 when the deadline passed while the table stayed busy."})
final class EnforceCommand extends BaseCommand {

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "50ms",
            description = "lock_timeout of the step's transaction (default: ${DEFAULT-VALUE}).")
    String lockTimeout;

    @Option(names = "--deadline", paramLabel = "DURATION", defaultValue = "10m",
            description = "How long it may wait for the table, over all retries (default: ${DEFAULT-VALUE}).")
    String deadline;

    @Option(names = "--replace-foreign-key", description = "Accept a foreign key on the column that differs from the "
            + "configured one: enforce never touches foreign keys, 'cutover migrate --replace-foreign-key' replaces it later "
            + "(default: refuse, exit 2).")
    boolean replaceForeignKey;

    @Option(names = "--keep-going", description = "Over a fleet: go on with the next targets after one failed.")
    boolean keepGoing;

    @Override
    public Integer call() {
        Duration lock = CliConfig.duration("--lock-timeout", lockTimeout);
        Duration until = CliConfig.duration("--deadline", deadline);
        requireDeadlineAtLeastLockTimeout(until, deadline, lock, lockTimeout);
        try (Session session = Session.open(common, env())) {
            return changeEach(session, session.changeTargets("enforce"), keepGoing,
                    (t, fleet) -> enforce(session, t, lock, until, fleet));
        }
    }

    private Session.Outcome enforce(Session session, Target t, Duration lock, Duration until, boolean fleet) {
        CutoverDatabase db = t.database(session.connections);
        List<Map<String, Object>> steps = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, Map<String, Object>> waitedFor = Collections.synchronizedMap(new LinkedHashMap<>());
        String prefix = fleet ? t.label() + ": " : "";
        String outcome;
        String error = null;
        MigrationReport report = null;
        try {
            NotNullMigration migration = NotNullMigration.builder(db, t.cutover()).lockTimeout(lock).deadline(until)
                    .replaceForeignKey(replaceForeignKey).onEvent(e -> MigrateCommand.show(err(), prefix, e, steps, waitedFor))
                    .build();
            report = migration.enforceForNewRows();
            outcome = report.ran().isEmpty() ? "ALREADY_ENFORCED" : "ENFORCED";
        } catch (MigrationBlockedException e) {
            outcome = "BLOCKED";
            error = e.getMessage();
        } catch (MigrationTimeoutException e) {
            outcome = "TIMED_OUT";
            error = e.getMessage();
            e.blockers().forEach(b -> waitedFor.put(b.pid(), MigrateCommand.blocker(b)));
        } catch (CutoverConfigurationException e) {
            if (e.getMessage().contains("replaceForeignKey")) {
                throw CliException.usage(e.getMessage() + " On the command line: 'cutover enforce --replace-foreign-key' "
                        + "enforces and leaves the foreign key alone; 'cutover migrate --replace-foreign-key' replaces it.");
            }
            throw e;
        }
        int code = report != null ? ExitCodes.OK : ExitCodes.FAILED;
        Map<String, Object> json = t.json();
        json.put("exitCode", code);
        json.put("outcome", outcome);
        json.put("steps", new ArrayList<>(steps));
        json.put("tookMs", report == null ? null : report.took().toMillis());
        json.put("waitedFor", new ArrayList<>(waitedFor.values()));
        json.put("error", error);
        String text;
        String detail;
        if (report == null) {
            text = "Enforcing for new rows on " + t.cutover().subject() + ": " + outcome + "\n  " + error;
            detail = outcome + ": " + MigrateCommand.firstLine(error);
        } else if ("ENFORCED".equals(outcome)) {
            text = report.render() + "\nNew NULLs are refused from now on; the rows written before are still to remediate, "
                    + "then 'cutover migrate' validates the constraint.";
            detail = "enforced for new rows";
        } else {
            text = "Enforcing for new rows on " + t.cutover().subject() + ": the column refuses NULLs already, nothing to do.";
            detail = "already enforced";
        }
        return new Session.Outcome(t, code, json, text, List.of(detail));
    }
}
