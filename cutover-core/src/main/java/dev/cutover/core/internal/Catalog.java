package dev.cutover.core.internal;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.catalog.ColumnState;
import dev.cutover.core.catalog.ForeignKey;
import dev.cutover.core.catalog.NotNullConstraint;
import dev.cutover.core.catalog.TableState;
import java.util.ArrayList;
import java.util.Arrays;
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

    private static final String COLUMN = """
            select c.oid::bigint as table_oid, a.attnum::int as attnum, a.attnotnull as notnull,
                   pg_catalog.format_type(a.atttypid, a.atttypmod) as type
            from pg_catalog.pg_attribute a
            join pg_catalog.pg_class c on c.oid = a.attrelid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where n.nspname = ? and c.relname = ? and a.attname = ? and not a.attisdropped""";

    /** Catalogued NOT NULL constraints (18+) and CHECK (col IS NOT NULL) constraints on one column. */
    private static final String NOT_NULL_CONSTRAINTS = """
            select con.conname::text as name, con.contype::text as type, con.convalidated as validated
            from pg_catalog.pg_constraint con
            join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = ?::int
            where con.conrelid = ?::bigint::oid and con.conkey = array[a.attnum]
              and (con.contype = 'n'
                   or (con.contype = 'c' and starts_with(pg_catalog.pg_get_constraintdef(con.oid),
                                                         'CHECK ((' || pg_catalog.quote_ident(a.attname) || ' IS NOT NULL))')))
            order by con.contype desc, con.convalidated desc, con.conname""";

    private static final String FOREIGN_KEYS = """
            select con.conname::text as name, n.nspname::text as schema, c.relname::text as table_name,
                   con.convalidated as validated, con.confdeltype::text as on_delete,
                   rn.nspname::text as ref_schema, rc.relname::text as ref_table,
                   array(select ra.attname::text from unnest(con.confkey) with ordinality k(attnum, ord)
                         join pg_catalog.pg_attribute ra on ra.attrelid = con.confrelid and ra.attnum = k.attnum
                         order by k.ord) as ref_columns,
                   array(select la.attname::text from unnest(con.conkey) with ordinality k(attnum, ord)
                         join pg_catalog.pg_attribute la on la.attrelid = con.conrelid and la.attnum = k.attnum
                         order by k.ord) as columns
            from pg_catalog.pg_constraint con
            join pg_catalog.pg_class c on c.oid = con.conrelid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            join pg_catalog.pg_class rc on rc.oid = con.confrelid
            join pg_catalog.pg_namespace rn on rn.oid = rc.relnamespace
            where con.contype = 'f'""";

    private static final String CONSTRAINT_NAMES = """
            select con.conname::text as name from pg_catalog.pg_constraint con where con.conrelid = ?::bigint::oid
            order by con.conname""";

    private Catalog() {
    }

    /** The column's state, or empty when the column does not exist. */
    public static Optional<ColumnState> columnState(DSLContext dsl, String schema, String table, String column) {
        Record c = dsl.fetchOne(COLUMN, schema, table, column);
        if (c == null) {
            return Optional.empty();
        }
        long tableOid = c.get("table_oid", Long.class);
        int attnum = c.get("attnum", Integer.class);
        List<NotNullConstraint> notNull = new ArrayList<>();
        for (Record r : dsl.fetch(NOT_NULL_CONSTRAINTS, attnum, tableOid)) {
            NotNullConstraint.Kind kind = r.get("type", String.class).equals("n") ? NotNullConstraint.Kind.NOT_NULL
                    : NotNullConstraint.Kind.CHECK;
            notNull.add(new NotNullConstraint(r.get("name", String.class), kind, r.get("validated", Boolean.class)));
        }
        List<ForeignKey> keys = foreignKeys(dsl.fetch(FOREIGN_KEYS + " and con.conrelid = ?::bigint::oid order by con.conname",
                tableOid));
        List<String> names = dsl.fetch(CONSTRAINT_NAMES, tableOid).getValues("name", String.class);
        return Optional.of(new ColumnState(schema, table, column, tableOid, attnum, c.get("type", String.class),
                c.get("notnull", Boolean.class), notNull, keys, names));
    }

    /** The foreign keys of this name, on any table of a non-system schema, or on this table when {@code table} is given. */
    public static List<ForeignKey> foreignKeys(DSLContext dsl, String schema, String table, String name) {
        return foreignKeys(dsl.fetch(FOREIGN_KEYS + """
                 and con.conname = ? and (cast(? as text) is null or n.nspname = ?) and (cast(? as text) is null or c.relname = ?)
                 and n.nspname not in ('pg_catalog', 'information_schema')
                order by n.nspname, c.relname""", name, schema, schema, table, table));
    }

    private static List<ForeignKey> foreignKeys(Result<Record> rows) {
        List<ForeignKey> keys = new ArrayList<>();
        for (Record r : rows) {
            keys.add(new ForeignKey(r.get("name", String.class), r.get("schema", String.class), r.get("table_name", String.class),
                    Arrays.asList(r.get("columns", String[].class)), r.get("ref_schema", String.class),
                    r.get("ref_table", String.class), Arrays.asList(r.get("ref_columns", String[].class)),
                    ReferentialAction.fromCatalogCode(r.get("on_delete", String.class).charAt(0)),
                    r.get("validated", Boolean.class)));
        }
        return keys;
    }

    /** The table with its columns, or empty when it does not exist. */
    public static Optional<TableState> tableState(DSLContext dsl, String schema, String table) {
        return table(dsl, schema, table).map(t -> new TableState(schema, table, t.oid(), t.relkind().equals("p"),
                t.estimatedRows(), columns(dsl, t.oid())));
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
