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
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;

/**
 * The runbook's post-migration verification, read from the catalog. Reads
 * {@code pg_constraint.convalidated}, never {@code is_nullable} alone: on PostgreSQL 18 a
 * {@code NOT NULL ... NOT VALID} constraint already makes {@code is_nullable} say NO.
 */
final class Verifier {


    private Verifier() {
    }

    static VerificationReport verify(DSLContext dsl, Target target, ServerVersion version) {
        NotNullCutover cutover = target.cutover();
        List<VerificationCheck> checks = new ArrayList<>();
        Optional<Catalog.ColumnState> read = Catalog.columnState(dsl, cutover.schema(), cutover.table(), cutover.column());
        if (read.isEmpty()) {
            checks.add(new VerificationCheck(COLUMN_NOT_NULL, "NOT NULL", "column does not exist", false));
            return new VerificationReport(cutover.subject(), version.toString(), checks);
        }
        Catalog.ColumnState column = read.get();
        boolean notNull = column.notNull();
        checks.add(new VerificationCheck(COLUMN_NOT_NULL, "NOT NULL", notNull ? "NOT NULL" : "nullable (is_nullable = YES)", notNull));
        checks.add(constraintValidated(column, version));
        if (cutover.referencedTable().isPresent()) {
            checks.addAll(foreignKey(column, cutover));
        }
        return new VerificationReport(cutover.subject(), version.toString(), checks);
    }

    private static VerificationCheck constraintValidated(Catalog.ColumnState column, ServerVersion version) {
        Optional<Catalog.NotNullConstraint> catalogued = column.catalogued();
        if (catalogued.isPresent()) {
            Catalog.NotNullConstraint c = catalogued.get();
            String name = Identifiers.display(c.name());
            return new VerificationCheck(CONSTRAINT_VALIDATED, "validated",
                    c.validated() ? "validated (NOT NULL constraint " + name + ")"
                            : "NOT VALID (NOT NULL constraint " + name + "): existing rows are unchecked and may hold NULL",
                    c.validated());
        }
        if (column.notNull() && !version.hasNotNullConstraints()) {
            return new VerificationCheck(CONSTRAINT_VALIDATED, "validated",
                    "validated (SET NOT NULL checks every row before PostgreSQL " + version.major() + " sets it)", true);
        }
        Optional<Catalog.NotNullConstraint> check = column.notNullConstraints().stream().filter(Catalog.NotNullConstraint::check)
                .findFirst();
        if (check.isPresent()) {
            Catalog.NotNullConstraint c = check.get();
            String name = Identifiers.display(c.name());
            return new VerificationCheck(CONSTRAINT_VALIDATED, "validated",
                    c.validated() ? "validated (CHECK constraint " + name + ")"
                            : "NOT VALID (CHECK constraint " + name + "): existing rows are unchecked and may hold NULL", c.validated());
        }
        return new VerificationCheck(CONSTRAINT_VALIDATED, "validated", "no NOT NULL or CHECK (IS NOT NULL) constraint", false);
    }

    private static List<VerificationCheck> foreignKey(Catalog.ColumnState column, NotNullCutover cutover) {
        String expectedTarget = Identifiers.display(cutover.referencedSchema().orElseThrow(), cutover.referencedTable().orElseThrow())
                + "(" + Identifiers.display(cutover.referencedColumn().orElseThrow()) + ")";
        ReferentialAction expectedAction = cutover.onDelete().orElseThrow();
        Optional<Catalog.ForeignKey> found;
        String expectedName;
        if (cutover.foreignKey().isPresent()) {
            expectedName = Identifiers.display(cutover.foreignKey().get());
            found = column.foreignKeys().stream().filter(fk -> fk.name().equals(cutover.foreignKey().get())).findFirst();
        } else {
            expectedName = "a foreign key on " + Identifiers.display(cutover.column());
            List<Catalog.ForeignKey> onColumn = column.foreignKeysOn(cutover.column());
            found = onColumn.stream().filter(fk -> fk.target().equals(expectedTarget)).findFirst()
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
        Catalog.ForeignKey fk = found.get();
        String name = Identifiers.display(fk.name());
        String columns = String.join(", ", fk.columns().stream().map(Identifiers::display).toList());
        boolean onColumn = fk.columns().equals(List.of(cutover.column()));
        checks.add(new VerificationCheck(FK_EXISTS, expectedName, name + " on (" + columns + ")", onColumn));
        String actualTarget = fk.target();
        checks.add(new VerificationCheck(FK_REFERENCES, expectedTarget, actualTarget, actualTarget.equals(expectedTarget)));
        checks.add(new VerificationCheck(FK_VALIDATED, "validated",
                fk.validated() ? "validated" : "NOT VALID: existing rows are unchecked", fk.validated()));
        checks.add(new VerificationCheck(FK_ON_DELETE, expectedAction.sql(), fk.onDelete().sql(), fk.onDelete() == expectedAction));
        return checks;
    }
}
