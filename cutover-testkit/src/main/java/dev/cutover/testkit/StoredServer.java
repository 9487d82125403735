package dev.cutover.testkit;

import dev.cutover.testkit.db.PostgresServer;
import dev.cutover.testkit.db.PostgresServers;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The server in the root store. JUnit 5.13 and later (6.x too) close {@link AutoCloseable}
 * values of a store; 5.12 closes only {@code CloseableResource}, deprecated since 5.13 but
 * still present in 6.0. Implementing both works on every line: newer JUnit closes it as an
 * {@code AutoCloseable} and does not close it again; {@link #close()} is idempotent anyway.
 */
@SuppressWarnings("deprecation")
final class StoredServer implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    private final PostgresServer server;
    private final boolean owned;
    private boolean closed;

    StoredServer(PostgresServer server, boolean owned) {
        this.server = server;
        this.owned = owned;
    }

    PostgresServer server() {
        return server;
    }

    /** Stops the server when the extension started it; a server handed to the builder is left alone. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (owned) {
                PostgresServers.stop(server);
            }
        }
    }
}
