package dev.cutover.cli;

import dev.cutover.core.remediation.RemediationRun;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ctrl-C during a remediation stops it after the batch in flight: the shutdown hook cancels the
 * run through its handle ({@link RemediationRun#cancel()}), which takes effect between two
 * batches, and then waits until the command has printed its summary and the command that goes
 * on ({@code cutover resume RUN_ID ...}). Every batch commits on its own, so the table is left
 * between two batches and the resumed run goes on with the rows still NULL.
 */
final class StopAfterBatch implements AutoCloseable {

    private static final long MAX_WAIT_SECONDS = 120;

    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final AtomicReference<RemediationRun> run = new AtomicReference<>();
    private final CountDownLatch reported = new CountDownLatch(1);
    private final Thread hook;

    StopAfterBatch() {
        this.hook = new Thread(() -> {
            stopRequested.set(true);
            RemediationRun r = run.get();
            if (r != null) {
                r.cancel();
            }
            try {
                reported.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "cutover-stop-after-batch");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The run to cancel on Ctrl-C; cancelled at once when Ctrl-C came before it started. */
    void attach(RemediationRun remediationRun) {
        run.set(remediationRun);
        if (stopRequested.get()) {
            remediationRun.cancel();
        }
    }

    /** {@return whether Ctrl-C (or another signal that shuts the JVM down) asked the run to stop} */
    boolean stopRequested() {
        return stopRequested.get();
    }

    /** Lets the JVM finish shutting down: what was to be printed is printed. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs and waits for this
        }
        reported.countDown();
    }
}
