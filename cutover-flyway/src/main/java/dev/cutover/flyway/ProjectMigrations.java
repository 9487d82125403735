package dev.cutover.flyway;

import dev.cutover.flyway.internal.FlywayConnectionDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.configuration.Configuration;

/**
 * The migrations of the project as Flyway resolves them and the schema history records them,
 * read once per migrate run before its first migration: which one is the cutover migration and
 * whether it is applied.
 *
 * @param cutoverFound   whether a resolved or applied migration is the cutover migration
 * @param cutoverApplied   whether the cutover migration is recorded as applied successfully
 * @param cutoverBaselined whether the cutover migration is below the baseline ({@code baselineOnMigrate},
 *                         {@code baseline}): the schema was taken over as it was, its effect included
 * @param listed           the migrations as the refusal names them, e.g. {@code 16 (applied), 17 (pending)}
 */
record ProjectMigrations(boolean cutoverFound, boolean cutoverApplied, boolean cutoverBaselined, String listed) {

    /** The same, with the cutover migration counted as applied. */
    ProjectMigrations applied() {
        return new ProjectMigrations(true, true, cutoverBaselined, listed);
    }

    private static final int LISTED = 30;

    /**
     * Asks Flyway for the project's migrations with the running configuration, but without any
     * callback (this one included), on Flyway's own connection: no second connection is taken
     * from the pool, so a pool that is large enough for Flyway alone is large enough with the
     * callback. The reading runs in a savepoint of Flyway's transaction (or, when Flyway's
     * connection is in autocommit mode, in a transaction of its own) that is rolled back
     * afterwards, so whatever Flyway's reading sets on the connection is set back and nothing
     * is committed.
     */
    static ProjectMigrations read(Configuration configuration, Connection connection, Predicate<MigrationInfo> isCutover,
            boolean byVersion) {
        MigrationInfo[] all = readAll(configuration, connection);
        boolean found = false;
        boolean applied = false;
        boolean baselined = false;
        for (MigrationInfo info : all) {
            if (isCutover.test(info)) {
                found = true;
                // The baseline row at the cutover's version counts as a baseline, not as the cutover migration run.
                boolean baseline = Set.of("BELOW_BASELINE", "BASELINE", "BASELINE_IGNORED").contains(info.getState().name());
                applied |= !baseline && info.getState().isApplied() && !info.getState().isFailed();
                baselined |= baseline;
            }
        }
        List<MigrationInfo> named = Arrays.stream(all)
                .filter(i -> byVersion ? i.getVersion() != null : i.getScript() != null).toList();
        String listed = named.stream().limit(LISTED)
                .map(i -> (byVersion ? i.getVersion().getVersion() : i.getScript())
                        + (i.getState().isApplied() ? " (applied)" : " (pending)"))
                .collect(Collectors.joining(", "));
        if (named.size() > LISTED) {
            listed += " and " + (named.size() - LISTED) + " more";
        }
        return new ProjectMigrations(found, applied, baselined, named.isEmpty() ? "none" : listed);
    }

    private static MigrationInfo[] readAll(Configuration configuration, Connection connection) {
        try {
            boolean autoCommit = connection.getAutoCommit();
            Savepoint savepoint = autoCommit ? null : connection.setSavepoint();
            if (autoCommit) {
                connection.setAutoCommit(false);
            }
            try {
                return Flyway.configure(configuration.getClassLoader())
                        .configuration(configuration)
                        .dataSource(new FlywayConnectionDataSource(connection))
                        .callbacks(new Callback[0])
                        .skipDefaultCallbacks(true)
                        .load()
                        .info()
                        .all();
            } finally {
                if (autoCommit) {
                    connection.rollback();
                    connection.setAutoCommit(true);
                } else {
                    connection.rollback(savepoint);
                    connection.releaseSavepoint(savepoint);
                }
            }
        } catch (SQLException e) {
            throw new FlywayException("Could not read the project's migrations on Flyway's connection: " + e.getMessage(), e);
        }
    }
}
