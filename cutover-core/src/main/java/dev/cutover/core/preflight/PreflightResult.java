package dev.cutover.core.preflight;

import java.time.Duration;
import java.util.Objects;

/**
 * One line of a {@link PreflightReport}.
 *
 * @param name     the check's name
 * @param passed   whether it passed
 * @param detail   why, and for a failure what to do next
 * @param duration how long the check took
 */
public record PreflightResult(String name, boolean passed, String detail, Duration duration) {

    public PreflightResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(duration, "duration");
    }

    /** {@code [PASS] name: detail} or {@code [FAIL] name: detail}. */
    @Override
    public String toString() {
        return (passed ? "[PASS] " : "[FAIL] ") + name + ": " + detail;
    }
}
