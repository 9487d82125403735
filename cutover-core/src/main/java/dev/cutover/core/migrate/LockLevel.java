package dev.cutover.core.migrate;

import java.util.Set;

/** The table lock a migration step takes, and the lock modes held by others that it must wait for. */
public enum LockLevel {
    /** {@code VALIDATE CONSTRAINT}: reads and writes go on. */
    SHARE_UPDATE_EXCLUSIVE("SHARE UPDATE EXCLUSIVE", Set.of("ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock",
            "ExclusiveLock", "AccessExclusiveLock")),
    /** {@code ADD FOREIGN KEY}: reads go on, writes wait. */
    SHARE_ROW_EXCLUSIVE("SHARE ROW EXCLUSIVE", Set.of("RowExclusiveLock", "ShareUpdateExclusiveLock", "ShareLock",
            "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock")),
    /** {@code ADD CONSTRAINT ... NOT VALID}, {@code SET NOT NULL}, {@code DROP CONSTRAINT}: everything waits, briefly. */
    ACCESS_EXCLUSIVE("ACCESS EXCLUSIVE", Set.of("AccessShareLock", "RowShareLock", "RowExclusiveLock", "ShareUpdateExclusiveLock",
            "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"));

    private final String sql;
    private final Set<String> conflicts;

    LockLevel(String sql, Set<String> conflicts) {
        this.sql = sql;
        this.conflicts = conflicts;
    }

    /** The SQL words, e.g. {@code ACCESS EXCLUSIVE}. */
    public String sql() {
        return sql;
    }

    /** The {@code pg_locks.mode} values that conflict with this lock. */
    public Set<String> conflictingModes() {
        return conflicts;
    }

    @Override
    public String toString() {
        return sql;
    }
}
