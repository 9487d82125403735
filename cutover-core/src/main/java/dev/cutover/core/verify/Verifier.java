package dev.cutover.core.verify;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.ServerVersion;
import static dev.cutover.core.verify.VerificationCheck.COLUMN_NOT_NULL;
import static dev.cutover.core.verify.VerificationCheck.CONSTRAINT_VALIDATED;
import static dev.cutover.core.verify.VerificationCheck.FK_EXISTS;
import static dev.cutover.core.verify.VerificationCheck.FK_ON_DELETE;
import static dev.cutover.core.verify.VerificationCheck.FK_REFERENCES;
import static dev.cutover.core.verify.VerificationCheck.FK_VALIDATED;

import dev.cutover.core.catalog.ColumnState;
import dev.cutover.core.catalog.ForeignKey;
import dev.cutover.core.catalog.NotNullConstraint;
import dev.cutover.core.internal.Catalog;
import dev.cutover.core.internal.Identifiers;
import dev.cutover.core.internal.Target;
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
        Optional<ColumnState> read = Catalog.columnState(dsl, cutover.schema(), cutover.table(), cutover.column());
        List<VerificationCheck> checks = columnChecks(read, version);
        if (read.isPresent() && cutover.referencedTable().isPresent()) {
            checks.addAll(foreignKey(read.get(), cutover));
        }
        return new VerificationReport(cutover.subject(), version.toString(), checks);
    }

    /** The column's two checks: NOT NULL, and the constraint enforcing it validated. */
    static List<VerificationCheck> columnChecks(Optional<ColumnState> read, ServerVersion version) {
        List<VerificationCheck> checks = new ArrayList<>();
        if (read.isEmpty()) {
            checks.add(new VerificationCheck(COLUMN_NOT_NULL, "NOT NULL", "column does not exist", false));
            return checks;
        }
        ColumnState column = read.get();
        boolean notNull = column.notNull();
        checks.add(new VerificationCheck(COLUMN_NOT_NULL, "NOT NULL", notNull ? "NOT NULL" : "nullable (is_nullable = YES)", notNull));
        checks.add(constraintValidated(column, version));
        return checks;
    }

    private static VerificationCheck constraintValidated(ColumnState column, ServerVersion version) {
        Optional<NotNullConstraint> catalogued = column.catalogued();
        if (catalogued.isPresent()) {
            NotNullConstraint c = catalogued.get();
            String name = Identifiers.display(c.name());
            return new VerificationCheck(CONSTRAINT_VALIDATED, "validated",
                    c.validated() ? "validated (NOT NULL constraint " + name + ")" : notValidatedYet("NOT NULL", name),
                    c.validated());
        }
        if (column.notNull() && !version.hasNotNullConstraints()) {
            return new VerificationCheck(CONSTRAINT_VALIDATED, "validated",
                    "validated (SET NOT NULL checks every row before PostgreSQL " + version.major() + " sets it)", true);
        }
        Optional<NotNullConstraint> check = column.notNullConstraints().stream().filter(NotNullConstraint::check)
                .findFirst();
        if (check.isPresent()) {
            NotNullConstraint c = check.get();
            String name = Identifiers.display(c.name());
            return new VerificationCheck(CONSTRAINT_VALIDATED, "validated",
                    c.validated() ? "validated (CHECK constraint " + name + ")" : notValidatedYet("CHECK", name), c.validated());
        }
        return new VerificationCheck(CONSTRAINT_VALIDATED, "validated", "no NOT NULL or CHECK (IS NOT NULL) constraint", false);
    }

    /**
     * The intermediate state of the enforce phase: new NULLs are refused, old rows are unchecked.
     * Starts with {@link VerificationCheck#NOT_VALIDATED_YET}.
     */
    private static String notValidatedYet(String kind, String name) {
        return VerificationCheck.NOT_VALIDATED_YET + ": the NOT VALID " + kind + " constraint " + name + " refuses new NULLs, "
                + "but rows written before it are unchecked and may hold NULL; remediate until the NULL count is 0, then run "
                + "the migration (NotNullMigration.run()), which validates it";
    }

    private static List<VerificationCheck> foreignKey(ColumnState column, NotNullCutover cutover) {
        String expectedTarget = Identifiers.display(cutover.referencedSchema().orElseThrow(), cutover.referencedTable().orElseThrow())
                + "(" + Identifiers.display(cutover.referencedColumn().orElseThrow()) + ")";
        ReferentialAction expectedAction = cutover.onDelete().orElseThrow();
        Optional<ForeignKey> found;
        String expectedName;
        if (cutover.foreignKey().isPresent()) {
            expectedName = Identifiers.display(cutover.foreignKey().get());
            found = column.foreignKeys().stream().filter(fk -> fk.name().equals(cutover.foreignKey().get())).findFirst();
        } else {
            expectedName = "a foreign key on " + Identifiers.display(cutover.column());
            List<ForeignKey> onColumn = column.foreignKeysOn(cutover.column());
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
        ForeignKey fk = found.get();
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
