package dev.cutover.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's database in the class's store, handed back to its server (which drops it)
 * when JUnit closes that store after the class. Both close interfaces, for the reason given
 * on {@link StoredServer}.
 */
@SuppressWarnings("deprecation")
final class StoredDatabase implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    private final StoredServer server;
    private final DefaultTestDatabase database;
    private boolean closed;

    StoredDatabase(StoredServer server, DefaultTestDatabase database) {
        this.server = server;
        this.database = database;
    }

    DefaultTestDatabase database() {
        return database;
    }

    /** Drops the database (in the background; the run waits for it before it ends). */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            server.release(database.scratch());
        }
    }
}
