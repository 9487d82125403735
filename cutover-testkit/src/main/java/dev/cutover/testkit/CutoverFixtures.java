package dev.cutover.testkit;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.catalog.Names;
import dev.cutover.core.catalog.TableState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.jooq.Field;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.impl.DSL;

/**
 * Data for cutover tests: NULL rows in your own table, as production has them before the
 * cutover.
 *
 * <pre>{@code
 * NotNullCutover cutover = NotNullCutover.builder("user", "organization_id").build();
 * db.fixtures().insertNullRows(cutover, 42,
 *         Map.of("email", "user-{n}@example.com"));                   // 42 users without an organization
 * db.cutoverDatabase().probe(cutover).count();                        // 42
 * }</pre>
 */
public final class CutoverFixtures {

    /** Replaced by the row's number in text values of a row template. */
    public static final String ROW_NUMBER = "{n}";

    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final String COLUMNS = """
            select a.attname::text as name, a.attnotnull as notnull,
                   (a.atthasdef or a.attidentity <> '' or a.attgenerated <> '') as defaulted
            from pg_catalog.pg_attribute a
            join pg_catalog.pg_class c on c.oid = a.attrelid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where n.nspname = ? and c.relname = ? and a.attnum > 0 and not a.attisdropped
            order by a.attnum""";

    private final DataSource dataSource;
    private volatile CutoverDatabase cutoverDatabase;

    private CutoverFixtures(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /** Fixtures on any PostgreSQL data source (a {@link TestDatabase} gives you {@link TestDatabase#fixtures()}). */
    public static CutoverFixtures of(DataSource dataSource) {
        return new CutoverFixtures(dataSource);
    }

    /** As {@link #insertNullRows(NotNullCutover, int, Map)} for a table whose other columns all have defaults or allow NULL. */
    public CutoverFixtures insertNullRows(NotNullCutover cutover, int count) {
        return insertNullRows(cutover, count, Map.of());
    }

    /**
     * Inserts {@code count} rows whose cutover column is NULL into the cutover's table, in one
     * statement. {@code rowTemplate} gives values for other columns; in a text value
     * {@value #ROW_NUMBER} becomes the row's number, counted on from the rows already in the
     * table, so unique columns stay unique ({@code "user-{n}@example.com"}, or {@code "{n}"}
     * for a numeric key); text is converted to the column's type as a SQL literal would be
     * ({@code "2024-05-01T10:00Z"} for a {@code timestamptz}). Other values are bound as they
     * are (a {@code Long}, an {@code OffsetDateTime}, ...).
     *
     * @throws CutoverConfigurationException when the table or a template column does not
     *         exist, when a NOT NULL column without default has no value, or when the column is
     *         already NOT NULL
     */
    public CutoverFixtures insertNullRows(NotNullCutover cutover, int count, Map<String, ?> rowTemplate) {
        Objects.requireNonNull(cutover, "cutover");
        Objects.requireNonNull(rowTemplate, "rowTemplate");
        if (count < 0 || count > 10_000_000) {
            throw new IllegalArgumentException("count must be between 0 and 10000000, but was " + count);
        }
        // Checks the cutover against the catalog (table, column, key) before anything is written.
        cutoverDatabase().probe(cutover);
        TableState table = cutoverDatabase().table(cutover.schema(), cutover.table()).orElseThrow();
        Map<String, ?> template = new LinkedHashMap<>(rowTemplate);
        if (template.containsKey(cutover.column())) {
            throw new CutoverConfigurationException("The row template gives a value for " + cutover.subject()
                    + ", the column that is to be NULL: leave it out");
        }
        Jdbc.inTransaction(dataSource, TIMEOUT, "insert " + count + " NULL rows into " + cutover.qualifiedTable(), dsl -> {
            List<Record> columns = dsl.fetch(COLUMNS, cutover.schema(), cutover.table());
            for (String name : template.keySet()) {
                if (columns.stream().noneMatch(c -> c.get("name", String.class).equals(name))) {
                    throw new CutoverConfigurationException("Row template column " + Names.display(name) + " does not exist in "
                            + cutover.qualifiedTable() + "; its columns are: " + String.join(", ",
                            columns.stream().map(c -> Names.display(c.get("name", String.class))).toList()));
                }
            }
            List<String> missing = new ArrayList<>();
            for (Record c : columns) {
                String name = c.get("name", String.class);
                if (name.equals(cutover.column())) {
                    if (c.get("notnull", Boolean.class)) {
                        throw new CutoverConfigurationException(cutover.subject() + " is already NOT NULL, so it cannot hold NULL rows: "
                                + "insert them before the migration");
                    }
                } else if (c.get("notnull", Boolean.class) && !c.get("defaulted", Boolean.class) && !template.containsKey(name)) {
                    missing.add(Names.display(name));
                }
            }
            if (!missing.isEmpty()) {
                throw new CutoverConfigurationException(cutover.qualifiedTable() + " has NOT NULL columns without a default: "
                        + String.join(", ", missing) + ". Give them values in the row template, e.g. Map.of(\""
                        + missing.get(0).replace("\"", "") + "\", \"value-" + ROW_NUMBER + "\")");
            }
            if (count == 0) {
                return null;
            }
            long offset = dsl.fetchCount(DSL.table(DSL.name(cutover.schema(), cutover.table())));
            List<Name> names = new ArrayList<>();
            List<Field<?>> values = new ArrayList<>();
            Field<Long> rowNumber = DSL.field(DSL.name("g", "n"), Long.class);
            template.forEach((name, value) -> {
                names.add(DSL.name(name));
                if (value instanceof String text) {
                    Field<String> filled = text.contains(ROW_NUMBER)
                            ? DSL.replace(DSL.val(text), DSL.val(ROW_NUMBER), rowNumber.cast(String.class))
                            : DSL.val(text);
                    // Text becomes the column's type, as a literal in an INSERT would. The type name is
                    // format_type's rendering of this column, read from the catalog, not user input.
                    values.add(DSL.field("cast({0} as {1})", filled, DSL.sql(table.columns().get(name))));
                } else {
                    values.add(DSL.val(value));
                }
            });
            names.add(DSL.name(cutover.column()));
            values.add(DSL.inline((Object) null));
            dsl.query("insert into {0} ({1}) select {2} from generate_series({3}, {4}) as {5}",
                    DSL.name(cutover.schema(), cutover.table()), DSL.list(names.stream().map(DSL::field).toList()), DSL.list(values),
                    DSL.val(offset + 1), DSL.val(offset + count), DSL.name("g").fields("n")).execute();
            return null;
        });
        return this;
    }

    private CutoverDatabase cutoverDatabase() {
        CutoverDatabase known = cutoverDatabase;
        if (known == null) {
            known = CutoverDatabase.of(dataSource);
            cutoverDatabase = known;
        }
        return known;
    }
}
