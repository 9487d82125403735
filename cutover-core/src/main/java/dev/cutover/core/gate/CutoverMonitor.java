package dev.cutover.core.gate;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Durations;
import dev.cutover.core.internal.Texts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the Stage A gate ({@link NullBaselineGate}) on a schedule, on one daemon thread, at a
 * <em>fixed rate</em>: evaluations start every {@link Builder#every(Duration)}, measured start
 * to start; one that takes longer delays the next, which then starts at once (missed starts
 * are skipped, never made up in a burst).
 *
 * <p>The latch is <em>shared</em> by every monitor of the cutover, on every replica and
 * across restarts: it is one row of table {@code cutover_gate} in the cutover's state schema.
 * Each evaluation locks that row, applies the rule to it, writes it back and stores its
 * observation (table {@code cutover_observation}, with the writing {@linkplain Builder#instance
 * instance}) in one transaction. So the first monitor to see a rise latches NO_GO for all,
 * every other one says NO_GO from its next evaluation on, a restarted one starts latched,
 * and one {@link #rearm()}, from any replica, releases it for all. Decisions are logged
 * through SLF4J with key-value pairs (warnings for NO_GO and UNKNOWN) and published to the
 * listeners. A probe that fails (statement timeout, lost connection) is recorded as UNKNOWN
 * with its error and the monitor keeps running; when the shared state cannot be read or
 * written the decision is never a GO, and the error is logged once, not at every evaluation.
 * A state table dropped while the monitor runs is created again. The stored observations
 * answer the Stage B question "stable at the baseline, never latched, for the last N hours"
 * ({@code PreflightChecks.nullBaselineStable}).
 *
 * <p>The tables are created when missing (which needs DDL rights); when they exist, nothing
 * but SELECT, INSERT and UPDATE is used: create them ahead with the migration role from
 * {@link dev.cutover.core.StateTables#script(String)}.
 *
 * <pre>{@code
 * try (CutoverMonitor monitor = CutoverMonitor.builder(db, cutover)
 *         .baseline(0)
 *         .every(Duration.ofMinutes(1))
 *         .instance(System.getenv("HOSTNAME"))
 *         .onDecision(decision -> {
 *             if (!decision.isGo()) {
 *                 rollout.pause(decision.reason());
 *             }
 *         })
 *         .start()) {
 *     ... // the compatibility window
 *     monitor.rearm();   // after remediation, when a NO_GO has latched: for every replica
 * }
 * }</pre>
 *
 * <p>On a scheduler of the application's (a Spring {@code TaskScheduler}, a shared
 * {@link ScheduledExecutorService}): {@link Builder#startUnscheduled()} starts the monitor
 * without its own thread, and the scheduler calls {@link #runOnce()}; {@link #close()} still
 * ends it (cancel the scheduled task first, so that it stops calling).
 *
 * <pre>{@code
 * CutoverMonitor monitor = CutoverMonitor.builder(db, cutover).baseline(0).startUnscheduled();
 * ScheduledFuture<?> task = executor.scheduleAtFixedRate(monitor::runOnce, 0, 1, TimeUnit.MINUTES);
 * ...
 * task.cancel(false);
 * monitor.close();
 * }</pre>
 */
public final class CutoverMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverMonitor.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final CancellableDataSource source;
    private final CutoverDatabase db;
    private final NotNullCutover cutover;
    private final NullBaselineGate gate;
    private final ObservationStore store;
    private final SharedLatch shared;
    private final String instance;
    private final long periodNanos;
    private final Duration every;
    private final List<Consumer<? super Decision>> listeners;
    /** The monitor's own thread; {@code null} when the application schedules {@link #runOnce()}. */
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong evaluations = new AtomicLong();
    private final ReentrantLock runLock = new ReentrantLock();
    private final Gate view = new MonitorGate(this);
    private final SharedEvaluation evaluation;
    private volatile Thread monitorThread;

    private CutoverMonitor(Builder b, boolean ownThread) {
        this.source = new CancellableDataSource(b.db.dataSource());
        CutoverDatabase.Builder own = CutoverDatabase.builder(source).probeTimeout(b.db.settings().probeTimeout());
        b.db.settings().stateSchema().ifPresent(own::stateSchema);
        this.db = own.build();
        this.cutover = b.cutover;
        this.gate = NullBaselineGate.of(db, b.cutover, b.baseline);
        this.store = ObservationStore.of(db);
        this.shared = new SharedLatch(DatabaseHandle.of(db), store);
        this.instance = b.instance != null ? b.instance : Instances.byDefault();
        this.evaluation = new SharedEvaluation(gate, store, shared, instance);
        this.every = b.every;
        this.periodNanos = b.every.toNanos();
        this.listeners = List.copyOf(b.listeners);
        this.scheduler = ownThread ? ownThread(b.cutover) : null;
    }

    private ScheduledExecutorService ownThread(NotNullCutover cutover) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "cutover-monitor " + cutover.subject());
            thread.setDaemon(true);
            monitorThread = thread;
            return thread;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        return executor;
    }

    /** Starts configuring a monitor of this cutover; {@link Builder#start()} starts it. */
    public static Builder builder(CutoverDatabase db, NotNullCutover cutover) {
        return new Builder(db, cutover);
    }

    private CutoverMonitor begin() {
        DatabaseHandle.of(db).target(cutover);
        store.ensureTable(cutover);
        NullBaselineGate.Latch open = shared.current(cutover);
        if (open != null) {
            gate.adopt(open);
            LOG.atWarn().addKeyValue("target", cutover.subject()).addKeyValue("latchedAt", open.at())
                    .addKeyValue("peak", open.peak()).addKeyValue("instance", instance)
                    .log("{} is NO_GO, latched since {} (count {}, peak {}) in {}: pause rollout and remediate before "
                                    + "Stage B, then rearm()", cutover.subject(), Texts.instant(open.at()), open.count(),
                            open.peak(), shared.displayTable(cutover));
        }
        if (scheduler == null) {
            LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("baseline", gate.baseline())
                    .addKeyValue("table", store.displayTable(cutover)).addKeyValue("instance", instance)
                    .log("Monitoring NULLs of {} on the application's scheduler (baseline {}), observations in {}, as instance {}",
                            cutover.subject(), gate.baseline(), store.displayTable(cutover), instance);
            return this;
        }
        LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("baseline", gate.baseline())
                .addKeyValue("every", every).addKeyValue("table", store.displayTable(cutover)).addKeyValue("instance", instance)
                .log("Monitoring NULLs of {} every {} at a fixed rate (baseline {}), observations in {}, as instance {}",
                        cutover.subject(), Texts.duration(every), gate.baseline(), store.displayTable(cutover), instance);
        long start = System.nanoTime();
        scheduler.schedule(() -> tick(start), 0, TimeUnit.NANOSECONDS);
        return this;
    }

    /** One scheduled evaluation, then the next at {@code planned + every}, or at once when that has passed. */
    private void tick(long planned) {
        if (closed.get()) {
            return;
        }
        scheduledRun();
        long now = System.nanoTime();
        long next = planned + periodNanos;
        if (next - now < 0) {
            next = now;
        }
        long at = next;
        try {
            scheduler.schedule(() -> tick(at), at - now, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // Closed meanwhile.
        }
    }

    /**
     * One evaluation, for a scheduler of the application's ({@link Builder#startUnscheduled()}):
     * like {@link #evaluateNow()} it stores, logs and publishes the decision, and waits for an
     * evaluation in progress, but it never throws (a failure is logged) and does nothing once
     * the monitor is closed, so it can be handed to any scheduler as a {@link Runnable}.
     *
     * <pre>{@code
     * taskScheduler.scheduleAtFixedRate(monitor::runOnce, Duration.ofMinutes(1));
     * }</pre>
     *
     * @return the decision; empty when the monitor is closed or the evaluation failed unexpectedly
     */
    public Optional<Decision> runOnce() {
        return scheduledRun();
    }

    private Optional<Decision> scheduledRun() {
        try {
            return run();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            // Nothing should get here; the schedule would end.
            LOG.atError().addKeyValue("target", cutover.subject()).setCause(e)
                    .log("Monitor evaluation of {} failed unexpectedly; it keeps running", cutover.subject());
            return Optional.empty();
        }
    }

    /**
     * Evaluates once now, on the calling thread, exactly as a scheduled run does: the decision
     * is stored, logged and published to the listeners. Waits for a scheduled run in progress.
     *
     * @throws IllegalStateException when the monitor was closed
     */
    public Decision evaluateNow() {
        return run().orElseThrow(this::closedException);
    }

    private IllegalStateException closedException() {
        return new IllegalStateException("The monitor of " + cutover.subject() + " is closed; build and start a new one");
    }

    /** One at a time, so observations are stored in the order of the decisions. Empty when closed. */
    private Optional<Decision> run() {
        runLock.lock();
        try {
            return closed.get() ? Optional.empty() : runLocked();
        } finally {
            runLock.unlock();
        }
    }

    private Optional<Decision> runLocked() {
        NullBaselineGate.Probed probed = gate.probe();
        if (closed.get()) {
            return Optional.empty();
        }
        NullBaselineGate.Step step = evaluation.evaluate(probed, closed::get);
        if (step == null || closed.get()) {
            return Optional.empty();
        }
        gate.adopt(step);
        gate.logLatched(step);
        evaluations.incrementAndGet();
        Decision decision = step.decision();
        evaluation.log(decision);
        publish(decision);
        return Optional.of(decision);
    }

    private void publish(Decision decision) {
        for (Consumer<? super Decision> listener : listeners) {
            if (closed.get()) {
                return;
            }
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
    }

    /**
     * Releases the shared NO_GO latch after remediation, for every monitor of the cutover on
     * every replica (see {@link Gate#rearm()}); stored at once. The next evaluation of each
     * decides afresh, and latches again if the count is still above the baseline.
     *
     * @throws dev.cutover.core.CutoverDatabaseException when the shared state cannot be written; the latch then stays
     */
    public void rearm() {
        Optional<NullBaselineGate.Latch> released = shared.rearm(cutover, instance);
        gate.rearm();
        released.ifPresent(l -> LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("instance", instance)
                .addKeyValue("latchedAt", l.at()).addKeyValue("peak", l.peak())
                .log("Shared gate of {} re-armed by {} (was NO_GO since {}, peak {}) for every monitor", cutover.subject(),
                        instance, Texts.instant(l.at()), l.peak()));
    }

    /** The most recent decision, if there was one. */
    public Optional<Decision> last() {
        return gate.last();
    }

    /**
     * The gate this monitor runs, as a {@link Gate}: {@code evaluate()} is {@link #evaluateNow()},
     * {@code rearm()} is {@link #rearm()} (the shared latch).
     */
    public Gate gate() {
        return view;
    }

    /** The cutover watched. */
    public NotNullCutover cutover() {
        return cutover;
    }

    /** The name this monitor writes into its observations ({@link Builder#instance(String)}). */
    public String instance() {
        return instance;
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
     * Stops the schedule and cancels a running evaluation (its statement is cancelled on the
     * server); nothing is stored or published after this returns, and {@link #runOnce()} does
     * nothing. Waits up to 5 seconds for the evaluation to end, and not at all when called from
     * a listener (on the thread evaluating). An application's scheduler is left running.
     * Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (scheduler != null) {
            scheduler.shutdown();
        }
        source.close();
        boolean own = runLock.isHeldByCurrentThread() || Thread.currentThread() == monitorThread;
        if (!own) {
            awaitRunEnd();
        }
        LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("evaluations", evaluations.get())
                .log("Stopped monitoring {} after {} evaluations", cutover.subject(), evaluations.get());
    }

    private void awaitRunEnd() {
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        try {
            while (!runLock.tryLock(100, TimeUnit.MILLISECONDS)) {
                source.cancelRunning();
                if (System.nanoTime() - deadline > 0) {
                    LOG.atWarn().addKeyValue("target", cutover.subject()).log("An evaluation of {} did not end within {} of "
                            + "close(); it stores and publishes nothing", cutover.subject(), Texts.duration(CLOSE_WAIT));
                    shutdownNow();
                    return;
                }
            }
            runLock.unlock();
            if (scheduler != null && !scheduler.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void shutdownNow() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "CutoverMonitor[" + cutover.subject() + ", baseline " + gate.baseline() + ", every " + Texts.duration(every)
                + ", instance " + instance + (isRunning() ? "" : ", closed") + "]";
    }

    /** Configures a {@link CutoverMonitor}; each setter checks its argument at once. */
    public static final class Builder {
        private static final Duration MIN_EVERY = Duration.ofMillis(10);
        private static final Duration MAX_EVERY = Duration.ofDays(1);

        private final CutoverDatabase db;
        private final NotNullCutover cutover;
        private long baseline;
        private Duration every = Duration.ofMinutes(1);
        private String instance;
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

        /**
         * The rate of evaluations, start to start (a fixed rate, not a delay after each one);
         * default one minute, at least 10 ms. An evaluation that takes longer delays the next,
         * which then starts at once; missed starts are not made up.
         */
        public Builder every(Duration interval) {
            this.every = Durations.require("every", interval, MIN_EVERY, MAX_EVERY);
            return this;
        }

        /**
         * The name written with every observation of this monitor, e.g. the pod's name, so that
         * it shows which replica observed what; default {@code <pid>@<host>/<8 hex digits>}.
         *
         * @throws CutoverConfigurationException when blank or longer than 200 characters
         */
        public Builder instance(String name) {
            this.instance = Instances.require(name);
            return this;
        }

        /** Adds a listener called with every decision, on the thread evaluating; one that throws is logged and skipped. */
        public Builder onDecision(Consumer<? super Decision> listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Checks the cutover against the catalog, creates the state tables if missing (and runs
         * no DDL when they exist), takes over the shared latch when it is latched (a restart
         * does not release it; only {@link CutoverMonitor#rearm()} does), and starts evaluating
         * at once, then every {@link #every(Duration)}.
         *
         * @throws CutoverConfigurationException when the cutover's table or column does not exist
         * @throws dev.cutover.core.CutoverDatabaseException when the database cannot be reached, or the state tables
         *                                                   are missing and cannot be created
         */
        public CutoverMonitor start() {
            return new CutoverMonitor(this, true).begin();
        }

        /**
         * Starts the monitor as {@link #start()} does (the same checks, state tables and shared
         * latch) but without a thread or a schedule of its own: the application's scheduler
         * calls {@link CutoverMonitor#runOnce()}, at the rate it chooses ({@link #every(Duration)}
         * is then only reported). Nothing is evaluated until the first call.
         *
         * <pre>{@code
         * CutoverMonitor monitor = CutoverMonitor.builder(db, cutover).startUnscheduled();
         * ScheduledFuture<?> task = taskScheduler.scheduleAtFixedRate(monitor::runOnce, Duration.ofMinutes(1));
         * }</pre>
         *
         * @throws CutoverConfigurationException when the cutover's table or column does not exist
         * @throws dev.cutover.core.CutoverDatabaseException when the database cannot be reached, or the state tables
         *                                                   are missing and cannot be created
         */
        public CutoverMonitor startUnscheduled() {
            return new CutoverMonitor(this, false).begin();
        }
    }
}
