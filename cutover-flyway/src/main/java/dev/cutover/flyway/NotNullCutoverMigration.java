package dev.cutover.flyway;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.migrate.MigrationReport;
import dev.cutover.core.migrate.NotNullMigration;
import javax.sql.DataSource;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flyway Java migration that makes the cutover's column NOT NULL (and adds its foreign key)
 * with the zero-downtime sequence of {@link NotNullMigration}: each step its own short
 * transaction with a short {@code lock_timeout}, long transactions waited out rather than
 * queued behind, retries up to a deadline. It is not run inside one big transaction
 * ({@link #canExecuteInTransaction()} is {@code false}): every step is committed as it
 * finishes, and running it again after a failure finishes the job.
 *
 * <p>Name the subclass as Flyway names migrations, and put it where Flyway looks for them:
 *
 * <pre>{@code
 * package db.migration;
 *
 * public class V17__user_org_not_null extends NotNullCutoverMigration {
 *     @Override
 *     protected NotNullCutover cutover() {
 *         return Cutovers.USER_ORGANIZATION;      // the application's NotNullCutover
 *     }
 *
 *     @Override
 *     protected NotNullMigration.Builder configure(NotNullMigration.Builder migration) {
 *         return migration.lockTimeout(Duration.ofMillis(100));   // optional
 *     }
 * }
 * }</pre>
 *
 * Together with {@link CutoverCallback} for the same version, the migration is also refused
 * before it starts while NULL rows remain, and verified after it ran. On its own it refuses
 * too ({@code MigrationBlockedException}), changing nothing.
 */
public abstract class NotNullCutoverMigration extends BaseJavaMigration {

    private static final Logger LOG = LoggerFactory.getLogger(NotNullCutoverMigration.class);

    /** The cutover this migration completes. */
    protected abstract NotNullCutover cutover();

    /** Adjusts the migration (lock timeout, deadline, ...); by default it is left as it is. */
    protected NotNullMigration.Builder configure(NotNullMigration.Builder migration) {
        return migration;
    }

    /** {@code false}: each step commits on its own; one transaction around all of them would hold every lock to the end. */
    @Override
    public final boolean canExecuteInTransaction() {
        return false;
    }

    @Override
    public final void migrate(Context context) {
        // The steps run on connections of their own from Flyway's data source: outside a
        // transaction nothing of the migration is uncommitted, so they see all that Flyway did.
        DataSource dataSource = context.getConfiguration().getDataSource();
        NotNullCutover cutover = cutover();
        CutoverDatabase db = CutoverDatabase.of(dataSource);
        MigrationReport report = configure(NotNullMigration.builder(db, cutover)).build().run();
        LOG.atInfo().addKeyValue("migration", getVersion()).addKeyValue("target", cutover.subject())
                .log("Migration {} made {} NOT NULL: {}", getVersion(), cutover.subject(), report);
    }
}
