package dev.cutover.flyway;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.catalog.ColumnState;
import dev.cutover.core.catalog.NotNullState;
import dev.cutover.core.migrate.MigrationReport;
import dev.cutover.core.migrate.NotNullMigration;
import javax.sql.DataSource;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flyway Java migration for the enforce phase: it adds the NOT VALID constraint
 * ({@link NotNullMigration#enforceForNewRows()}) while NULL rows may still exist, so that
 * PostgreSQL refuses new NULLs at write time from then on and remediation only has to deal with
 * the rows written before. A later migration, a {@link NotNullCutoverMigration} of the same
 * cutover, validates that constraint and finishes once remediation has brought the count to 0.
 *
 * <p>Same lock discipline as the finishing migration: one short transaction with a short
 * {@code lock_timeout}, long transactions waited out rather than queued behind, retries up to a
 * deadline; not run inside Flyway's transaction ({@link #canExecuteInTransaction()} is
 * {@code false}). Skipped when the column refuses NULLs already.
 *
 * <pre>{@code
 * package db.migration;
 *
 * public class V16__user_org_enforce_not_null extends EnforceNotNullMigration {
 *     @Override
 *     protected NotNullCutover cutover() {
 *         return Cutovers.USER_ORGANIZATION;
 *     }
 * }
 *
 * public class V17__user_org_not_null extends NotNullCutoverMigration {
 *     @Override
 *     protected NotNullCutover cutover() {
 *         return Cutovers.USER_ORGANIZATION;
 *     }
 * }
 *
 * Flyway.configure().dataSource(ds)
 *     .callbacks(CutoverCallback.forMigration("17", Cutovers.USER_ORGANIZATION).build())   // 17, not 16
 *     .load().migrate();
 * }</pre>
 *
 * {@link CutoverCallback} is configured with the finishing migration's version: its NULL gate
 * applies to that one, not to this one, which runs while NULLs remain. From this migration on,
 * the callback refuses a migration that would drop the NOT VALID constraint (as it refuses one
 * that drops the NOT NULL once the cutover is applied), unless an incident override is
 * configured.
 */
public abstract class EnforceNotNullMigration extends BaseJavaMigration {

    private static final Logger LOG = LoggerFactory.getLogger(EnforceNotNullMigration.class);

    /** The cutover whose column this migration enforces for new rows. */
    protected abstract NotNullCutover cutover();

    /** Adjusts the migration (lock timeout, deadline, ...); by default it is left as it is. */
    protected NotNullMigration.Builder configure(NotNullMigration.Builder migration) {
        return migration;
    }

    /** {@code false}: the step commits on its own, on a connection of its own, with its own short lock timeout. */
    @Override
    public final boolean canExecuteInTransaction() {
        return false;
    }

    @Override
    public final void migrate(Context context) {
        DataSource dataSource = context.getConfiguration().getDataSource();
        NotNullCutover cutover = cutover();
        CutoverDatabase db = CutoverDatabase.of(dataSource);
        MigrationReport report = configure(NotNullMigration.builder(db, cutover)).build().enforceForNewRows();
        NotNullState state = db.column(cutover.schema(), cutover.table(), cutover.column()).map(ColumnState::notNullState)
                .orElse(NotNullState.NONE);
        if (!state.refusesNewNulls()) {
            throw new CutoverException("Migration " + getVersion() + " ran, but " + cutover.subject() + " still accepts new NULLs "
                    + "(the catalog shows no constraint refusing them): another session dropped it meanwhile. Run the migration "
                    + "again.");
        }
        LOG.atInfo().addKeyValue("migration", getVersion()).addKeyValue("target", cutover.subject())
                .addKeyValue("state", state)
                .log("Migration {} enforces NOT NULL for new rows of {} ({}): {}", getVersion(), cutover.subject(), state, report);
    }
}
