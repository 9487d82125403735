package dev.cutover.core.migrate;

import java.time.Duration;
import java.util.Objects;

/**
 * Another backend holding a lock on the table that a migration step has to wait for, as
 * {@code pg_locks} and {@code pg_stat_activity} showed it.
 *
 * @param pid             its process id, for {@code pg_cancel_backend} / {@code pg_terminate_backend}
 * @param applicationName its {@code application_name}
 * @param state           e.g. {@code active}, {@code idle in transaction}
 * @param heldFor         how long its transaction (else its query) has been running
 * @param lockModes       the conflicting lock modes it holds, e.g. {@code AccessShareLock}
 * @param query           its current or last query, cut to 200 characters
 */
public record Blocker(int pid, String applicationName, String state, Duration heldFor, String lockModes, String query) {

    public Blocker {
        Objects.requireNonNull(applicationName, "applicationName");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(heldFor, "heldFor");
        Objects.requireNonNull(lockModes, "lockModes");
        Objects.requireNonNull(query, "query");
    }

    @Override
    public String toString() {
        return "pid " + pid + " (application_name '" + applicationName + "', " + state + " for " + seconds(heldFor) + ", holds "
                + lockModes + "): " + query;
    }

    static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
