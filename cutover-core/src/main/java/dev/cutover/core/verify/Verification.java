package dev.cutover.core.verify;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.catalog.Names;
import dev.cutover.core.internal.Catalog;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Target;

/**
 * The runbook's post-migration verification; the same as {@link CutoverDatabase#verify}.
 *
 * <pre>{@code
 * VerificationReport report = Verification.of(db, cutover);
 * report.requirePassed();   // throws CutoverVerificationException naming each failed check
 * }</pre>
 */
public final class Verification {

    private Verification() {
    }

    /**
     * Checks the result of the migration against the catalog, reading no table data: the column
     * is NOT NULL and the constraint enforcing it validated; the foreign key, when expected,
     * exists, is validated, references the configured table and column and has the configured
     * ON DELETE action.
     */
    public static VerificationReport of(CutoverDatabase db, NotNullCutover cutover) {
        DatabaseHandle handle = DatabaseHandle.of(db);
        Target target = handle.target(cutover);
        return handle.read("verify " + cutover.subject(), dsl -> Verifier.verify(dsl, target, handle.serverVersion()));
    }

    /**
     * The column checks alone ({@code column NOT NULL}, {@code NOT NULL constraint validated})
     * for any column, without a cutover: what a test asserts before and after a migration.
     *
     * <pre>{@code
     * Verification.ofColumn(db, "public", "user", "organization_id").requirePassed();
     * }</pre>
     */
    public static VerificationReport ofColumn(CutoverDatabase db, String schema, String table, String column) {
        Names.require("schema", schema);
        Names.require("table", table);
        Names.require("column", column);
        DatabaseHandle handle = DatabaseHandle.of(db);
        String subject = Names.display(schema, table) + "." + Names.display(column);
        return handle.read("verify " + subject, dsl -> new VerificationReport(subject, handle.serverVersion().toString(),
                Verifier.columnChecks(Catalog.columnState(dsl, schema, table, column), handle.serverVersion())));
    }
}
