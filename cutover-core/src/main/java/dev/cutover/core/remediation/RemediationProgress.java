package dev.cutover.core.remediation;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * A snapshot of a running {@link RemediationRun}, cheap to take from any thread. The counts
 * are those the report will hold: once the run is {@link State#DONE}, {@code assigned},
 * {@code skipped}, {@code batches} and {@code retries} equal the {@link RemediationReport}'s.
 *
 * <pre>{@code
 * RemediationRun run = remediation.start();
 * RemediationProgress p = run.progress();
 * System.out.printf("%s: %d assigned, %d batches, %d rows/s%n", p.state(), p.assigned(), p.batches(), p.rowsPerSecond());
 * }</pre>
 *
 * @param runId           the run's id in the journal
 * @param state           what the run is doing now
 * @param assigned        rows set so far under this run id (a resumed run counts what the journal held when it resumed)
 * @param skipped         rows the policy skipped in the current (or last) round
 * @param batches         batch transactions committed by this process
 * @param retries         batch attempts that failed and were retried
 * @param nullRowsAtStart NULL rows when the run started: exact when the column has its partial NULL index, else
 *                        the planner's estimate ({@code reltuples} times {@code null_frac}); empty when the table
 *                        has no statistics
 * @param elapsed         wall time since the run started in this process
 * @param rowsPerSecond   rows assigned by this process per second of {@code elapsed}
 */
public record RemediationProgress(UUID runId, State state, long assigned, long skipped, long batches, long retries,
                                  OptionalLong nullRowsAtStart, Duration elapsed, long rowsPerSecond) {

    public RemediationProgress {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(nullRowsAtStart, "nullRowsAtStart");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** What a run is doing. */
    public enum State {
        /** Running batches (or about to). */
        RUNNING,
        /** Waiting for a standby to catch up ({@link Remediation.Builder#maxReplicaLag}); no connection held. */
        THROTTLED,
        /** Paused by {@link RemediationRun#pause()}; no connection and no transaction held. */
        PAUSED,
        /** {@link RemediationRun#cancel()} was called; the run stops after the batch it is in. */
        CANCELLING,
        /** The run ended; {@link RemediationRun#await()} returns (or throws) at once. */
        DONE
    }

    @Override
    public String toString() {
        return "RemediationProgress[run " + runId + ": " + state + ", assigned " + assigned + ", skipped " + skipped + ", "
                + batches + " batches, " + retries + " retries"
                + (nullRowsAtStart.isPresent() ? ", " + nullRowsAtStart.getAsLong() + " NULL rows at start" : "") + ", "
                + elapsed.toMillis() + " ms, " + rowsPerSecond + " rows/s]";
    }
}
