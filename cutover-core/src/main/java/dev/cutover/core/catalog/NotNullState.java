package dev.cutover.core.catalog;

/**
 * How far a column is on its way to NOT NULL, as the catalog shows it; read with
 * {@link ColumnState#notNullState()}.
 *
 * <pre>{@code
 * switch (db.column("public", "user", "organization_id").orElseThrow().notNullState()) {
 *     case NONE -> enforceForNewRows();            // NULLs can still be written
 *     case NOT_VALID -> remediateThenMigrate();     // new NULLs refused, old ones may remain
 *     case VALIDATED -> migrate();                  // every row proven, SET NOT NULL not done yet
 *     case NOT_NULL -> verify();                    // done
 * }
 * }</pre>
 */
public enum NotNullState {

    /** Nothing keeps NULL out of the column: new NULLs can be written. */
    NONE,

    /**
     * A {@code NOT VALID} constraint ({@code CHECK (col IS NOT NULL) NOT VALID} on PostgreSQL 12
     * to 17, {@code NOT NULL col NOT VALID} on 18) refuses new NULLs at write time; rows written
     * before it may still hold NULL. On PostgreSQL 18 {@code is_nullable} already says NO.
     */
    NOT_VALID,

    /**
     * A validated {@code CHECK (col IS NOT NULL)} proves every row, but the column itself is not
     * NOT NULL yet (PostgreSQL 12 to 17: {@code SET NOT NULL} has not run).
     */
    VALIDATED,

    /** The column is NOT NULL and every row is proven: {@code attnotnull}, and on PostgreSQL 18 its constraint validated. */
    NOT_NULL;

    /** Whether new NULLs are refused at write time: every state but {@link #NONE}. */
    public boolean refusesNewNulls() {
        return this != NONE;
    }
}
