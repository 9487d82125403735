package dev.cutover.core.migrate;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

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
