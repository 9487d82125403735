package dev.cutover.core.catalog;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the catalog says about a column and the constraints around it; read with
 * {@link dev.cutover.core.CutoverDatabase#column(String, String, String)}.
 *
 * <pre>{@code
 * ColumnState state = db.column("public", "user", "organization_id").orElseThrow();
 * boolean enforced = state.validatedNotNull();
 * List<ForeignKey> keys = state.foreignKeysOn("organization_id");
 * }</pre>
 *
 * @param schema             the table's schema
 * @param table              the table
 * @param column             the column
 * @param tableOid           the table's {@code pg_class} oid
 * @param attnum             the column's number in its table
 * @param type               the column's type as {@code format_type} writes it, e.g. {@code bigint}
 * @param notNull            {@code attnotnull}; on PostgreSQL 18 also true while the NOT NULL constraint is NOT VALID
 * @param notNullConstraints NOT NULL and CHECK (IS NOT NULL) constraints on the column, catalogued ones first, valid first
 * @param foreignKeys        every foreign key of the table
 * @param constraintNames    the names of every constraint of the table
 */
public record ColumnState(String schema, String table, String column, long tableOid, int attnum, String type, boolean notNull,
                          List<NotNullConstraint> notNullConstraints, List<ForeignKey> foreignKeys, List<String> constraintNames) {

    public ColumnState {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(column, "column");
        notNullConstraints = List.copyOf(notNullConstraints);
        foreignKeys = List.copyOf(foreignKeys);
        constraintNames = List.copyOf(constraintNames);
    }

    /**
     * True when the column is NOT NULL and every row is proven to comply: {@code attnotnull}
     * and, on PostgreSQL 18, its catalogued constraint validated. {@code is_nullable} alone
     * says NO on 18 while the constraint is still NOT VALID.
     */
    public boolean validatedNotNull() {
        return notNull && catalogued().map(NotNullConstraint::validated).orElse(true);
    }

    /**
     * How far the column is on its way to NOT NULL: {@link NotNullState#NOT_NULL} when
     * {@link #validatedNotNull()}; else {@link NotNullState#VALIDATED} when a validated
     * {@code CHECK (col IS NOT NULL)} proves every row; else {@link NotNullState#NOT_VALID} when a
     * NOT VALID constraint refuses new NULLs; else {@link NotNullState#NONE}.
     *
     * <pre>{@code
     * NotNullState state = db.column("public", "user", "organization_id").orElseThrow().notNullState();
     * boolean newNullsRefused = state.refusesNewNulls();
     * }</pre>
     */
    public NotNullState notNullState() {
        if (validatedNotNull()) {
            return NotNullState.NOT_NULL;
        }
        if (notNullConstraints.stream().anyMatch(c -> c.check() && c.validated())) {
            return NotNullState.VALIDATED;
        }
        return notNull || !notNullConstraints.isEmpty() ? NotNullState.NOT_VALID : NotNullState.NONE;
    }

    /**
     * The constraint that refuses new NULLs while the column is {@link NotNullState#NOT_VALID}: the
     * catalogued NOT NULL (PostgreSQL 18) or the first {@code CHECK (col IS NOT NULL)}; empty in the
     * other states.
     */
    public Optional<NotNullConstraint> notValidConstraint() {
        if (notNullState() != NotNullState.NOT_VALID) {
            return Optional.empty();
        }
        return catalogued().or(() -> notNullConstraints.stream().filter(NotNullConstraint::check).findFirst());
    }

    /** The catalogued NOT NULL constraint (PostgreSQL 18+), if there is one. */
    public Optional<NotNullConstraint> catalogued() {
        return notNullConstraints.stream().filter(NotNullConstraint::catalogued).findFirst();
    }

    /** The CHECK (col IS NOT NULL) constraint of this name, if there is one. */
    public Optional<NotNullConstraint> check(String name) {
        return notNullConstraints.stream().filter(c -> c.check() && c.name().equals(name)).findFirst();
    }

    /** The foreign keys on exactly this one column. */
    public List<ForeignKey> foreignKeysOn(String column) {
        return foreignKeys.stream().filter(fk -> fk.columns().equals(List.of(column))).toList();
    }
}
