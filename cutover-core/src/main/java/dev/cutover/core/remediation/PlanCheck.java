package dev.cutover.core.remediation;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Identifiers;
import dev.cutover.core.internal.Masking;
import dev.cutover.core.internal.Sql;
import dev.cutover.core.internal.Target;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * The checks of a plan against the database before any row changes, reading only: the key
 * identifies one row, lookup parameters are columns of the row, constants fit the column.
 */
final class PlanCheck {

    /** How long the check of a constant waits for the table's catalog lock. */
    private static final Duration CHECK_LOCK_TIMEOUT = Duration.ofSeconds(1);

    private PlanCheck() {
    }

    /**
     * Checks a plan against the database, reading only.
     *
     * @throws CutoverConfigurationException naming the key, lookup parameter or constant that does not fit
     */
    static void check(RemediationSettings plan) {
        DatabaseHandle db = DatabaseHandle.of(plan.db());
        Target target = db.target(plan.cutover());
        checkKey(db, target);
        checkKeyNotSensitive(target);
        List<String> columns = target.shownColumns();
        List<Object> constants = new ArrayList<>();
        PolicyTree.visit(plan.policy(), p -> {
            if (p instanceof LookupPolicy lookup) {
                for (String parameter : lookup.sql().parameters()) {
                    if (!columns.contains(parameter)) {
                        throw new CutoverConfigurationException("Lookup parameter :" + parameter + " is not a column of the rows of "
                                + plan.cutover().subject() + "; parameters are bound from the key and inspect columns ("
                                + String.join(", ", columns) + "); add the column with NotNullCutover.builder(...).inspect(...). "
                                + "SQL: " + lookup.sql().sql());
                    }
                }
            } else if (p instanceof PolicyTree.Constant constant) {
                constants.add(constant.value());
            }
        });
        for (Object value : constants) {
            checkFits(db, target, value);
        }
        checkSqlPolicy(db, target, plan.policy());
    }

    /**
     * A SQL policy must be the whole policy (named or not), and must plan on the server as a
     * value for the column: {@code EXPLAIN UPDATE t AS u SET col = (query) WHERE false} is
     * planned, never run.
     */
    private static void checkSqlPolicy(DatabaseHandle db, Target target, RemediationPolicy policy) {
        boolean[] nested = {false};
        PolicyTree.visit(policy, p -> nested[0] |= p instanceof SqlPolicy);
        Optional<SqlPolicy> sql = PolicyTree.sqlOf(policy);
        if (nested[0] && sql.isEmpty()) {
            throw new CutoverConfigurationException("RemediationPolicies.sql(...) must be the whole policy of "
                    + target.cutover().subject() + " (it may be named); put a fallback into its SQL with coalesce(...) "
                    + "instead of firstOf(...).");
        }
        if (sql.isEmpty()) {
            return;
        }
        if (sql.get().query().indexOf('?') >= 0) {
            throw new CutoverConfigurationException("RemediationPolicies.sql(...) takes no bind parameters, and its query "
                    + "holds a '?': write jsonb's ? operators as jsonb_exists(...). SQL: " + sql.get().query());
        }
        try {
            db.read("check the SQL policy of " + target.cutover().subject(), dsl -> dsl.resultQuery(
                    "explain update {0} as u set {1} = ({2}) where false", target.tableName(),
                    DSL.name(target.cutover().column()), DSL.sql(sql.get().query())).fetch());
        } catch (CutoverDatabaseException e) {
            throw new CutoverConfigurationException("RemediationPolicies.sql(...) does not give a value for "
                    + target.cutover().subject() + " of type " + target.columnType() + ": " + serverMessage(e)
                    + ". The row being fixed is u (e.g. u.email). SQL: " + sql.get().query(), e);
        }
    }

    /** The text PostgreSQL receives for a value: the column type's input function converts it. */
    static String literal(Object value) {
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return value.toString();
    }

    /** A value PostgreSQL cannot take as a bind parameter: text cannot hold U+0000. */
    static boolean holdsNul(String text) {
        return text.indexOf('\0') >= 0;
    }

    /**
     * A value for the target's column: bound as text and converted by the column type's own input
     * function ({@code json_populate_record} over the table's row type), so that no value ever
     * becomes SQL text and no type name is written into a statement. A scalar subquery without
     * outer references: PostgreSQL converts it once per statement.
     */
    static Field<Object> typedValue(Target target, String text) {
        NotNullCutover cutover = target.cutover();
        return DSL.field("(select (pg_catalog.json_populate_record(null::{0}, pg_catalog.json_build_object({1}, {2}))).{3})",
                target.tableName(), DSL.val(cutover.column()), DSL.val(text), DSL.name(cutover.column()));
    }

