package dev.cutover.testkit;

import dev.cutover.core.ReferentialAction;
import dev.cutover.core.catalog.ForeignKey;
import dev.cutover.core.catalog.Names;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on one foreign key; start with {@code assertThat(db).foreignKey(name)}.
 *
 * <pre>{@code
 * assertThat(db).foreignKey("user_organization_id_organizations_id_fk")
 *     .references("organizations", "id")
 *     .hasOnDelete(ReferentialAction.RESTRICT)
 *     .isValidated();
 * }</pre>
 */
public final class ForeignKeyAssert extends AbstractAssert<ForeignKeyAssert, ForeignKey> {

    ForeignKeyAssert(ForeignKey actual) {
        super(actual, ForeignKeyAssert.class);
    }

    /** References {@code table(column)} in the referencing table's schema. */
    public ForeignKeyAssert references(String table, String column) {
        isNotNull();
        return references(actual.schema(), table, column);
    }

    /** References {@code schema.table(column)}. */
    public ForeignKeyAssert references(String schema, String table, String column) {
        isNotNull();
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(column, "column");
        String expected = Names.display(schema, table) + "(" + Names.display(column) + ")";
        if (!expected.equals(actual.target())) {
            throw failureWithActualExpected(actual.target(), expected, "%nExpecting foreign key %s to reference %s, but it references %s",
                    Names.display(actual.name()), expected, actual.target());
        }
        return this;
    }

    /** Has this ON DELETE action; the runbook expects {@code RESTRICT}. */
    public ForeignKeyAssert hasOnDelete(ReferentialAction expected) {
        isNotNull();
        Objects.requireNonNull(expected, "expected");
        if (actual.onDelete() != expected) {
            throw failureWithActualExpected(actual.onDelete(), expected, "%nExpecting foreign key %s to have ON DELETE %s, but it has ON DELETE %s",
                    Names.display(actual.name()), expected.sql(), actual.onDelete().sql());
        }
        return this;
    }

    /** Is validated: every existing row was checked ({@code pg_constraint.convalidated}). */
    public ForeignKeyAssert isValidated() {
        isNotNull();
        if (!actual.validated()) {
            throw failureWithActualExpected("NOT VALID", "validated",
                    "%nExpecting foreign key %s to be validated, but it is NOT VALID: existing rows are unchecked. "
                            + "Run ALTER TABLE %s VALIDATE CONSTRAINT %s", Names.display(actual.name()),
                    Names.display(actual.schema(), actual.table()), Names.display(actual.name()));
        }
        return this;
    }

    /** Is NOT VALID yet: added without checking existing rows. */
    public ForeignKeyAssert isNotValidated() {
        isNotNull();
        if (actual.validated()) {
            throw failureWithActualExpected("validated", "NOT VALID", "%nExpecting foreign key %s to be NOT VALID, but it is validated",
                    Names.display(actual.name()));
        }
        return this;
    }
}
