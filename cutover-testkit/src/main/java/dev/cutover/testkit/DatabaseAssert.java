package dev.cutover.testkit;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.internal.Catalog;
import dev.cutover.core.internal.Identifiers;
import dev.cutover.core.internal.Sql;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractAssert;
import org.jooq.Record;

/**
 * Assertions on a database's catalog; start with {@link CutoverAssertions#assertThat(TestDatabase)}.
 *
 * <pre>{@code
 * assertThat(db).column("user", "organization_id").hasValidatedNotNull();
 * assertThat(db).foreignKey("user_organization_id_organizations_id_fk").references("organizations", "id");
 * }</pre>
 */
public final class DatabaseAssert extends AbstractAssert<DatabaseAssert, CutoverDatabase> {

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
            where con.contype = 'f' and con.conname = ? and (cast(? as text) is null or c.relname = ?)
              and n.nspname not in ('pg_catalog', 'information_schema')
            order by n.nspname, c.relname""";

    DatabaseAssert(CutoverDatabase actual) {
        super(actual, DatabaseAssert.class);
    }

    /** The column {@code table.column} in schema {@code public}. */
    public ColumnAssert column(String table, String column) {
        return column("public", table, column);
    }

    /**
     * The column {@code schema.table.column}; fails at once when the table or the column does
     * not exist. The state is read once, through the same verification the cutover runs.
     */
    public ColumnAssert column(String schema, String table, String column) {
        isNotNull();
        Identifiers.require("schema", schema);
        Identifiers.require("table", table);
        Identifiers.require("column", column);
        String qualified = Identifiers.display(schema, table);
        Map<String, String> columns = Sql.inTransaction(actual.dataSource(), actual.settings().probeTimeout(),
                "read the columns of " + qualified, dsl -> Catalog.table(dsl, schema, table)
                        .map(t -> Catalog.columns(dsl, t.oid())).orElse(null));
        String subject = qualified + "." + Identifiers.display(column);
        if (columns == null) {
            throw failure("%nExpecting column %s to exist, but table %s does not exist", subject, qualified);
        }
        if (!columns.containsKey(column)) {
            throw failure("%nExpecting column %s to exist, but %s has no such column; its columns are: %s", subject, qualified,
                    String.join(", ", columns.keySet().stream().map(Identifiers::display).toList()));
        }
        // A cutover needs a key column, and verification reads only the catalog: any other column will do.
        String key = columns.keySet().stream().filter(c -> !c.equals(column)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Cannot check " + subject + ": it is the only column of "
                        + qualified + ", and a cutover needs another column that identifies rows"));
        NotNullCutover.Builder cutover = NotNullCutover.builder(table, column).schema(schema).key(key);
        return described(new ColumnAssert(actual.verify(cutover.build())));
    }

    /** The foreign key of this name, on whichever table of a non-system schema has it. */
    public ForeignKeyAssert foreignKey(String name) {
        return foreignKey(null, name);
    }

    /** The foreign key of this name on this table (for names used on several tables). */
    public ForeignKeyAssert foreignKey(String table, String name) {
        isNotNull();
        Identifiers.require("foreign key name", name);
        List<Record> found = Sql.inTransaction(actual.dataSource(), actual.settings().probeTimeout(),
                "read foreign key " + Identifiers.display(name), dsl -> dsl.fetch(FOREIGN_KEYS, name, table, table));
        String where = table == null ? "" : " on table " + Identifiers.display(table);
        if (found.isEmpty()) {
            throw failure("%nExpecting foreign key %s to exist%s, but there is none", Identifiers.display(name), where);
        }
        if (found.size() > 1) {
            throw failure("%nExpecting one foreign key named %s, but %d tables have one: %s. Name the table: foreignKey(table, name)",
                    Identifiers.display(name), found.size(),
                    String.join(", ", found.stream().map(r -> Identifiers.display(r.get("schema", String.class),
                            r.get("table_name", String.class))).toList()));
        }
        Record r = found.get(0);
        ForeignKey fk = new ForeignKey(r.get("name", String.class), r.get("schema", String.class), r.get("table_name", String.class),
                Arrays.asList(r.get("columns", String[].class)), r.get("ref_schema", String.class), r.get("ref_table", String.class),
                Arrays.asList(r.get("ref_columns", String[].class)),
                ReferentialAction.fromCatalogCode(r.get("on_delete", String.class).charAt(0)),
                r.get("validated", Boolean.class));
        return described(new ForeignKeyAssert(fk));
    }

    private <A extends AbstractAssert<A, ?>> A described(A next) {
        return info.hasDescription() ? next.as(info.description()) : next;
    }
}
