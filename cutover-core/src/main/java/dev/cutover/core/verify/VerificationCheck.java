package dev.cutover.core.verify;

import java.util.Objects;

/**
 * One line of a {@link VerificationReport}.
 *
 * @param name     what was checked, e.g. {@code NOT NULL constraint validated}
 * @param expected what the runbook expects
 * @param actual   what the catalog shows
 * @param passed   whether they agree
 */
public record VerificationCheck(String name, String expected, String actual, boolean passed) {

    public VerificationCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(actual, "actual");
    }

    @Override
    public String toString() {
        return (passed ? "[PASS] " : "[FAIL] ") + name + ": expected " + expected + ", actual " + actual;
    }
}
