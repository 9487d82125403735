package dev.cutover.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's database in the class's store, dropped when JUnit closes that store after
 * the class. Both close interfaces, for the reason given on {@link StoredServer}.
 */
@SuppressWarnings("deprecation")
final class StoredDatabase implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    private final DefaultTestDatabase database;
    private boolean closed;

    StoredDatabase(DefaultTestDatabase database) {
        this.database = database;
    }

    DefaultTestDatabase database() {
        return database;
    }

    /** Disconnects the database's sessions and drops it. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            database.drop();
        }
    }
}
