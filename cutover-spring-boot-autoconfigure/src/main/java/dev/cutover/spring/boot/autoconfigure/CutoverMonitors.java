package dev.cutover.spring.boot.autoconfigure;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverException;
import dev.cutover.core.gate.CutoverMonitor;
import dev.cutover.core.gate.Decision;
import dev.cutover.spring.boot.autoconfigure.ConfiguredCutovers.ConfiguredCutover;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The Stage A monitors of the configured cutovers ({@code cutover.monitor.enabled=true}): started
 * once the application context has started, so after Flyway migrated, and closed with the context.
 * Their decisions feed {@code cutover.nulls}, the gate's verdict, the health indicator and the
 * {@code cutover} endpoint.
 */
public final class CutoverMonitors implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverMonitors.class);

    private final CutoverDatabase db;
    private final ConfiguredCutovers cutovers;
    private final Duration every;
    private final Consumer<Decision> listener;
    private final Map<String, CutoverMonitor> running = new ConcurrentHashMap<>();
    private volatile boolean started;

    CutoverMonitors(CutoverDatabase db, ConfiguredCutovers cutovers, Duration every, Consumer<Decision> listener) {
        this.db = db;
        this.cutovers = cutovers;
        this.every = every;
        this.listener = listener;
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
    public void start() {
        for (ConfiguredCutover c : cutovers.all()) {
            try {
                running.put(c.cutover().subject(), CutoverMonitor.builder(db, c.cutover()).baseline(c.baseline()).every(every)
                        .onDecision(listener).start());
            } catch (CutoverException e) {
                LOG.atError().addKeyValue("target", c.cutover().subject())
                        .log("The Stage A monitor of {} did not start: {}. Its gate stays UNKNOWN until the application "
                                + "restarts with the cutover's table and column in place.", c.cutover().subject(), e.getMessage());
            }
        }
        started = true;
    }

    @Override
    public void stop() {
        running.values().forEach(CutoverMonitor::close);
        running.clear();
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
}
