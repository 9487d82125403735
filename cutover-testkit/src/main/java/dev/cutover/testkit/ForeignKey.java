package dev.cutover.testkit;

import dev.cutover.core.ReferentialAction;
import dev.cutover.core.internal.Identifiers;
import java.util.List;
import java.util.Objects;

/**
 * A foreign key as the catalog shows it; the actual value of {@link ForeignKeyAssert}.
 *
 * @param name              the constraint's name
 * @param schema            the schema of the referencing table
 * @param table             the referencing table
 * @param columns           the referencing columns, in key order
 * @param referencedSchema  the schema of the referenced table
 * @param referencedTable   the referenced table
 * @param referencedColumns the referenced columns, in key order
 * @param onDelete          the ON DELETE action
 * @param validated         {@code pg_constraint.convalidated}: false while the key is NOT VALID
 */
public record ForeignKey(String name, String schema, String table, List<String> columns, String referencedSchema,
                         String referencedTable, List<String> referencedColumns, ReferentialAction onDelete, boolean validated) {

    public ForeignKey {
        Objects.requireNonNull(name, "name");
        columns = List.copyOf(columns);
        referencedColumns = List.copyOf(referencedColumns);
        Objects.requireNonNull(onDelete, "onDelete");
    }

    /** {@code public.organizations(id)}. */
    public String target() {
        return Identifiers.display(referencedSchema, referencedTable) + "("
                + String.join(", ", referencedColumns.stream().map(Identifiers::display).toList()) + ")";
    }

    @Override
    public String toString() {
        return Identifiers.display(name) + ": " + Identifiers.display(schema, table) + "("
                + String.join(", ", columns.stream().map(Identifiers::display).toList()) + ") REFERENCES " + target()
                + " ON DELETE " + onDelete.sql() + (validated ? "" : " NOT VALID");
    }
}
