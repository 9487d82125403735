package dev.cutover.core.migrate;

import dev.cutover.core.CutoverConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The statements that make a column NOT NULL without downtime, in order, as the catalog showed
 * them when the plan was made. {@link #toSql()} writes them as a script for teams that keep SQL
 * migrations.
 *
 * <pre>{@code
 * MigrationPlan plan = NotNullMigration.builder(db, cutover).build().plan();
 * Files.writeString(Path.of("V17__user_org_not_null.sql"), plan.toSql());
 * }</pre>
 *
 * @param subject         the column, e.g. {@code public."user".organization_id}
 * @param serverVersion   the PostgreSQL version the plan was made for, e.g. {@code 18.1}
 * @param lockTimeout     the {@code lock_timeout} of each step
 * @param validateTimeout the {@code statement_timeout} of each {@code VALIDATE}
 * @param steps           every step, done or not
 */
public record MigrationPlan(String subject, String serverVersion, Duration lockTimeout, Duration validateTimeout,
                            List<MigrationStep> steps) {

    public MigrationPlan {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(serverVersion, "serverVersion");
        Objects.requireNonNull(lockTimeout, "lockTimeout");
        Objects.requireNonNull(validateTimeout, "validateTimeout");
        steps = List.copyOf(steps);
    }

    /** The steps the catalog did not show done yet. */
    public List<MigrationStep> pending() {
        return steps.stream().filter(s -> !s.done()).toList();
    }

    /**
     * The enforce phase alone, as a plan of its own: the step that adds the NOT VALID constraint
     * ({@code CHECK (col IS NOT NULL) NOT VALID} on PostgreSQL 12 to 17, {@code NOT NULL col NOT VALID}
     * on 18). It may run while NULL rows remain; from then on PostgreSQL refuses new NULLs at write
     * time. {@link #toSql()} of this plan is the script for a migration that runs now.
     *
     * <pre>{@code
     * MigrationPlan enforce = migration.plan().enforcePhase();
     * Files.writeString(Path.of("V16__user_org_enforce_not_null.sql"), enforce.toSql());
     * }</pre>
     */
    public MigrationPlan enforcePhase() {
        return new MigrationPlan(subject, serverVersion, lockTimeout, validateTimeout,
                steps.stream().filter(MigrationStep::enforcesNewRows).toList());
    }

    /** Whether every step is done already. */
    public boolean complete() {
        return pending().isEmpty();
    }

    /**
     * Every step as a SQL script, done or not: a header, {@code SET lock_timeout} before each
     * step, {@code SET statement_timeout} before each {@code VALIDATE}, and a comment per step
     * naming its lock. The script of {@link #enforcePhase()} says so in its header and comment. Run each statement in its own transaction, and retry one that fails with
     * SQLSTATE 55P03 (lock not available) rather than raising the lock timeout.
     */
    public String toSql() {
        StringBuilder s = new StringBuilder();
        int major = Integer.parseInt(serverVersion.substring(0, serverVersion.indexOf('.') < 0 ? serverVersion.length()
                : serverVersion.indexOf('.')));
        boolean enforceOnly = !steps.isEmpty() && steps.stream().allMatch(MigrationStep::enforcesNewRows);
        s.append(enforceOnly ? "-- Enforce NOT NULL for new rows of " : "-- NOT NULL without downtime for ").append(subject)
                .append(major >= 18 ? " (PostgreSQL 18 and later)" : " (PostgreSQL 12 to 17)").append('\n');
        s.append("-- Run each statement in its own transaction. A statement that fails with SQLSTATE 55P03\n");
        s.append("-- (lock not available) found the table busy: retry it later, do not raise lock_timeout.\n");
        int n = 0;
        for (MigrationStep step : steps) {
            n++;
            s.append('\n');
            s.append("-- Step ").append(n).append(" of ").append(steps.size()).append(": ").append(step.name()).append('\n');
            s.append("-- Lock: ").append(step.lockLevel().sql())
                    .append(step.scans() ? "; scans the table while reads and writes go on" : "; brief, no table scan").append('\n');
            if (enforceOnly) {
                s.append("-- Enforce phase: from this statement on, new NULLs are refused at write time. It may run now,\n");
                s.append("-- while old NULLs remain; VALIDATE it (the full migration) once remediation has brought the count to 0.\n");
            }
            s.append("SET lock_timeout = '").append(interval(lockTimeout)).append("';\n");
            if (step.scans()) {
                s.append("SET statement_timeout = '").append(interval(validateTimeout)).append("';\n");
            }
            s.append(step.sql()).append(";\n");
            if (step.scans()) {
                s.append("RESET statement_timeout;\n");
            }
        }
        s.append("\nRESET lock_timeout;\n");
        return s.toString();
    }

    /** How long each step of {@link #flywayFiles(String, String)} retries a busy table before it fails. */
    public static final Duration FLYWAY_STEP_DEADLINE = Duration.ofMinutes(10);

    private static final Pattern FLYWAY_VERSION = Pattern.compile("\\d+([._]\\d+)*");
    private static final Pattern FLYWAY_DESCRIPTION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_ -]*");
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"]|\"\")*\"");

    /**
     * The whole sequence as one ready-to-use Flyway SQL migration: the script
     * {@code V<version>__<description>.sql} and its {@code V<version>__<description>.sql.conf}
     * holding {@code executeInTransaction=false}.
     *
     * <pre>{@code
     * MigrationPlan plan = NotNullMigration.builder(db, cutover).build().plan();
     * plan.flywayFiles("17", "user_organization_id_not_null")
     *     .forEach(file -> file.writeTo(Path.of("src/main/resources/db/migration")));
     * // V17__user_organization_id_not_null.sql, V17__user_organization_id_not_null.sql.conf
     * }</pre>
     *
     * <p>One migration, not one per step: the version the {@code CutoverCallback} guards is the
     * whole sequence, so the NULL check runs before its first statement and the verification after
     * its last, and no later migration drops the temporary CHECK behind the guard's back. It runs
     * outside a transaction (the {@code .sql.conf}), so Flyway commits each statement on its own
     * and no lock is held from one step to the next; in one transaction the {@code ACCESS
     * EXCLUSIVE} lock of the first step would be held through the scan of {@code VALIDATE}.
     *
     * <p>Each step is one {@code DO} block, one short transaction of its own: it sets
     * {@code lock_timeout} (this plan's, e.g. 50 ms) with {@code set_config(..., true)}, so the
     * setting ends with the step and never stays on Flyway's connection; on SQLSTATE 55P03 (lock
     * not available) or 40P01 it sleeps, with exponential backoff and jitter, and tries again,
     * for up to {@link #FLYWAY_STEP_DEADLINE}, so writers wait at most one lock timeout at a time
     * and the step never sits in the lock queue. Every step is idempotent (a constraint that exists
     * already counts as added, one already gone as dropped; {@code VALIDATE} and
     * {@code SET NOT NULL} do nothing the second time), so a run that failed part-way finishes
     * when Flyway runs the migration again. All steps are written, done or not: the files are for
     * every database the migration will reach, not only the one the plan was read from.
     *
     * @param version     Flyway's version of the migration, e.g. {@code 17} or {@code 2.1}
     * @param description the rest of the file name, e.g. {@code user_organization_id_not_null}
     *                    (spaces become underscores)
     * @return the script, then its {@code .sql.conf}
     * @throws CutoverConfigurationException when the version or the description cannot be a Flyway file name
     */
    public List<FlywayFile> flywayFiles(String version, String description) {
        if (version == null || !FLYWAY_VERSION.matcher(version.strip()).matches()) {
            throw new CutoverConfigurationException("Flyway version must look like 17 or 2.1, but was \"" + version + "\"");
        }
        if (description == null || !FLYWAY_DESCRIPTION.matcher(description.strip()).matches()) {
            throw new CutoverConfigurationException("Flyway description must be letters, digits, '_', '-' or spaces, starting "
                    + "with a letter or digit, e.g. user_organization_id_not_null, but was \"" + description + "\"");
        }
        String base = "V" + version.strip() + "__" + description.strip().replace(' ', '_') + ".sql";
        return List.of(new FlywayFile(base, flywayScript(base)), new FlywayFile(base + ".conf",
                "# " + base + " runs each of its statements in a transaction of its own: no lock is held from one step to "
                        + "the next.\nexecuteInTransaction=false\n"));
    }

    private String flywayScript(String file) {
        StringBuilder s = new StringBuilder();
        int major = Integer.parseInt(serverVersion.replaceFirst("\\..*", ""));
        s.append("-- ").append(file).append(": NOT NULL without downtime for ").append(subject).append('\n');
        s.append(major >= 18 ? "-- The PostgreSQL 18 sequence (planned on " + serverVersion + "): it needs PostgreSQL 18 or later.\n"
                : "-- The PostgreSQL 12 to 17 sequence (planned on " + serverVersion + "); it runs on 18 as well.\n");
        s.append("-- Runs outside a transaction (see ").append(file).append(".conf): each DO block below is one short\n");
        s.append("-- transaction with lock_timeout ").append(interval(lockTimeout)).append(", retried with backoff while the table "
                + "is busy, for up to ").append(interval(FLYWAY_STEP_DEADLINE)).append(".\n");
        s.append("-- Idempotent: if a run fails part-way, run Flyway again and it finishes the job.\n");
        int n = 0;
        for (MigrationStep step : steps) {
            n++;
            s.append('\n');
            s.append("-- Step ").append(n).append(" of ").append(steps.size()).append(": ").append(step.name()).append('\n');
            s.append("-- Lock: ").append(step.lockLevel().sql())
                    .append(step.scans() ? "; scans the table while reads and writes go on" : "; brief, no table scan").append('\n');
            s.append(retryingBlock(step));
        }
        return s.toString();
    }

    /** The step in a DO block that retries lock timeouts, and counts "exists already" or "gone already" as done. */
    private String retryingBlock(MigrationStep step) {
        String words = QUOTED.matcher(step.sql()).replaceAll("\"\"").toUpperCase(Locale.ROOT);
        StringBuilder done = new StringBuilder();
        if (words.contains(" ADD CONSTRAINT ")) {
            done.append("duplicate_object");
        }
        if (words.contains(" DROP CONSTRAINT ")) {
            done.append(done.isEmpty() ? "" : " OR ").append("undefined_object");
        }
        String tag = "$cutover$";
        for (int i = 1; step.sql().contains(tag); i++) {
            tag = "$cutover" + i + "$";
        }
        StringBuilder s = new StringBuilder();
        s.append("DO ").append(tag).append('\n');
        s.append("DECLARE\n");
        s.append("    attempt integer := 0;\n");
        s.append("    give_up timestamptz := clock_timestamp() + interval '").append(interval(FLYWAY_STEP_DEADLINE)).append("';\n");
        s.append("BEGIN\n");
        s.append("    PERFORM set_config('lock_timeout', '").append(interval(lockTimeout)).append("', true);\n");
        s.append("    LOOP\n");
        s.append("        BEGIN\n");
        s.append("            ").append(step.sql()).append(";\n");
        s.append("            EXIT;\n");
        s.append("        EXCEPTION\n");
        if (!done.isEmpty()) {
            s.append("            WHEN ").append(done).append(" THEN\n");
            s.append("                EXIT;\n");
        }
        s.append("            WHEN lock_not_available OR deadlock_detected THEN\n");
        s.append("                IF clock_timestamp() > give_up THEN\n");
        s.append("                    RAISE;\n");
        s.append("                END IF;\n");
        s.append("                attempt := attempt + 1;\n");
        s.append("                PERFORM pg_sleep(least(2.0, ").append(Math.max(10, lockTimeout.toMillis()) / 1000.0)
                .append(" * 2 ^ least(attempt, 8)) * (0.5 + random() / 2));\n");
        s.append("        END;\n");
        s.append("    END LOOP;\n");
        s.append("END\n");
        s.append(tag).append(";\n");
        return s.toString();
    }

    /** {@code 50ms}, {@code 2s}, {@code 10min}, {@code 1h}: PostgreSQL's own units. */
    static String interval(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "min";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("MigrationPlan[").append(subject).append(" on PostgreSQL ").append(serverVersion)
                .append(", lock_timeout ").append(interval(lockTimeout));
        for (MigrationStep step : steps) {
            s.append("\n  ").append(step);
        }
        return s.append(']').toString();
    }
}
