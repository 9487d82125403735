package dev.cutover.cli;

import dev.cutover.core.remediation.RemediationEvent;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ctrl-C during a remediation stops it after the batch in flight: every batch commits on its
 * own, so the table is left between two batches and running the same command again goes on
 * with the rows still NULL (remediation only ever sets NULLs, so no row is done twice).
 *
 * <p>The remediation API runs to its end with no way to cancel it, so on SIGINT the shutdown
 * hook asks this listener to hold the remediation's thread at the next batch boundary (after
 * the batch's commit, before the next batch starts), prints what to run next, and lets the JVM
 * exit. This class is the one place to change when the remediation has a handle with cancel().
 */
final class StopAfterBatch implements AutoCloseable {

    private static final long MAX_WAIT_SECONDS = 120;

    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final CountDownLatch atBoundary = new CountDownLatch(1);
    private final AtomicReference<RemediationEvent.BatchDone> lastBatch = new AtomicReference<>();
    private final Thread hook;

    /**
     * @param onStop what to print once the remediation is held; given the last batch done, or
     *               {@code null} when no batch had finished
     */
    StopAfterBatch(java.util.function.Consumer<RemediationEvent.BatchDone> onStop) {
        this.hook = new Thread(() -> {
            stopRequested.set(true);
            try {
                atBoundary.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            onStop.accept(lastBatch.get());
        }, "cutover-stop-after-batch");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The remediation's listener: records each batch and holds the thread when a stop was asked for. */
    void on(RemediationEvent event) {
        if (event instanceof RemediationEvent.BatchDone b) {
            lastBatch.set(b);
        }
        if (event instanceof RemediationEvent.Finished) {
            atBoundary.countDown();
            return;
        }
        if (event instanceof RemediationEvent.BatchDone && stopRequested.get()) {
            atBoundary.countDown();
            while (true) {
                try {
                    // The JVM is shutting down; this thread must not start another batch.
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    // keep holding
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs
        }
    }
}
