package dev.cutover.core.remediation;

import dev.cutover.core.CutoverConfigurationException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.jooq.Record;
import org.jooq.Result;

/**
 * Reads how far the primary's physical standbys are behind ({@code pg_stat_replication}) before
 * a batch, and says when one is further behind than the bound.
 *
 * <p>How far behind: a standby that has replayed everything the primary wrote
 * ({@code pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) = 0}) is caught up, whatever its
 * {@code replay_lag} still shows (the primary keeps the last value for about
 * {@code wal_receiver_status_interval} after the standby caught up). Otherwise its lag is the
 * larger of {@code replay_lag} and the time since the oldest WAL position this guard saw on
 * the primary that the standby has not replayed yet: {@code replay_lag} only moves when the
 * standby replies, so while replay is stuck it can stay small for seconds. Only WAL senders
 * that are {@code streaming} or in {@code catchup} count: a base backup in progress or a
 * logical replication slot's consumer does not throttle.
 *
 * <p>A role that is not a member of {@code pg_monitor} (or {@code pg_read_all_stats}) sees the
 * WAL senders but not their positions; the guard then refuses to go on rather than run
 * unthrottled.
 */
final class ReplicaLagGuard {

    /** The standby found too far behind. */
    record Lagging(String standby, long replayBytes, Duration lag) {
    }

    private static final int MAX_SAMPLES = 4_096;
    private static final String QUERY = """
            select r.application_name::text as standby, r.state::text as state,
                   pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), r.replay_lsn)::bigint as behind,
                   pg_catalog.pg_wal_lsn_diff(r.replay_lsn, '0/0')::bigint as replayed,
                   pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), '0/0')::bigint as written,
                   (extract(epoch from r.replay_lag) * 1000000)::bigint as lag_us
            from pg_catalog.pg_stat_replication r
            where r.state is null or (r.state in ('streaming', 'catchup') and not exists (
              select 1 from pg_catalog.pg_replication_slots s where s.active_pid = r.pid and s.slot_type = 'logical'))""";

    /** A WAL position of the primary and when this guard saw it. */
    private record Sample(long lsn, long nanos) {
    }

    private final Duration bound;
    private final String subject;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private long lastLook = Long.MIN_VALUE;

    ReplicaLagGuard(Duration bound, String subject) {
        this.bound = bound;
        this.subject = subject;
    }

    Duration bound() {
        return bound;
    }

    /** Between two looks while no standby is behind: a tenth of the bound, at most a second. */
    Duration lookEvery() {
        Duration tenth = bound.dividedBy(10);
        return tenth.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : tenth;
    }

    /** The wait before looking again at a standby that is behind: a tenth of the bound, between 10 ms and 1 s. */
    Duration recheck() {
        Duration every = lookEvery();
        return every.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : every;
    }

    /** Whether the last look is recent enough that this batch may go without one. */
    boolean lookedRecently() {
        return lastLook != Long.MIN_VALUE && System.nanoTime() - lastLook < lookEvery().toNanos();
    }

    /** The standby furthest behind beyond the bound, from one reading of {@code pg_stat_replication}. */
    Optional<Lagging> look(Result<Record> rows) {
        long now = System.nanoTime();
        lastLook = now;
        Lagging worst = null;
        long written = -1;
        long oldestReplayed = Long.MAX_VALUE;
        for (Record r : rows) {
            if (r.get("state") == null) {
                throw hidden();
            }
            Long behind = r.get("behind", Long.class);
            Long replayed = r.get("replayed", Long.class);
            written = r.get("written", Long.class);
            if (behind == null || replayed == null || behind <= 0) {
                continue;
            }
            oldestReplayed = Math.min(oldestReplayed, replayed);
            Long lagMicros = r.get("lag_us", Long.class);
            Duration lag = lagMicros == null ? Duration.ZERO : Duration.ofNanos(lagMicros * 1_000);
            Duration seen = unreplayedFor(replayed, now);
            lag = seen.compareTo(lag) > 0 ? seen : lag;
            if (lag.compareTo(bound) > 0 && (worst == null || lag.compareTo(worst.lag()) > 0)) {
                worst = new Lagging(r.get("standby", String.class), behind, lag);
            }
        }
        remember(written, oldestReplayed, now);
        return Optional.ofNullable(worst);
    }

    /** How long ago this guard first saw a WAL position beyond {@code replayed}; zero when it never did. */
    private Duration unreplayedFor(long replayed, long now) {
        for (Sample s : samples) {
            if (s.lsn() > replayed) {
                return Duration.ofNanos(now - s.nanos());
            }
        }
        return Duration.ZERO;
    }

    private void remember(long written, long oldestReplayed, long now) {
        if (written < 0) {
            samples.clear();
            return;
        }
        while (!samples.isEmpty() && samples.peekFirst().lsn() <= oldestReplayed) {
            samples.removeFirst();
        }
        if (oldestReplayed == Long.MAX_VALUE) {
            samples.clear();
        }
        // Full: keep the oldest positions, which give the larger (safer) lag.
        if (samples.size() < MAX_SAMPLES && (samples.isEmpty() || samples.peekLast().lsn() < written)) {
            samples.addLast(new Sample(written, now));
        }
    }

    static String query() {
        return QUERY;
    }

    private CutoverConfigurationException hidden() {
        return new CutoverConfigurationException("Cannot throttle the remediation of " + subject + " on replica lag: this role "
                + "sees the primary's standbys in pg_stat_replication but not their replay positions. GRANT pg_monitor TO the "
                + "role (or run as one that has it), or turn the throttle off with Remediation.builder(...).ignoreReplicaLag() "
                + "if no standby must be kept close.");
    }
}
