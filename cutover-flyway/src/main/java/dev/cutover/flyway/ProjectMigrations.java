package dev.cutover.flyway;

import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.configuration.Configuration;

/**
 * The migrations of the project as Flyway resolves them and the schema history records them,
 * read once per migrate run before its first migration: which one is the cutover migration and
 * whether it is applied.
 *
 * @param cutoverFound   whether a resolved or applied migration is the cutover migration
 * @param cutoverApplied whether the cutover migration is recorded as applied successfully
 * @param listed         the migrations as the refusal names them, e.g. {@code 16 (applied), 17 (pending)}
 */
record ProjectMigrations(boolean cutoverFound, boolean cutoverApplied, String listed) {

    private static final int LISTED = 30;

    /**
     * Asks Flyway for the project's migrations with the running configuration, but without any
     * callback (this one included), on a connection of its own: it only reads the schema history.
     */
    static ProjectMigrations read(Configuration configuration, Predicate<MigrationInfo> isCutover, boolean byVersion) {
        MigrationInfo[] all = Flyway.configure(configuration.getClassLoader())
                .configuration(configuration)
                .callbacks(new Callback[0])
                .skipDefaultCallbacks(true)
                .load()
                .info()
                .all();
        boolean found = false;
        boolean applied = false;
        for (MigrationInfo info : all) {
            if (isCutover.test(info)) {
                found = true;
                applied |= info.getState().isApplied() && !info.getState().isFailed();
            }
        }
        List<MigrationInfo> named = java.util.Arrays.stream(all)
                .filter(i -> byVersion ? i.getVersion() != null : i.getScript() != null).toList();
        String listed = named.stream().limit(LISTED)
                .map(i -> (byVersion ? i.getVersion().getVersion() : i.getScript())
                        + (i.getState().isApplied() ? " (applied)" : " (pending)"))
                .collect(Collectors.joining(", "));
        if (named.size() > LISTED) {
            listed += " and " + (named.size() - LISTED) + " more";
        }
        return new ProjectMigrations(found, applied, named.isEmpty() ? "none" : listed);
    }
}
