package dev.cutover.flyway;

import java.sql.Connection;
import java.util.function.Function;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * The project's migrations as read for the current migrate run. A run is recognised without
 * {@code BEFORE_MIGRATE}, which Flyway would run on a connection of its own (one pool slot more
 * than Flyway needs otherwise): what was read is kept for the connection it was read on only,
 * and forgotten at {@code BEFORE_VALIDATE} (on Flyway's main connection, before each migrate
 * that validates) and at {@code AFTER_CONNECT} (on the migration connection, once per migrate,
 * in the Flyway versions that have it).
 */
final class ProjectCache {

    private record Entry(Connection connection, ProjectMigrations migrations) {
    }

    private volatile Entry entry;

    /** Whether this event starts a run, so that what was read before is forgotten. */
    static boolean startsRun(Event event) {
        return event == Event.BEFORE_VALIDATE || "AFTER_CONNECT".equals(event.name());
    }

    void forget() {
        entry = null;
    }

    /** What was read on the context's connection in this run, else what {@code reader} reads now. */
    ProjectMigrations read(Context context, Function<Context, ProjectMigrations> reader) {
        Entry known = entry;
        if (known == null || known.connection() != context.getConnection()) {
            known = new Entry(context.getConnection(), reader.apply(context));
            entry = known;
        }
        return known.migrations();
    }

    /** What was read on the context's connection in this run, or {@code null}. */
    ProjectMigrations current(Context context) {
        Entry known = entry;
        return known != null && known.connection() == context.getConnection() ? known.migrations() : null;
    }

    /** Records that the cutover migration has just been applied in this run. */
    void cutoverApplied(Context context) {
        ProjectMigrations known = current(context);
        if (known != null) {
            entry = new Entry(context.getConnection(), known.applied());
        }
    }
}