    private static void checkFits(DatabaseHandle db, Target target, Object value) {
        NotNullCutover cutover = target.cutover();
        boolean sensitive = cutover.sensitive().contains(cutover.column());
        String text = literal(value);
        if (holdsNul(text)) {
            throw new CutoverConfigurationException("RemediationPolicies.constant(...) does not fit " + cutover.subject()
                    + ": the value contains a NUL character (U+0000), which PostgreSQL cannot store in text. Remove it from the value.");
        }
        String shownValue = sensitive ? Masking.mask(value) : String.valueOf(value);
        try {
            Sql.inTransaction(db.dataSource(), Sql.Timeouts.statement(db.settings().probeTimeout()).lock(CHECK_LOCK_TIMEOUT),
                    "check a constant against " + cutover.subject(),
                    dsl -> dsl.resultQuery("select {0}::text", typedValue(target, text)).fetchOne(0, String.class));
        } catch (CutoverDatabaseException e) {
            String state = e.sqlState().orElse("");
            if (state.startsWith("22") || state.startsWith("42")) {
                String server = sensitive ? serverMessage(e).replace(text, shownValue) : serverMessage(e);
                String message = "RemediationPolicies.constant(" + shownValue + ") does not fit " + cutover.subject() + " of type "
                        + target.columnType() + ": " + server + ". Give a value of type " + target.columnType() + ".";
                // The cause quotes the value; leave it out when the column is sensitive.
                throw sensitive ? new CutoverConfigurationException(message) : new CutoverConfigurationException(message, e);
            }
            throw e;
        }
    }

    static String serverMessage(CutoverDatabaseException e) {
        Throwable t = e.getCause();
        while (t != null && !(t instanceof SQLException) && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t == null || t.getMessage() == null ? e.getMessage() : t.getMessage();
        if (m.startsWith("ERROR: ")) {
            m = m.substring("ERROR: ".length());
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m.strip() : m.substring(0, nl).strip();
    }

    // ---------------------------------------------------------------- the key

    /**
     * The journal keeps each changed row's key readable, so that undo can find the row: a
     * sensitive key column would leave the database readable there. Refused.
     */
    static void checkKeyNotSensitive(Target target) {
        NotNullCutover cutover = target.cutover();
        List<String> sensitiveKey = target.keyColumns().stream().filter(cutover.sensitive()::contains).toList();
        if (!sensitiveKey.isEmpty()) {
            throw new CutoverConfigurationException("Key column " + String.join(", ", sensitiveKey) + " of "
                    + Identifiers.display(cutover.schema(), cutover.table()) + " is sensitive, and the remediation journal keeps "
                    + "each changed row's key readable so that undo can find the row. Remediate by a key that is not sensitive "
                    + "(the primary key, or a unique index over NOT NULL columns) with NotNullCutover.builder(...).key(...).");
        }
    }

    /** A unique index of the table as the catalog describes it. */
    private record UniqueIndex(String name, boolean primary, boolean partial, boolean expression, List<String> columns,
                               List<String> nullable) {

        boolean identifies(List<String> key) {
            return !partial && !expression && nullable.isEmpty() && columns.size() == key.size()
                    && new HashSet<>(columns).equals(new HashSet<>(key));
        }

        String describe() {
            if (expression || partial) {
                return name + " (" + (expression ? "an expression" : "") + (expression && partial ? ", " : "")
                        + (partial ? "partial" : "") + ")";
            }
            String cols = String.join(", ", columns);
            if (primary) {
                return name + " (" + cols + ", primary key)";
            }
            return name + " (" + cols + (nullable.isEmpty() ? "" : "; " + String.join(", ", nullable) + " may be NULL") + ")";
        }
    }

    /**
     * Refuses a key that is neither the primary key nor the columns of a valid, non-partial
     * unique index over plain NOT NULL columns: rows it matches could be more than one.
     */
    static void checkKey(DatabaseHandle db, Target target) {
        List<UniqueIndex> indexes = db.read("read the unique indexes of " + target.cutover().subject(),
                dsl -> uniqueIndexes(dsl, target));
        List<String> key = target.keyColumns();
        if (indexes.stream().anyMatch(i -> i.identifies(key))) {
            return;
        }
        NotNullCutover cutover = target.cutover();
        String shownTable = Identifiers.display(cutover.schema(), cutover.table());
        String existing = indexes.isEmpty() ? shownTable + " has no unique index."
                : "Unique indexes of " + shownTable + ": " + String.join(", ", indexes.stream().map(UniqueIndex::describe).toList())
                + ".";
        throw new CutoverConfigurationException("Key (" + String.join(", ", key) + ") of " + shownTable
                + " does not identify one row: a remediation key must be the primary key or the columns of a unique index over "
                + "NOT NULL columns (a partial or expression index does not count). " + existing
                + " Give one of those with NotNullCutover.builder(...).key(...).");
    }

    private static List<UniqueIndex> uniqueIndexes(DSLContext dsl, Target target) {
        List<UniqueIndex> out = new ArrayList<>();
        for (Record r : dsl.resultQuery("""
                select c.relname::text as name, i.indisprimary as is_primary, i.indpred is not null as partial,
                       i.indexprs is not null as expression,
                       array(select a.attname::text from unnest(i.indkey::int2[]) with ordinality k(attnum, n)
                             join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
                             where k.n <= i.indnkeyatts order by k.n) as columns,
                       array(select a.attname::text from unnest(i.indkey::int2[]) with ordinality k(attnum, n)
                             join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
                             where k.n <= i.indnkeyatts and not a.attnotnull order by k.n) as nullable
                from pg_catalog.pg_index i join pg_catalog.pg_class c on c.oid = i.indexrelid
                where i.indrelid = {0}::regclass and i.indisunique and i.indisvalid
                order by i.indisprimary desc, i.indexrelid""", DSL.val(dsl.render(target.tableName()))).fetch()) {
            out.add(new UniqueIndex(r.get("name", String.class), r.get("is_primary", Boolean.class), r.get("partial", Boolean.class),
                    r.get("expression", Boolean.class), List.of(r.get("columns", String[].class)),
                    List.of(r.get("nullable", String[].class))));
        }
        return out;
    }
}
