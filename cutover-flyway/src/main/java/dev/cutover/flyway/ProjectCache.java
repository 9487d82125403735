package dev.cutover.flyway;

import java.sql.Connection;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * The project's migrations as read for the current migrate run, kept for the connection they
 * were read on only. The end of a run is recognised from events that Flyway hands to a callback
 * without any statement of its own, so that a run with nothing to migrate costs no round trip:
 * {@code AFTER_MIGRATE_OPERATION_FINISH} (and {@code AFTER_UNDO_OPERATION_FINISH}) after a run
 * that succeeded, {@code AFTER_EACH_MIGRATE_ERROR} (and undo's) after a migration that failed, and
 * any refusal of the callback itself. A run that ended otherwise is recognised when a migration
 * it announced already comes again: what was read is then read anew. With a Flyway that has no
 * {@code AFTER_MIGRATE_OPERATION_FINISH}, what was read is forgotten at {@code BEFORE_VALIDATE}
 * and {@code AFTER_CONNECT} (each costs Flyway a few statements of its own on its connection).
 */
final class ProjectCache {

    /** Whether this Flyway's callback events include the operation-finish events. */
    private static final boolean FINISH_EVENTS = Arrays.stream(Event.values())
            .anyMatch(e -> e.name().equals("AFTER_MIGRATE_OPERATION_FINISH"));

    private record Entry(Connection connection, ProjectMigrations migrations, Set<String> announced) {
    }

    private volatile Entry entry;

    /** Whether this event ends (or, with an older Flyway, starts) a run, so that what was read is forgotten. */
    static boolean forgets(Event event) {
        String name = event.name();
        if (!FINISH_EVENTS) {
            return event == Event.BEFORE_VALIDATE || "AFTER_CONNECT".equals(name);
        }
        return name.equals("AFTER_MIGRATE_OPERATION_FINISH") || name.equals("AFTER_UNDO_OPERATION_FINISH");
    }

    void forget() {
        entry = null;
    }

    /**
     * What was read on the context's connection in this run, else what {@code reader} reads now.
     * Called before each migration: one announced before on the same connection belongs to a
     * new run whose start was not seen, so the migrations are read anew.
     */
    ProjectMigrations read(Context context, Function<Context, ProjectMigrations> reader, boolean undo) {
        String migration = key(context.getMigrationInfo(), undo);
        Entry known = entry;
        if (known == null || known.connection() != context.getConnection() || !known.announced().add(migration)) {
            Set<String> announced = Collections.synchronizedSet(new HashSet<>());
            announced.add(migration);
            known = new Entry(context.getConnection(), reader.apply(context), announced);
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
        Entry known = entry;
        if (known != null && known.connection() == context.getConnection()) {
            entry = new Entry(known.connection(), known.migrations().applied(), known.announced());
        }
    }

    private static String key(MigrationInfo info, boolean undo) {
        return (undo ? "undo " : "migrate ") + (info.getVersion() != null ? info.getVersion().getVersion() : "") + " "
                + info.getScript() + " " + info.getChecksum();
    }
}
