package dev.cutover.core.remediation;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A remediation running on its own thread (a daemon named {@code cutover remediation <run id>}),
 * as {@link Remediation#start()} returns it: watch its {@linkplain #progress() progress},
 * {@linkplain #pause() pause} and {@linkplain #resume() resume} it, {@linkplain #cancel() cancel} it,
 * and {@linkplain #await() wait} for its report.
 *
 * <pre>{@code
 * RemediationRun run = Remediation.builder(db, cutover).policy(policy).build().start();
 * log.info("remediation {} started", run.runId());
 * run.pause();                        // takes effect after the batch in flight; no connection is held while paused
 * run.resume();
 * run.cancel();                       // stops after the batch in flight
 * RemediationReport report = run.await();   // outcome CANCELLED, counts as the journal has them
 * }</pre>
 *
 * <p>Requests take effect between batches: a batch in flight always commits (or fails) whole.
 * A paused or throttled run holds no connection and no transaction. If the JVM ends while the
 * run's thread is in a batch, that batch's transaction is rolled back by the server and the
 * run can be continued with {@link Remediation.Builder#resume(UUID)}.
 */
public final class RemediationRun {

    private final RunControl control;
    private final CompletableFuture<RemediationReport> result = new CompletableFuture<>();

    private RemediationRun(RunControl control) {
        this.control = control;
    }

    /** Starts {@code engine} on a new daemon thread. */
    static RemediationRun start(RemediationEngine engine) {
        RemediationRun run = new RemediationRun(engine.control());
        Thread thread = new Thread(() -> {
            try {
                run.result.complete(engine.run());
            } catch (Throwable e) {
                run.control.done(null, 0);
                run.result.completeExceptionally(e);
            }
        }, "cutover remediation " + engine.control().runId());
        thread.setDaemon(true);
        thread.start();
        return run;
    }

    /** {@return the run's id, as the journal and {@link RemediationReport#runId()} have it} */
    public UUID runId() {
        return control.runId();
    }

    /** {@return what the run has done so far; once it is {@code DONE}, the counts are the report's} */
    public RemediationProgress progress() {
        return control.snapshot();
    }

    /**
     * Pauses the run after the batch in flight: it then closes its connection and waits, holding
     * no connection and no transaction, until {@link #resume()} or {@link #cancel()}. Publishes
     * {@link RemediationEvent.Paused} when it is paused. Does nothing on a run that ended.
     */
    public void pause() {
        control.pause();
    }

    /** Lets a paused run go on ({@link RemediationEvent.Resumed}); does nothing on a run that is not paused. */
    public void resume() {
        control.resume();
    }

    /**
     * Stops the run after the batch in flight (a paused or throttled run stops at once). Its
     * report's outcome is {@link RemediationReport.Outcome#CANCELLED}; the rows assigned so far
     * stay, journaled under {@link #runId()}, and {@link Remediation.Builder#resume(UUID)} can go on.
     */
    public void cancel() {
        control.stop(RemediationReport.Outcome.CANCELLED);
    }

    /** {@return whether the run has ended, with a report or a failure} */
    public boolean isDone() {
        return result.isDone();
    }

    /**
     * Waits for the run to end and returns its report. Interrupting the waiting thread stops the
     * run after its batch (outcome {@link RemediationReport.Outcome#INTERRUPTED}); this method
     * then still waits for that report, returns it and leaves the thread's interrupt flag set.
     *
     * @throws dev.cutover.core.CutoverDatabaseException as {@link Remediation#run()} does
     * @throws RemediationException when the policy threw
     */
    public RemediationReport await() {
        try {
            return result.get();
        } catch (InterruptedException e) {
            control.stop(RemediationReport.Outcome.INTERRUPTED);
            return awaitUninterruptibly();
        } catch (ExecutionException e) {
            throw rethrown(e.getCause());
        }
    }

    /**
     * Waits at most {@code timeout} for the report; empty when the run is still going. An
     * interrupt stops the run as {@link #await()} describes.
     */
    public Optional<RemediationReport> await(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        try {
            return Optional.of(result.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            control.stop(RemediationReport.Outcome.INTERRUPTED);
            return Optional.of(awaitUninterruptibly());
        } catch (ExecutionException e) {
            throw rethrown(e.getCause());
        }
    }

    private RemediationReport awaitUninterruptibly() {
        boolean interrupted = true;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException again) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw rethrown(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static RuntimeException rethrown(Throwable cause) {
        if (cause instanceof RuntimeException r) {
            return r;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new IllegalStateException("The remediation failed: " + cause, cause);
    }

    @Override
    public String toString() {
        return "RemediationRun[" + progress() + "]";
    }
}
