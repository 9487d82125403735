package dev.cutover.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Durations, instants and exceptions written the same way in every message and report. */
public final class Texts {

    private Texts() {
    }

    /** {@code 24h}, {@code 1h30m}, {@code 40m}, {@code 15s}, {@code 250ms}: whole units, seconds truncated. */
    public static String duration(Duration d) {
        if (d.isNegative()) {
            return "-" + duration(d.negated());
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            return d.toMillis() + "ms";
        }
        long seconds = d.getSeconds();
        StringBuilder s = new StringBuilder();
        if (seconds >= 3600) {
            s.append(seconds / 3600).append('h');
        }
        if (seconds % 3600 >= 60) {
            s.append(seconds % 3600 / 60).append('m');
        }
        if (seconds % 60 > 0) {
            s.append(seconds % 60).append('s');
        }
        return s.toString();
    }

    /** {@code 2026-11-25T14:05:00Z}: UTC, to the second. */
    public static String instant(Instant at) {
        return at.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The exception's message, or its class name when it has none. */
    public static String message(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getName() : message.strip();
    }
}
