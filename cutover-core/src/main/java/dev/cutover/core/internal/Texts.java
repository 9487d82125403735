package dev.cutover.core.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Durations, instants and exceptions written the same way in every message and report. */
public final class Texts {

    private Texts() {
    }

    /**
     * A duration for people, the one format of every message: under a minute exact to the
     * millisecond ({@code 1.4s}, {@code 3.5s}, {@code 250ms}, {@code 0.5ms}), so that a
     * 1.4 s gap never reads as the 1 s it exceeds; from a minute on to the second
     * ({@code 24h}, {@code 1h30m}, {@code 1m5s}).
     */
    public static String duration(Duration d) {
        if (d.isNegative()) {
            return "-" + duration(d.negated());
        }
        if (d.isZero()) {
            return "0s";
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            long nanos = d.toNanos();
            return nanos % 1_000_000 == 0 ? nanos / 1_000_000 + "ms" : decimal(nanos, 1_000_000) + "ms";
        }
        long seconds = d.getSeconds();
        StringBuilder s = new StringBuilder();
        if (seconds >= 3600) {
            s.append(seconds / 3600).append('h');
        }
        if (seconds % 3600 >= 60) {
            s.append(seconds % 3600 / 60).append('m');
        }
        long secs = seconds % 60;
        long millis = seconds < 60 ? d.getNano() / 1_000_000 : 0;
        if (millis > 0) {
            s.append(decimal(secs * 1000 + millis, 1000)).append('s');
        } else if (secs > 0) {
            s.append(secs).append('s');
        }
        return s.toString();
    }

    /** {@code value / unit} with up to three decimals, trailing zeros dropped. */
    private static String decimal(long value, long unit) {
        java.math.BigDecimal exact = java.math.BigDecimal.valueOf(value).divide(java.math.BigDecimal.valueOf(unit));
        java.math.BigDecimal rounded = exact.setScale(Math.min(3, Math.max(0, exact.scale())), java.math.RoundingMode.HALF_UP);
        return rounded.stripTrailingZeros().toPlainString();
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
