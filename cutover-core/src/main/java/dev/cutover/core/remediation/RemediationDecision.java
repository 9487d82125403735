package dev.cutover.core.remediation;

import java.util.Objects;

/**
 * What a {@link RemediationPolicy} decided for one row.
 *
 * <pre>{@code
 * RemediationDecision.assign(42L);                 // set the column to 42
 * RemediationDecision.skip("no organization for this domain");
 * }</pre>
 */
public sealed interface RemediationDecision {

    /** Set the column to {@code value}. */
    static Assign assign(Object value) {
        return new Assign(value);
    }

    /** Leave the row NULL; the reason goes into the report. */
    static Skip skip(String reason) {
        return new Skip(reason);
    }

    /**
     * Set the column to this value. The value reaches PostgreSQL as text and is converted with
     * the column type's input function, so {@code 42L}, {@code "42"}, a {@code UUID} or a
     * {@code LocalDate} all work when they fit the column's type.
     *
     * @param value not {@code null}: a remediation never assigns NULL
     */
    record Assign(Object value) implements RemediationDecision {
        public Assign {
            Objects.requireNonNull(value, "value must not be null: a remediation assigns a value; skip the row instead");
            if (value instanceof byte[] || value instanceof RemediationDecision) {
                throw new IllegalArgumentException("value must be a scalar such as a number, text, UUID or date, but was a "
                        + value.getClass().getSimpleName());
            }
        }

        @Override
        public String toString() {
            return "assign(" + value + ")";
        }
    }

    /**
     * Leave the row as it is.
     *
     * @param reason why, for people: "no match", "ambiguous: 2 or more rows"
     */
    record Skip(String reason) implements RemediationDecision {
        public Skip {
            Objects.requireNonNull(reason, "reason");
            if (reason.isBlank()) {
                throw new IllegalArgumentException("reason must not be blank: say why the row is skipped");
            }
        }

        @Override
        public String toString() {
            return "skip(" + reason + ")";
        }
    }
}
