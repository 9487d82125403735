package dev.cutover.core.gate;

import java.time.Duration;
import java.time.Instant;

/**
 * The time between two consecutive observations.
 *
 * @param from the earlier observation's time
 * @param to   the later observation's time
 */
public record ObservationGap(Instant from, Instant to) {

    /** How long no observation was made. */
    public Duration length() {
        return Duration.between(from, to);
    }
}
