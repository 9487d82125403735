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

    /** The column's {@code attnotnull} ({@code is_nullable = NO}). */
    public static final String COLUMN_NOT_NULL = "column NOT NULL";
    /** The NOT NULL (or CHECK IS NOT NULL) constraint is validated. */
    public static final String CONSTRAINT_VALIDATED = "NOT NULL constraint validated";
    /** The expected foreign key exists on the column. */
    public static final String FK_EXISTS = "foreign key exists";
    /** It references the configured table and column. */
    public static final String FK_REFERENCES = "foreign key references";
    /** It is validated. */
    public static final String FK_VALIDATED = "foreign key validated";
    /** It has the configured ON DELETE action. */
    public static final String FK_ON_DELETE = "foreign key ON DELETE";

    /**
     * How the {@link #CONSTRAINT_VALIDATED} check's {@code actual} starts when the column is in the
     * enforce phase's intermediate state: a NOT VALID constraint refuses new NULLs, old rows are
     * unchecked. See {@link VerificationReport#notValidatedYet()}.
     */
    public static final String NOT_VALIDATED_YET = "not validated yet";

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
