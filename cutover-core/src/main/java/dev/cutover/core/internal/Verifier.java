package dev.cutover.core.internal;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.ServerVersion;
import static dev.cutover.core.verify.VerificationCheck.COLUMN_NOT_NULL;
import static dev.cutover.core.verify.VerificationCheck.CONSTRAINT_VALIDATED;
import static dev.cutover.core.verify.VerificationCheck.FK_EXISTS;
import static dev.cutover.core.verify.VerificationCheck.FK_ON_DELETE;
import static dev.cutover.core.verify.VerificationCheck.FK_REFERENCES;
import static dev.cutover.core.verify.VerificationCheck.FK_VALIDATED;

import dev.cutover.core.verify.VerificationCheck;
import dev.cutover.core.verify.VerificationReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * The runbook's post-migration verification, read from the catalog. Reads
 * {@code pg_constraint.convalidated}, never {@code is_nullable} alone: on PostgreSQL 18 a
 * {@code NOT NULL ... NOT VALID} constraint already makes {@code is_nullable} say NO.
 */
final class Verifier {


    private static final String COLUMN = """
            select c.oid::bigint as table_oid, a.attnum::int as attnum, a.attnotnull as notnull
            from pg_catalog.pg_attribute a
            join pg_catalog.pg_class c on c.oid = a.attrelid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where n.nspname = ? and c.relname = ? and a.attname = ? and not a.attisdropped""";

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
            select con.conname::text as name, con.convalidated as validated, con.confdeltype::text as on_delete,
                   rn.nspname::text as ref_schema, rc.relname::text as ref_table,
                   array(select ra.attname::text from unnest(con.confkey) with ordinality k(attnum, ord)
                         join pg_catalog.pg_attribute ra on ra.attrelid = con.confrelid and ra.attnum = k.attnum
                         order by k.ord) as ref_columns,
                   array(select la.attname::text from unnest(con.conkey) with ordinality k(attnum, ord)
                         join pg_catalog.pg_attribute la on la.attrelid = con.conrelid and la.attnum = k.attnum
                         order by k.ord) as columns
            from pg_catalog.pg_constraint con
            join pg_catalog.pg_class rc on rc.oid = con.confrelid
            join pg_catalog.pg_namespace rn on rn.oid = rc.relnamespace
            where con.contype = 'f' and con.conrelid = ?::bigint::oid
            order by con.conname""";

    private Verifier() {
    }

    static VerificationReport verify(DSLContext dsl, Target target, ServerVersion version) {
        NotNullCutover cutover = target.cutover();
        List<VerificationCheck> checks = new ArrayList<>();
        Record column = dsl.fetchOne(COLUMN, cutover.schema(), cutover.table(), cutover.column());
        if (column == null) {
            checks.add(new VerificationCheck(COLUMN_NOT_NULL, "NOT NULL", "column does not exist", false));
            return new VerificationReport(cutover.subject(), version.toString(), checks);
        }
        long tableOid = column.get("table_oid", Long.class);
        boolean notNull = column.get("notnull", Boolean.class);
        checks.add(new VerificationCheck(COLUMN_NOT_NULL, "NOT NULL", notNull ? "NOT NULL" : "nullable (is_nullable = YES)", notNull));
        checks.add(constraintValidated(dsl, tableOid, column.get("attnum", Integer.class), notNull, version));
        if (cutover.referencedTable().isPresent()) {
            checks.addAll(foreignKey(dsl, tableOid, cutover));
        }
        return new VerificationReport(cutover.subject(), version.toString(), checks);
    }

    private static VerificationCheck constraintValidated(DSLContext dsl, long tableOid, int attnum, boolean notNull,
                                                         ServerVersion version) {
        List<Record> constraints = dsl.fetch(NOT_NULL_CONSTRAINTS, attnum, tableOid);
        Optional<Record> catalogued = constraints.stream().filter(r -> r.get("type", String.class).equals("n")).findFirst();
        if (catalogued.isPresent()) {
            Record r = catalogued.get();
            boolean validated = r.get("validated", Boolean.class);
            return new VerificationCheck(CONSTRAINT_VALIDATED, "validated",
                    validated ? "validated (NOT NULL constraint " + Identifiers.display(r.get("name", String.class)) + ")"
                            : "NOT VALID (NOT NULL constraint " + Identifiers.display(r.get("name", String.class))
                            + "): existing rows are unchecked and may hold NULL", validated);
        }
        if (notNull && !version.hasNotNullConstraints()) {
            return new VerificationCheck(CONSTRAINT_VALIDATED, "validated",
                    "validated (SET NOT NULL checks every row before PostgreSQL " + version.major() + " sets it)", true);
        }
        Optional<Record> check = constraints.stream().filter(r -> r.get("type", String.class).equals("c")).findFirst();
        if (check.isPresent()) {
            Record r = check.get();
            boolean validated = r.get("validated", Boolean.class);
            String name = Identifiers.display(r.get("name", String.class));
            return new VerificationCheck(CONSTRAINT_VALIDATED, "validated",
                    validated ? "validated (CHECK constraint " + name + ")"
                            : "NOT VALID (CHECK constraint " + name + "): existing rows are unchecked and may hold NULL", validated);
        }
        return new VerificationCheck(CONSTRAINT_VALIDATED, "validated", "no NOT NULL or CHECK (IS NOT NULL) constraint", false);
    }

    private static List<VerificationCheck> foreignKey(DSLContext dsl, long tableOid, NotNullCutover cutover) {
        String expectedTarget = Identifiers.display(cutover.referencedSchema().orElseThrow(), cutover.referencedTable().orElseThrow())
                + "(" + Identifiers.display(cutover.referencedColumn().orElseThrow()) + ")";
        ReferentialAction expectedAction = cutover.onDelete().orElseThrow();
        List<Record> keys = dsl.fetch(FOREIGN_KEYS, tableOid);
        Optional<Record> found;
        String expectedName;
        if (cutover.foreignKey().isPresent()) {
            expectedName = Identifiers.display(cutover.foreignKey().get());
            found = keys.stream().filter(r -> r.get("name", String.class).equals(cutover.foreignKey().get())).findFirst();
        } else {
            expectedName = "a foreign key on " + Identifiers.display(cutover.column());
            List<Record> onColumn = keys.stream()
                    .filter(r -> Arrays.equals(r.get("columns", String[].class), new String[] {cutover.column()}))
                    .toList();
            found = onColumn.stream().filter(r -> describeTarget(r).equals(expectedTarget)).findFirst()
                    .or(() -> onColumn.stream().findFirst());
        }
        List<VerificationCheck> checks = new ArrayList<>();
        if (found.isEmpty()) {
            checks.add(new VerificationCheck(FK_EXISTS, expectedName, "none", false));
            checks.add(new VerificationCheck(FK_REFERENCES, expectedTarget, "(no foreign key)", false));
            checks.add(new VerificationCheck(FK_VALIDATED, "validated", "(no foreign key)", false));
            checks.add(new VerificationCheck(FK_ON_DELETE, expectedAction.sql(), "(no foreign key)", false));
            return checks;
        }
        Record fk = found.get();
        String name = Identifiers.display(fk.get("name", String.class));
        String columns = String.join(", ", Arrays.stream(fk.get("columns", String[].class)).map(Identifiers::display).toList());
        boolean onColumn = Arrays.equals(fk.get("columns", String[].class), new String[] {cutover.column()});
        checks.add(new VerificationCheck(FK_EXISTS, expectedName, name + " on (" + columns + ")", onColumn));
        String actualTarget = describeTarget(fk);
        checks.add(new VerificationCheck(FK_REFERENCES, expectedTarget, actualTarget, actualTarget.equals(expectedTarget)));
        boolean validated = fk.get("validated", Boolean.class);
        checks.add(new VerificationCheck(FK_VALIDATED, "validated",
                validated ? "validated" : "NOT VALID: existing rows are unchecked", validated));
        ReferentialAction action = ReferentialAction.fromCatalogCode(fk.get("on_delete", String.class).charAt(0));
        checks.add(new VerificationCheck(FK_ON_DELETE, expectedAction.sql(), action.sql(), action == expectedAction));
        return checks;
    }

    private static String describeTarget(Record fk) {
        return Identifiers.display(fk.get("ref_schema", String.class), fk.get("ref_table", String.class)) + "("
                + String.join(", ", Arrays.stream(fk.get("ref_columns", String[].class)).map(Identifiers::display).toList()) + ")";
    }
}
