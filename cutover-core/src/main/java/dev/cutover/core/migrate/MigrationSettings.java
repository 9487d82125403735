package dev.cutover.core.migrate;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** The settings of a {@code NotNullMigration}, checked by its builder. */
record MigrationSettings(CutoverDatabase db, NotNullCutover cutover, Duration lockTimeout, Duration deadline,
                                Duration validateTimeout, boolean replaceForeignKey,
                                List<Consumer<? super MigrationEvent>> listeners) {

    public MigrationSettings {
        listeners = List.copyOf(listeners);
    }

    @Override
    public String toString() {
        return cutover.subject() + ", lockTimeout " + lockTimeout.toMillis() + " ms, deadline " + deadline + ", validateTimeout "
                + validateTimeout + (replaceForeignKey ? ", replaceForeignKey" : "");
    }
}
