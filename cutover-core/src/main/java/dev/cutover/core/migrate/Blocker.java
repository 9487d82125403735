package dev.cutover.core.migrate;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Another backend holding a lock on the table that a migration step has to wait for, as
 * {@code pg_locks} and {@code pg_stat_activity} showed it.
 *
 * @param pid             its process id, for {@code pg_cancel_backend} / {@code pg_terminate_backend}
 * @param applicationName its {@code application_name}
 * @param state           e.g. {@code active}, {@code idle in transaction}; empty when the role running the
 *                        migration may not see it (another role's session, without {@code pg_read_all_stats})
 * @param heldFor         how long its transaction (else its query) has been running; empty when unknown, for
 *                        the same reason (such a lock counts as long once it has been seen held for the lock timeout)
 * @param lockModes       the conflicting lock modes it holds, e.g. {@code AccessShareLock}
 * @param query           the shape of its current or last query, literals replaced by {@code $1}, {@code $2}, ...
 *                        (never their values), cut to 200 characters
 */
public record Blocker(int pid, String applicationName, String state, Optional<Duration> heldFor, String lockModes, String query) {

    public Blocker {
        Objects.requireNonNull(applicationName, "applicationName");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(heldFor, "heldFor");
        Objects.requireNonNull(lockModes, "lockModes");
        Objects.requireNonNull(query, "query");
    }

    @Override
    public String toString() {
        String since = heldFor.map(d -> " for " + seconds(d)).orElse(" for an unknown time");
        return "pid " + pid + " (application_name '" + applicationName + "', " + (state.isEmpty() ? "state unknown" : state) + since
                + ", holds " + lockModes + "): " + query;
    }

    static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
