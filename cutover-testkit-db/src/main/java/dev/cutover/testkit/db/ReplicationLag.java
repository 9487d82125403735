package dev.cutover.testkit.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How far one standby is behind its primary, as the primary's {@code pg_stat_replication}
 * shows it: the WAL bytes it has not replayed yet and PostgreSQL's own {@code replay_lag}.
 *
 * <p>{@code replayLag} is measured by the primary from the standby's replies: while replay is
 * behind it grows with the time since the oldest WAL not replayed was written; once the
 * standby has caught up and the primary is idle, the last value stays for up to
 * {@code wal_receiver_status_interval} (10 s) and then the column is NULL (empty here). A
 * throttle that waits for the lag to fall below a bound should therefore also accept
 * {@code replayBytes == 0}.
 *
 * <pre>{@code
 * try (Connection primary = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres")) {
 *     for (ReplicationLag lag : ReplicationLag.readAll(primary)) {
 *         System.out.println(lag.applicationName() + " is " + lag.replayBytes() + " bytes and "
 *                 + lag.replayLag().map(Duration::toMillis).orElse(0L) + " ms behind");
 *     }
 * }
 * }</pre>
 *
 * @param applicationName the standby's {@code application_name} in {@code pg_stat_replication}
 * @param state the WAL sender's state, {@code streaming} once the standby has caught up with the backup
 * @param replayBytes WAL bytes written on the primary and not yet replayed by the standby
 *        ({@code pg_current_wal_lsn() - replay_lsn}; all WAL so far when it has replayed nothing yet)
 * @param replayLag PostgreSQL's {@code replay_lag}; empty when the primary has no measurement
 */
public record ReplicationLag(String applicationName, String state, long replayBytes, Optional<Duration> replayLag) {

    /** The query {@link #readAll} runs on the primary; one row per connected standby. */
    public static final String QUERY = """
            select application_name, state,
                   pg_wal_lsn_diff(pg_current_wal_lsn(), coalesce(replay_lsn, '0/0'))::bigint as replay_bytes,
                   (extract(epoch from replay_lag) * 1000000)::bigint as replay_lag_us
              from pg_stat_replication
             order by application_name""";

    /**
     * Checks the components.
     *
     * @param applicationName the standby's {@code application_name}
     * @param state the WAL sender's state
     * @param replayBytes WAL bytes not yet replayed
     * @param replayLag PostgreSQL's {@code replay_lag}, or empty
     */
    public ReplicationLag {
        Objects.requireNonNull(applicationName, "applicationName");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(replayLag, "replayLag");
    }

    /**
     * Reads the lag of every standby connected to this primary (needs a superuser or a member
     * of {@code pg_monitor} to see the positions).
     *
     * @param primary a connection to the primary
     * @return one reading per connected standby, by application name
     * @throws SQLException from the driver
     */
    public static List<ReplicationLag> readAll(Connection primary) throws SQLException {
        List<ReplicationLag> lags = new ArrayList<>();
        try (Statement statement = primary.createStatement();
             ResultSet rs = statement.executeQuery(QUERY)) {
            while (rs.next()) {
                long micros = rs.getLong("replay_lag_us");
                Optional<Duration> lag = rs.wasNull() ? Optional.empty() : Optional.of(Duration.ofNanos(micros * 1000));
                String state = rs.getString("state");
                lags.add(new ReplicationLag(rs.getString("application_name"), state == null ? "unknown" : state,
                        rs.getLong("replay_bytes"), lag));
            }
        }
        return lags;
    }

    @Override
    public String toString() {
        return applicationName + " " + state + ": " + replayBytes + " bytes behind, replay_lag "
                + replayLag.map(d -> d.toMillis() + " ms").orElse("none");
    }
}
