package dev.cutover.testkit;

import dev.cutover.testkit.db.PostgresServer;
import dev.cutover.testkit.db.PostgresServers;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The server in the root store. JUnit 5.13 and later (6.x too) close {@link AutoCloseable}
 * values of a store; 5.12 closes only {@code CloseableResource}, deprecated since 5.13 but
 * still present in 6.0. Implementing both works on every line: newer JUnit closes it as an
 * {@code AutoCloseable} and does not close it again; {@link #close()} is idempotent anyway.
 *
 * <p>Only a server that was started for this store is stopped with it. One that was already
 * running (held by code outside the extension, or by an outer engine run when a test runs
 * JUnit's {@code EngineTestKit}) is left to its holder and to the JVM's shutdown hook.
 */
@SuppressWarnings("deprecation")
final class StoredServer implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    private final PostgresServer server;
    private final boolean startedHere;
    private boolean closed;

    StoredServer(PostgresServer server, boolean startedHere) {
        this.server = server;
        this.startedHere = startedHere;
    }

    PostgresServer server() {
        return server;
    }

    /** Stops the server when it was started for this store. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (startedHere) {
            PostgresServers.stop(server);
        }
    }
}
