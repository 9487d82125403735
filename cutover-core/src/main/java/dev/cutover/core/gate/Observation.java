package dev.cutover.core.gate;

import java.time.Instant;

/**
 * One stored observation of the Stage A monitor.
 *
 * @param id         its row id in {@code cutover_observation}
 * @param observedAt when it was made, on the database's clock
 * @param nullCount  the NULL count, {@code null} when the probe failed
 * @param baseline   the gate's baseline
 * @param verdict    {@code GO}, {@code NO_GO} or {@code UNKNOWN}
 * @param latched    whether the cutover's shared gate was latched NO_GO after it
 * @param error      {@code null} unless the probe failed
 * @param instance   the monitor that made it ({@code CutoverMonitor.Builder.instance}); {@code null} in rows of
 *                   versions that did not record it
 */
public record Observation(long id, Instant observedAt, Long nullCount, long baseline, String verdict, boolean latched,
                          String error, String instance) {

    /** Whether the probe failed at this observation. */
    public boolean failed() {
        return nullCount == null || error != null;
    }
}
