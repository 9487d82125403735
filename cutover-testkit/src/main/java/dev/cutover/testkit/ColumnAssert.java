package dev.cutover.testkit;

import dev.cutover.core.verify.VerificationCheck;
import dev.cutover.core.verify.VerificationReport;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on one column's NULL-ability, read from the catalog through the cutover's own
 * verification; start with {@code assertThat(db).column(table, column)}.
 *
 * <pre>{@code
 * assertThat(db).column("user", "organization_id").isNullable();             // before the migration
 * assertThat(db).column("user", "organization_id").hasValidatedNotNull();    // after it
 * }</pre>
 *
 * On PostgreSQL 18 a {@code NOT NULL ... NOT VALID} constraint makes the column NOT NULL for
 * new rows while old rows are unchecked: {@link #isNotNullable()} passes, and
 * {@link #hasValidatedNotNull()} fails until the constraint is validated.
 */
public final class ColumnAssert extends AbstractAssert<ColumnAssert, VerificationReport> {

    static final String COLUMN_NOT_NULL = "column NOT NULL";
    static final String CONSTRAINT_VALIDATED = "NOT NULL constraint validated";

    ColumnAssert(VerificationReport actual) {
        super(actual, ColumnAssert.class);
    }

    /** The column refuses NULL in new rows ({@code is_nullable = NO}). */
    public ColumnAssert isNotNullable() {
        isNotNull();
        VerificationCheck check = check(COLUMN_NOT_NULL);
        if (!check.passed()) {
            throw failureWithActualExpected(check.actual(), check.expected(), "%nExpecting column %s to be NOT NULL, but it is %s",
                    actual.subject(), check.actual());
        }
        return this;
    }

    /** The column accepts NULL. */
    public ColumnAssert isNullable() {
        isNotNull();
        VerificationCheck check = check(COLUMN_NOT_NULL);
        if (check.passed()) {
            throw failureWithActualExpected("NOT NULL", "nullable", "%nExpecting column %s to be nullable, but it is NOT NULL",
                    actual.subject());
        }
        return this;
    }

    /**
     * The column is NOT NULL and the constraint enforcing it is validated, so no existing row
     * holds NULL ({@code pg_constraint.convalidated}, not {@code is_nullable} alone).
     */
    public ColumnAssert hasValidatedNotNull() {
        isNotNull();
        for (String name : new String[] {COLUMN_NOT_NULL, CONSTRAINT_VALIDATED}) {
            VerificationCheck check = check(name);
            if (!check.passed()) {
                throw failureWithActualExpected(check.actual(), "validated NOT NULL",
                        "%nExpecting column %s to have a validated NOT NULL constraint, but found: %s", actual.subject(), check.actual());
            }
        }
        return this;
    }

    private VerificationCheck check(String name) {
        return actual.check(name).orElseThrow(() -> new IllegalStateException("The verification report has no check '" + name
                + "': " + actual.render()));
    }
}
