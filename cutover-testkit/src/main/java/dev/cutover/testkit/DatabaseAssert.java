package dev.cutover.testkit;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.catalog.ForeignKey;
import dev.cutover.core.catalog.Names;
import dev.cutover.core.catalog.TableState;
import dev.cutover.core.verify.Verification;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a database's catalog; start with {@link CutoverAssertions#assertThat(TestDatabase)}.
 *
 * <pre>{@code
 * assertThat(db).column("user", "organization_id").hasValidatedNotNull();
 * assertThat(db).foreignKey("user_organization_id_organizations_id_fk").references("organizations", "id");
 * }</pre>
 */
public final class DatabaseAssert extends AbstractAssert<DatabaseAssert, CutoverDatabase> {

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
        Names.require("schema", schema);
        Names.require("table", table);
        Names.require("column", column);
        String qualified = Names.display(schema, table);
        Map<String, String> columns = actual.table(schema, table).map(TableState::columns).orElse(null);
        String subject = qualified + "." + Names.display(column);
        if (columns == null) {
            throw failure("%nExpecting column %s to exist, but table %s does not exist", subject, qualified);
        }
        if (!columns.containsKey(column)) {
            throw failure("%nExpecting column %s to exist, but %s has no such column; its columns are: %s", subject, qualified,
                    Names.display(List.copyOf(columns.keySet())));
        }
        return described(new ColumnAssert(Verification.ofColumn(actual, schema, table, column)));
    }

    /** The foreign key of this name, on whichever table of a non-system schema has it. */
    public ForeignKeyAssert foreignKey(String name) {
        return foreignKey(null, name);
    }

    /** The foreign key of this name on this table (for names used on several tables). */
    public ForeignKeyAssert foreignKey(String table, String name) {
        isNotNull();
        Names.require("foreign key name", name);
        List<ForeignKey> found = actual.foreignKeys(null, table, name);
        String where = table == null ? "" : " on table " + Names.display(table);
        if (found.isEmpty()) {
            throw failure("%nExpecting foreign key %s to exist%s, but there is none", Names.display(name), where);
        }
        if (found.size() > 1) {
            throw failure("%nExpecting one foreign key named %s, but %d tables have one: %s. Name the table: foreignKey(table, name)",
                    Names.display(name), found.size(),
                    String.join(", ", found.stream().map(fk -> Names.display(fk.schema(), fk.table())).toList()));
        }
        ForeignKey fk = found.get(0);
        return described(new ForeignKeyAssert(fk));
    }

    private <A extends AbstractAssert<A, ?>> A described(A next) {
        return info.hasDescription() ? next.as(info.description()) : next;
    }
}
