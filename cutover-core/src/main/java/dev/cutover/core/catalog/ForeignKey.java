package dev.cutover.core.catalog;

import dev.cutover.core.ReferentialAction;
import java.util.List;
import java.util.Objects;

/**
 * A foreign key as the catalog shows it.
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
        return Names.display(referencedSchema, referencedTable) + "(" + Names.display(referencedColumns) + ")";
    }

    @Override
    public String toString() {
        return Names.display(name) + ": " + Names.display(schema, table) + "(" + Names.display(columns) + ") REFERENCES "
                + target() + " ON DELETE " + onDelete.sql() + (validated ? "" : " NOT VALID");
    }
}
