package dev.cutover.core.migrate;

import java.util.Objects;

/**
 * One statement of a {@link MigrationPlan}, run in its own short transaction.
 *
 * @param name      what the step does, e.g. {@code add CHECK (organization_id IS NOT NULL) NOT VALID}
 * @param sql       the statement, identifiers quoted
 * @param lockLevel the table lock it takes
 * @param scans     whether it reads the whole table (only {@code VALIDATE} does, under a lock that lets reads and writes go on)
 * @param done      whether the catalog already showed it done when the plan was made
 * @param enforcesNewRows whether this is the enforce phase: the NOT VALID constraint that makes PostgreSQL refuse new
 *                  NULLs at write time, which may run early, while NULL rows remain
 *                  ({@link NotNullMigration#enforceForNewRows()})
 */
public record MigrationStep(String name, String sql, LockLevel lockLevel, boolean scans, boolean done, boolean enforcesNewRows) {

    /** A step that is not the enforce phase. */
    public MigrationStep(String name, String sql, LockLevel lockLevel, boolean scans, boolean done) {
        this(name, sql, lockLevel, scans, done, false);
    }

    public MigrationStep {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(lockLevel, "lockLevel");
    }

    @Override
    public String toString() {
        return name + " [" + lockLevel.sql() + (scans ? ", scans the table" : "") + (done ? ", done" : "") + "]: " + sql;
    }
}
