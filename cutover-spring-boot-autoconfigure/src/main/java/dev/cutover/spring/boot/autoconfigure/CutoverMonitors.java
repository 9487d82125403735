package dev.cutover.spring.boot.autoconfigure;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverException;
import dev.cutover.core.gate.CutoverMonitor;
import dev.cutover.core.gate.Decision;
import dev.cutover.spring.boot.autoconfigure.ConfiguredCutovers.ConfiguredCutover;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The Stage A monitors of the configured cutovers ({@code cutover.monitor.enabled=true}): started
 * once the application context has started, so after Flyway migrated, and closed with the context.
 * They run on Spring's task scheduler: the application's {@link TaskScheduler} bean (the one
 * Spring Boot configures with {@code @EnableScheduling}, {@code spring.task.scheduling.*}) when
 * there is exactly one, else a scheduler of one daemon thread ({@code cutover-monitor-1}) that
 * lives and ends with them. Every {@code cutover.monitor.every} each monitor evaluates once
 * ({@link CutoverMonitor#runOnce()}); a start that comes late after a long evaluation is skipped,
 * not made up. Their decisions feed {@code cutover.nulls}, the gate's verdict, the health
 * indicator and the {@code cutover} endpoint.
 */
public final class CutoverMonitors implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverMonitors.class);

    private final CutoverDatabase db;
    private final ConfiguredCutovers cutovers;
    private final Duration every;
    private final Consumer<Decision> listener;
    private final TaskScheduler applicationScheduler;
    private final Map<String, CutoverMonitor> running = new ConcurrentHashMap<>();
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private ThreadPoolTaskScheduler own;
    private volatile boolean started;

    CutoverMonitors(CutoverDatabase db, ConfiguredCutovers cutovers, Duration every, Consumer<Decision> listener,
            TaskScheduler applicationScheduler) {
        this.db = db;
        this.cutovers = cutovers;
        this.every = every;
        this.listener = listener;
        this.applicationScheduler = applicationScheduler;
    }

    /** The running monitor of this cutover (by its subject, e.g. {@code public."user".organization_id}), if any. */
    public Optional<CutoverMonitor> monitor(String subject) {
        return Optional.ofNullable(running.get(subject));
    }

    /** The running monitors. */
    public List<CutoverMonitor> all() {
        return List.copyOf(running.values());
    }

    @Override
    public synchronized void start() {
        TaskScheduler scheduler = scheduler();
        for (ConfiguredCutover c : cutovers.all()) {
            try {
                CutoverMonitor monitor = CutoverMonitor.builder(db, c.cutover()).baseline(c.baseline()).every(every)
                        .onDecision(listener).startUnscheduled();
                running.put(c.cutover().subject(), monitor);
                tasks.add(scheduler.scheduleAtFixedRate(new Evaluation(monitor, every), every));
            } catch (CutoverException e) {
                LOG.atError().addKeyValue("target", c.cutover().subject())
                        .log("The Stage A monitor of {} did not start: {}. Its gate stays UNKNOWN until the application "
                                + "restarts with the cutover's table and column in place.", c.cutover().subject(), e.getMessage());
            }
        }
        started = true;
    }

    private TaskScheduler scheduler() {
        if (applicationScheduler != null) {
            return applicationScheduler;
        }
        own = new ThreadPoolTaskScheduler();
        own.setPoolSize(1);
        own.setThreadNamePrefix("cutover-monitor-");
        own.setDaemon(true);
        own.initialize();
        return own;
    }

    @Override
    public synchronized void stop() {
        tasks.forEach(t -> t.cancel(false));
        tasks.clear();
        running.values().forEach(CutoverMonitor::close);
        running.clear();
        if (own != null) {
            own.shutdown();
            own = null;
        }
        started = false;
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    @Override
    public String toString() {
        return "CutoverMonitors" + running.keySet();
    }

    /**
     * One scheduled evaluation. A fixed-rate schedule that fell behind (an evaluation longer than
     * the interval) fires the missed starts back to back; those closer than half an interval to
     * the previous start are skipped, as the monitor's own schedule does.
     */
    static final class Evaluation implements Runnable {
        private final CutoverMonitor monitor;
        private final long halfPeriodNanos;
        private long lastStart;
        private boolean ran;

        Evaluation(CutoverMonitor monitor, Duration every) {
            this.monitor = monitor;
            this.halfPeriodNanos = every.toNanos() / 2;
        }

        @Override
        public synchronized void run() {
            long now = System.nanoTime();
            if (ran && now - lastStart < halfPeriodNanos) {
                return;
            }
            ran = true;
            lastStart = now;
            monitor.runOnce();
        }
    }
}
