package dev.cutover.core.gate;

import dev.cutover.core.internal.Durations;
import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Texts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Runs the Stage A gate ({@link NullBaselineGate}) on a schedule, on one daemon thread.
 * Every evaluation is stored as a row of table {@code cutover_observation} in the cutover's
 * state schema (created if missing), logged through SLF4J with key-value pairs (warnings for
 * NO_GO and UNKNOWN), and published to the listeners. A probe that fails (statement timeout,
 * lost connection) is recorded as UNKNOWN with its error and the monitor keeps running; so it
 * does when an observation cannot be written or a listener throws. The stored observations
 * answer the Stage B question "stable at the baseline for the last N hours"
 * ({@code PreflightChecks.nullBaselineStable}). A NO_GO survives a restart: when the newest
 * stored observations are latched, a new monitor starts latched until {@link #rearm()}.
 *
 * <pre>{@code
 * try (CutoverMonitor monitor = CutoverMonitor.builder(db, cutover)
 *         .baseline(0)
 *         .every(Duration.ofMinutes(1))
 *         .onDecision(decision -> {
 *             if (!decision.isGo()) {
 *                 rollout.pause(decision.reason());
 *             }
 *         })
 *         .start()) {
 *     ... // the compatibility window
 *     monitor.rearm();   // after remediation, when a NO_GO has latched
 * }
 * }</pre>
 */
public final class CutoverMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverMonitor.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final CutoverDatabase db;
    private final NotNullCutover cutover;
    private final NullBaselineGate gate;
    private final ObservationStore store;
    private final Duration every;
    private final List<Consumer<? super Decision>> listeners;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong evaluations = new AtomicLong();
    private final Object runLock = new Object();
    private volatile Verdict lastVerdict;

    private CutoverMonitor(Builder b) {
        this.db = b.db;
        this.cutover = b.cutover;
        this.gate = NullBaselineGate.of(b.db, b.cutover, b.baseline);
        this.store = ObservationStore.of(b.db);
        this.every = b.every;
        this.listeners = List.copyOf(b.listeners);
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "cutover-monitor " + b.cutover.subject());
            thread.setDaemon(true);
            return thread;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        this.scheduler = executor;
    }

    /** Starts configuring a monitor of this cutover; {@link Builder#start()} starts it. */
    public static Builder builder(CutoverDatabase db, NotNullCutover cutover) {
        return new Builder(db, cutover);
    }

    private CutoverMonitor begin() {
        DatabaseHandle.of(db).target(cutover);
        store.ensureTable(cutover);
        store.openLatch(cutover).ifPresent(open -> {
            if (gate.resume(open.since(), open.count(), open.peak())) {
                LOG.atWarn().addKeyValue("target", cutover.subject()).addKeyValue("latchedAt", open.since())
                        .addKeyValue("peak", open.peak())
                        .log("{} is still NO_GO, latched since {} (count {}, peak {}) by an earlier monitor: "
                                + "pause rollout and remediate before Stage B, then rearm()", cutover.subject(),
                                Texts.instant(open.since()), open.count(), open.peak());
            }
        });
        LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("baseline", gate.baseline())
                .addKeyValue("every", every).addKeyValue("table", store.displayTable(cutover))
                .log("Monitoring NULLs of {} every {} (baseline {}), observations in {}", cutover.subject(),
                        Texts.duration(every), gate.baseline(), store.displayTable(cutover));
        scheduler.scheduleWithFixedDelay(this::scheduledRun, 0, every.toNanos(), TimeUnit.NANOSECONDS);
        return this;
    }

    private void scheduledRun() {
        if (closed.get()) {
            return;
        }
        try {
            run();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            // Nothing should get here; a periodic task that throws would never run again.
            LOG.atError().addKeyValue("target", cutover.subject()).setCause(e)
                    .log("Monitor evaluation of {} failed unexpectedly; it keeps running", cutover.subject());
        }
    }

    /**
     * Evaluates once now, on the calling thread, exactly as a scheduled run does: the decision
     * is stored, logged and published to the listeners. Waits for a scheduled run in progress.
     *
     * @throws IllegalStateException when the monitor was closed
     */
    public Decision evaluateNow() {
        if (closed.get()) {
            throw new IllegalStateException("The monitor of " + cutover.subject() + " is closed; build and start a new one");
        }
        return run();
    }

    /** One at a time, so observations are stored in the order of the decisions (a restart reads the newest). */
    private Decision run() {
        synchronized (runLock) {
            return runLocked();
        }
    }

    private Decision runLocked() {
        Decision decision = gate.evaluate();
        evaluations.incrementAndGet();
        try {
            store.record(cutover, decision);
        } catch (RuntimeException e) {
            LOG.atError().addKeyValue("target", cutover.subject()).addKeyValue("verdict", decision.verdict())
                    .addKeyValue("table", store.displayTable(cutover)).setCause(e)
                    .log("Could not store the observation of {} in {} ({}); the monitor keeps running", cutover.subject(),
                            store.displayTable(cutover), Texts.message(e));
        }
        log(decision);
        for (Consumer<? super Decision> listener : listeners) {
            try {
                listener.accept(decision);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                LOG.atError().addKeyValue("target", cutover.subject()).addKeyValue("listener", listener).setCause(e)
                        .log("A decision listener of the monitor of {} threw {}; the monitor keeps running", cutover.subject(),
                                e.getClass().getName());
            }
        }
        return decision;
    }

    private void log(Decision decision) {
        Verdict previous = lastVerdict;
        lastVerdict = decision.verdict();
        Level level = switch (decision.verdict()) {
            case NO_GO, UNKNOWN -> Level.WARN;
            case GO -> previous == Verdict.GO ? Level.DEBUG : Level.INFO;
        };
        var event = LOG.atLevel(level).addKeyValue("target", decision.target()).addKeyValue("verdict", decision.verdict())
                .addKeyValue("nullCount", decision.nullCount().isPresent() ? decision.nullCount().getAsLong() : null)
                .addKeyValue("baseline", decision.baseline()).addKeyValue("latched", decision.latched());
        if (decision.error().isPresent()) {
            event = event.addKeyValue("error", decision.error().get());
        }
        event.log("{}: {}", decision.verdict(), decision.reason());
    }

    /**
     * Releases a latched NO_GO after remediation (see {@link Gate#rearm()}). The release is
     * stored with the next evaluation; a monitor restarted before that starts latched again.
     */
    public void rearm() {
        gate.rearm();
    }

    /** The most recent decision, if there was one. */
    public Optional<Decision> last() {
        return gate.last();
    }

    /** The gate this monitor runs. */
    public Gate gate() {
        return gate;
    }

    /** The cutover watched. */
    public NotNullCutover cutover() {
        return cutover;
    }

    /** How many evaluations ran so far, scheduled and {@link #evaluateNow()}. */
    public long evaluations() {
        return evaluations.get();
    }

    /** Whether the monitor runs (started and not closed). */
    public boolean isRunning() {
        return !closed.get();
    }

    /**
     * Stops the schedule and waits up to 5 seconds for a running evaluation to finish (then
     * interrupts it). Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                scheduler.shutdownNow();
                scheduler.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
        LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("evaluations", evaluations.get())
                .log("Stopped monitoring {} after {} evaluations", cutover.subject(), evaluations.get());
    }

    @Override
    public String toString() {
        return "CutoverMonitor[" + cutover.subject() + ", baseline " + gate.baseline() + ", every " + Texts.duration(every)
                + (isRunning() ? "" : ", closed") + "]";
    }

    /** Configures a {@link CutoverMonitor}; each setter checks its argument at once. */
    public static final class Builder {
        private static final Duration MIN_EVERY = Duration.ofMillis(10);
        private static final Duration MAX_EVERY = Duration.ofDays(1);

        private final CutoverDatabase db;
        private final NotNullCutover cutover;
        private long baseline;
        private Duration every = Duration.ofMinutes(1);
        private final List<Consumer<? super Decision>> listeners = new ArrayList<>();

        private Builder(CutoverDatabase db, NotNullCutover cutover) {
            this.db = Objects.requireNonNull(db, "db");
            this.cutover = Objects.requireNonNull(cutover, "cutover");
        }

        /** The NULL count tolerated (the runbook: the count when the compatibility window opened); default 0. */
        public Builder baseline(long baseline) {
            this.baseline = NullBaselineGate.checkBaseline(baseline);
            return this;
        }

        /** Time between the end of one evaluation and the start of the next; default one minute, at least 10 ms. */
        public Builder every(Duration interval) {
            this.every = Durations.require("every", interval, MIN_EVERY, MAX_EVERY);
            return this;
        }

        /** Adds a listener called with every decision, on the monitor's thread; one that throws is logged and skipped. */
        public Builder onDecision(Consumer<? super Decision> listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Checks the cutover against the catalog, creates the observation table if missing,
         * takes over a NO_GO latch that the newest stored observations still show (a restart
         * does not release it; only {@link CutoverMonitor#rearm()} does), and starts evaluating
         * at once, then every {@link #every(Duration)}.
         *
         * @throws CutoverConfigurationException when the cutover's table or column does not exist
         * @throws dev.cutover.core.CutoverDatabaseException when the database cannot be reached
         */
        public CutoverMonitor start() {
            return new CutoverMonitor(this).begin();
        }
    }
}
