package dev.cutover.core.gate;

import java.util.Optional;

/** A {@link CutoverMonitor} as a {@link Gate}: evaluating stores and publishes, re-arming releases the shared latch. */
final class MonitorGate implements Gate {

    private final CutoverMonitor monitor;

    MonitorGate(CutoverMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public Decision evaluate() {
        return monitor.evaluateNow();
    }

    @Override
    public void rearm() {
        monitor.rearm();
    }

    @Override
    public Optional<Decision> last() {
        return monitor.last();
    }

    @Override
    public String toString() {
        return "Gate of " + monitor;
    }
}
