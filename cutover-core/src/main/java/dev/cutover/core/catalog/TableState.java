package dev.cutover.core.catalog;

import java.util.Map;
import java.util.Objects;

/**
 * A table as the catalog shows it; read with {@link dev.cutover.core.CutoverDatabase#table(String, String)}.
 *
 * <pre>{@code
 * TableState users = db.table("public", "user").orElseThrow();
 * boolean hasEmail = users.columns().containsKey("email");
 * }</pre>
 *
 * @param schema        the schema
 * @param name          the table's name
 * @param oid           its {@code pg_class} oid
 * @param partitioned   true for a partitioned table
 * @param estimatedRows {@code reltuples}: the planner's estimate, -1 or 0 before the first ANALYZE
 * @param columns       every column and its type ({@code format_type}), in column order
 */
public record TableState(String schema, String name, long oid, boolean partitioned, long estimatedRows,
                         Map<String, String> columns) {

    public TableState {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
        columns = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
    }
}
