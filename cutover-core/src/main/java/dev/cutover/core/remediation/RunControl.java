package dev.cutover.core.remediation;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * What a run's handle and its thread share: the requests (pause, cancel) and the progress.
 * The handle's threads write requests and read the snapshot; the run's thread reads requests
 * between batches and publishes its counts. One monitor guards everything.
 */
final class RunControl {

    private final UUID runId;
    private final long startNanos = System.nanoTime();
    private boolean pauseRequested;
    private RemediationReport.Outcome stop;
    private RemediationProgress.State state = RemediationProgress.State.RUNNING;
    private long assigned;
    private long assignedHere;
    private long skipped;
    private long batches;
    private long retries;
    private OptionalLong nullRowsAtStart = OptionalLong.empty();

    RunControl(UUID runId) {
        this.runId = runId;
    }

    UUID runId() {
        return runId;
    }

    synchronized void pause() {
        if (state != RemediationProgress.State.DONE && stop == null) {
            pauseRequested = true;
        }
    }

    synchronized void resume() {
        pauseRequested = false;
        notifyAll();
    }

    /** Asks the run to stop after the batch it is in, with {@code outcome}; the first request wins. */
    synchronized void stop(RemediationReport.Outcome outcome) {
        if (state == RemediationProgress.State.DONE) {
            return;
        }
        if (stop == null) {
            stop = outcome;
        }
        state = RemediationProgress.State.CANCELLING;
        notifyAll();
    }

    /** The outcome a stop request asked for, or {@code null} when the run may go on. */
    synchronized RemediationReport.Outcome stopRequested() {
        return stop;
    }

    synchronized boolean pauseRequested() {
        return pauseRequested && stop == null;
    }

    /** Waits until resumed or stopped; the state is {@code PAUSED} meanwhile. */
    synchronized void waitWhilePaused() throws InterruptedException {
        if (!pauseRequested()) {
            return;
        }
        state = RemediationProgress.State.PAUSED;
        while (pauseRequested()) {
            wait();
        }
        if (stop == null) {
            state = RemediationProgress.State.RUNNING;
        }
    }

    /** Marks the run paused before the event saying so is published, so that a listener sees it paused. */
    synchronized void enterPause() {
        if (pauseRequested()) {
            state = RemediationProgress.State.PAUSED;
        }
    }

    /** Waits {@code time}, or less when a pause, resume or stop is requested; the state is {@code THROTTLED} meanwhile. */
    synchronized void throttle(Duration time) throws InterruptedException {
        if (stop != null) {
            return;
        }
        state = RemediationProgress.State.THROTTLED;
        long until = System.nanoTime() + time.toNanos();
        long left;
        while (stop == null && !pauseRequested && (left = until - System.nanoTime()) > 0) {
            wait(Math.max(1, left / 1_000_000));
        }
    }

    synchronized void markThrottled() {
        if (stop == null) {
            state = RemediationProgress.State.THROTTLED;
        }
    }

    synchronized void running() {
        if (stop == null && state != RemediationProgress.State.DONE) {
            state = RemediationProgress.State.RUNNING;
        }
    }

    synchronized void started(long assignedBefore, OptionalLong nullRows) {
        this.assigned = assignedBefore;
        this.nullRowsAtStart = nullRows;
    }

    synchronized void counted(long assignedInBatch, long skippedInRound, long batchesSoFar, long retriesSoFar) {
        assigned += assignedInBatch;
        assignedHere += assignedInBatch;
        skipped = skippedInRound;
        batches = batchesSoFar;
        retries = retriesSoFar;
    }

    /** The run ended: the counts become the report's. */
    synchronized void done(RemediationReport report, long assignedBefore) {
        if (report != null) {
            assignedHere = Math.max(0, report.assigned() - assignedBefore);
            assigned = report.assigned();
            skipped = report.skipped();
            batches = report.batches();
            retries = report.retries();
        }
        state = RemediationProgress.State.DONE;
        pauseRequested = false;
        notifyAll();
    }

    synchronized RemediationProgress snapshot() {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        long rate = assignedHere * 1_000_000_000L / Math.max(1, elapsed.toNanos());
        return new RemediationProgress(runId, state, assigned, skipped, batches, retries, nullRowsAtStart, elapsed, rate);
    }
}
