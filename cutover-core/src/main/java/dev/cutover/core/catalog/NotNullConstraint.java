package dev.cutover.core.catalog;

import java.util.Objects;

/**
 * A constraint that keeps NULL out of one column.
 *
 * @param name      the constraint's name
 * @param kind      a catalogued NOT NULL constraint (PostgreSQL 18+) or a {@code CHECK (col IS NOT NULL)}
 * @param validated {@code pg_constraint.convalidated}: false while the constraint is NOT VALID
 */
public record NotNullConstraint(String name, Kind kind, boolean validated) {

    /** How the constraint is written. */
    public enum Kind {
        /** {@code NOT NULL} as a catalogued constraint ({@code contype 'n'}, PostgreSQL 18+). */
        NOT_NULL,
        /** {@code CHECK (col IS NOT NULL)}. */
        CHECK
    }

    public NotNullConstraint {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
    }

    /** True for a catalogued NOT NULL constraint (PostgreSQL 18+). */
    public boolean catalogued() {
        return kind == Kind.NOT_NULL;
    }

    /** True for a {@code CHECK (col IS NOT NULL)}. */
    public boolean check() {
        return kind == Kind.CHECK;
    }
}
