package dev.cutover.core.internal;

import dev.cutover.core.CutoverConfigurationException;
import java.time.Duration;

/** The one check of a configured duration, with the one wording of its refusal. */
public final class Durations {

    private Durations() {
    }

    /**
     * The value, when it lies between {@code min} and {@code max} (both included).
     *
     * @throws CutoverConfigurationException {@code "lockTimeout must be between 1ms and 10m, but was 0s"}
     */
    public static Duration require(String name, Duration value, Duration min, Duration max) {
        if (value == null) {
            throw new CutoverConfigurationException(name + " must not be null");
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new CutoverConfigurationException(name + " must be between " + Texts.duration(min) + " and "
                    + Texts.duration(max) + ", but was " + Texts.duration(value));
        }
        return value;
    }
}
