package dev.cutover.core.internal;

import dev.cutover.core.NotNullCutover;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jooq.Field;
import org.jooq.Name;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * A cutover checked against the catalog: the objects exist and the key is known.
 *
 * @param cutover     the configuration
 * @param columnType  the column's type as {@code format_type} writes it, e.g. {@code bigint}
 * @param keyColumns  the key (configured, else the primary key)
 * @param columnTypes every column of the table and its type
 */
public record Target(NotNullCutover cutover, String columnType, List<String> keyColumns, Map<String, String> columnTypes) {

    public Target {
        keyColumns = List.copyOf(keyColumns);
        columnTypes = Map.copyOf(columnTypes);
    }

    /** {@code "schema"."table"}. */
    public Name tableName() {
        return DSL.name(cutover.schema(), cutover.table());
    }

    public Table<?> table() {
        return DSL.table(tableName());
    }

    /** The column becoming NOT NULL, qualified by its table. */
    public Field<Object> column() {
        return DSL.field(DSL.name(cutover.schema(), cutover.table(), cutover.column()));
    }

    /** A column of the table, qualified. */
    public Field<Object> field(String column) {
        return DSL.field(DSL.name(cutover.schema(), cutover.table(), column));
    }

    public List<Field<Object>> keyFields() {
        return keyColumns.stream().map(this::field).toList();
    }

    /** The key columns, then the inspect columns not already among them. */
    public List<String> shownColumns() {
        List<String> shown = new ArrayList<>(keyColumns);
        for (String c : inspectColumns()) {
            if (!shown.contains(c)) {
                shown.add(c);
            }
        }
        return shown;
    }

    /** The inspect columns, or the key when none were configured. */
    public List<String> inspectColumns() {
        return cutover.inspect().isEmpty() ? keyColumns : cutover.inspect();
    }
}
