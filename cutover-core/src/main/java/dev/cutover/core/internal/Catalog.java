package dev.cutover.core.internal;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.NotNullCutover;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Result;

/** Catalog look-ups. Names are bind values here, never part of the SQL text. */
public final class Catalog {

    private static final String TABLE = """
            select c.oid::bigint as oid, c.relkind::text as relkind, c.reltuples::bigint as reltuples
            from pg_catalog.pg_class c
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where n.nspname = ? and c.relname = ?""";

    private static final String COLUMNS = """
            select a.attname::text as name, pg_catalog.format_type(a.atttypid, a.atttypmod) as type
            from pg_catalog.pg_attribute a
            where a.attrelid = ?::bigint::oid and a.attnum > 0 and not a.attisdropped
            order by a.attnum""";

    private static final String PRIMARY_KEY = """
            select a.attname::text as name
            from pg_catalog.pg_index i
            cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
            join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
            where i.indrelid = ?::bigint::oid and i.indisprimary
            order by k.ord""";

    private Catalog() {
    }

    /** A table's oid, kind and estimated row count. */
    public record TableInfo(long oid, String relkind, long estimatedRows) {
    }

    public static Optional<TableInfo> table(DSLContext dsl, String schema, String table) {
        Record r = dsl.fetchOne(TABLE, schema, table);
        return r == null ? Optional.empty()
                : Optional.of(new TableInfo(r.get("oid", Long.class), r.get("relkind", String.class), r.get("reltuples", Long.class)));
    }

    /**
     * Checks that everything the cutover names exists, and finds the key.
     *
     * @throws CutoverConfigurationException naming the first missing object
     */
    public static Target resolve(DSLContext dsl, NotNullCutover cutover) {
        TableInfo table = table(dsl, cutover.schema(), cutover.table())
                .orElseThrow(() -> missingTable("Table", cutover.schema(), cutover.table(), cutover.subject()));
        if (!table.relkind().equals("r") && !table.relkind().equals("p")) {
            throw new CutoverConfigurationException(cutover.qualifiedTable() + " is not a table (relkind '" + table.relkind()
                    + "'): a NOT NULL cutover needs an ordinary or partitioned table");
        }
        Map<String, String> columns = columns(dsl, table.oid());
        String type = columns.get(cutover.column());
        if (type == null) {
            throw missingColumn("Column", cutover.column(), cutover.qualifiedTable(), columns);
        }
        List<String> key = cutover.key();
        if (key.isEmpty()) {
            key = primaryKey(dsl, table.oid());
            if (key.isEmpty()) {
                throw new CutoverConfigurationException(cutover.qualifiedTable() + " has no primary key: name the columns that "
                        + "identify a row with NotNullCutover.builder(...).key(...)");
            }
            if (key.contains(cutover.column())) {
                throw new CutoverConfigurationException("The primary key of " + cutover.qualifiedTable() + " includes "
                        + Identifiers.display(cutover.column()) + ", the column becoming NOT NULL; name other key columns with key(...)");
            }
        }
        for (String k : key) {
            requireColumn("Key column", k, cutover, columns);
        }
        for (String c : cutover.inspect()) {
            requireColumn("Inspect column", c, cutover, columns);
        }
        if (cutover.newestFirstBy().isPresent()) {
            requireColumn("newestFirstBy column", cutover.newestFirstBy().get(), cutover, columns);
        }
        for (String c : cutover.sensitive()) {
            requireColumn("Sensitive column", c, cutover, columns);
        }
        if (cutover.referencedTable().isPresent()) {
            String refSchema = cutover.referencedSchema().orElseThrow();
            String refTable = cutover.referencedTable().get();
            TableInfo referenced = table(dsl, refSchema, refTable)
                    .orElseThrow(() -> missingTable("Referenced table", refSchema, refTable, cutover.subject()));
            Map<String, String> refColumns = columns(dsl, referenced.oid());
            String refColumn = cutover.referencedColumn().orElseThrow();
            if (!refColumns.containsKey(refColumn)) {
                throw missingColumn("Referenced column", refColumn, Identifiers.display(refSchema, refTable), refColumns);
            }
        }
        return new Target(cutover, type, key, columns);
    }

    public static Map<String, String> columns(DSLContext dsl, long tableOid) {
        Map<String, String> columns = new LinkedHashMap<>();
        for (Record r : dsl.fetch(COLUMNS, tableOid)) {
            columns.put(r.get("name", String.class), r.get("type", String.class));
        }
        return columns;
    }

    private static List<String> primaryKey(DSLContext dsl, long tableOid) {
        Result<Record> rows = dsl.fetch(PRIMARY_KEY, tableOid);
        List<String> key = new ArrayList<>();
        for (Record r : rows) {
            key.add(r.get("name", String.class));
        }
        return key;
    }

    private static void requireColumn(String what, String column, NotNullCutover cutover, Map<String, String> columns) {
        if (!columns.containsKey(column)) {
            throw missingColumn(what, column, cutover.qualifiedTable(), columns);
        }
    }

    private static CutoverConfigurationException missingTable(String what, String schema, String table, String subject) {
        return new CutoverConfigurationException(what + " " + Identifiers.display(schema, table) + " does not exist (cutover of "
                + subject + "). Names are case-sensitive and used exactly as given; check the schema and table name.");
    }

    private static CutoverConfigurationException missingColumn(String what, String column, String table, Map<String, String> columns) {
        return new CutoverConfigurationException(what + " " + Identifiers.display(column) + " does not exist in " + table
                + "; its columns are: " + String.join(", ", columns.keySet().stream().map(Identifiers::display).toList()));
    }
}
