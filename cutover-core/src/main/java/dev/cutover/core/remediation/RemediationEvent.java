package dev.cutover.core.remediation;

import java.time.Duration;
import java.util.UUID;

/**
 * What a running {@link Remediation} tells its listeners, in order: a {@link BatchDone} per
 * committed batch (after any {@link BatchRetry}), a {@link RoundDone} per pass, one {@link Finished};
 * between batches, {@link Paused} and {@link Resumed} when the run's handle asks for them, and
 * {@link ReplicaLagThrottled} while a standby is too far behind.
 *
 * <pre>{@code
 * Remediation.builder(db, cutover)
 *     .policy(policy)
 *     .onEvent(event -> {
 *         if (event instanceof RemediationEvent.BatchDone batch) {
 *             progress.add(batch.assigned());
 *         }
 *     })
 *     .build().run();
 * }</pre>
 *
 * Listeners run on the remediation's thread, between batches; an exception from a listener is
 * logged and ignored.
 */
public sealed interface RemediationEvent {

    /** The run this event belongs to. */
    UUID runId();

    /**
     * A batch transaction committed (in a dry run: a batch was decided).
     *
     * @param round    the round, from 1
     * @param batch    the batch within the run, from 1
     * @param rows     NULL rows read
     * @param assigned rows set
     * @param skipped  rows the policy skipped
     * @param attempts transactions it took (1 without retries)
     * @param took     wall time of the successful attempt's transaction
     */
    record BatchDone(UUID runId, int round, long batch, int rows, int assigned, int skipped, int attempts, Duration took)
            implements RemediationEvent {
    }

    /**
     * A batch transaction failed with a transient error and will be tried again, in a new
     * transaction, after {@code backoff}.
     *
     * @param batch    the batch within the run, from 1
     * @param attempt  the attempt that failed, from 1
     * @param sqlState the SQLSTATE of the failure, e.g. {@code 55P03} for a lock timeout
     * @param backoff  the wait before the next attempt
     */
    record BatchRetry(UUID runId, long batch, int attempt, String sqlState, Duration backoff) implements RemediationEvent {
    }

    /**
     * A pass over the NULL rows ended.
     *
     * @param round     the round, from 1
     * @param assigned  rows set in this round
     * @param skipped   rows skipped in this round
     * @param remaining NULL rows counted after the round
     * @param took      wall time of the round
     */
    record RoundDone(UUID runId, int round, long assigned, long skipped, long remaining, Duration took)
            implements RemediationEvent {
    }

    /** The run ended; the report is what {@link Remediation#run()} returns. */
    record Finished(UUID runId, RemediationReport report) implements RemediationEvent {
    }

    /**
     * The run is paused ({@link RemediationRun#pause()}), between batches, holding no connection.
     *
     * @param batches batch transactions committed so far
     */
    record Paused(UUID runId, long batches) implements RemediationEvent {
    }

    /** The paused run goes on ({@link RemediationRun#resume()}). */
    record Resumed(UUID runId) implements RemediationEvent {
    }

    /**
     * Before a batch, a standby was found further behind than {@code maxReplicaLag}: the run
     * waits, holding no connection, and looks again after {@code recheck}. Published at each
     * look while the standby stays behind.
     *
     * @param standby     the standby's {@code application_name} in {@code pg_stat_replication}
     * @param replayBytes WAL bytes the standby has not replayed
     * @param lag         how far behind it is: PostgreSQL's {@code replay_lag}, or, when that is
     *                    older, the time since the oldest WAL it has not replayed was written
     *                    (as this run saw the primary's WAL position)
     * @param bound       the run's {@code maxReplicaLag}
     * @param recheck     the wait before the next look
     */
    record ReplicaLagThrottled(UUID runId, String standby, long replayBytes, Duration lag, Duration bound, Duration recheck)
            implements RemediationEvent {
    }
}
