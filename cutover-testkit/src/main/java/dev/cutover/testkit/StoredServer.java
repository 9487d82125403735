package dev.cutover.testkit;

import dev.cutover.testkit.db.PostgresServer;
import dev.cutover.testkit.db.PostgresServers;
import dev.cutover.testkit.db.ScratchDatabase;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server in the root store, and the databases it hands to test classes.
 *
 * <p>So that a test class does not wait for database work, the next class's database is
 * created in the background while the current class runs, and a finished class's database
 * is dropped in the background; {@link #close()} waits for both and drops the spare.
 *
 * <p>JUnit 5.13 and later (6.x too) close {@link AutoCloseable} values of a store; 5.12
 * closes only {@code CloseableResource}, deprecated since 5.13 but still present in 6.0.
 * Implementing both works on every line: newer JUnit closes it as an {@code AutoCloseable}
 * and does not close it again; {@link #close()} is idempotent anyway.
 *
 * <p>Only a server that was started for this store is stopped with it. One that was already
 * running (held by code outside the extension, or by an outer engine run when a test runs
 * JUnit's {@code EngineTestKit}) is left to its holder and to the JVM's shutdown hook.
 */
@SuppressWarnings("deprecation")
final class StoredServer implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverExtension.class);

    private final PostgresServer server;
    private final boolean startedHere;
    private final ExecutorService background = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "cutover-test-databases");
        thread.setDaemon(true);
        return thread;
    });
    private Future<ScratchDatabase> next;
    private boolean closed;

    StoredServer(PostgresServer server, boolean startedHere) {
        this.server = server;
        this.startedHere = startedHere;
    }

    PostgresServer server() {
        return server;
    }

    /** A fresh database: the one prepared in the background if it is ready or on its way, else a new one. */
    synchronized ScratchDatabase take() {
        if (closed) {
            throw new IllegalStateException("The test run has ended: " + server.description() + " hands out no more databases");
        }
        Future<ScratchDatabase> prepared = next;
        next = background.submit(server::createDatabase);
        if (prepared != null) {
            try {
                return prepared.get();
            } catch (ExecutionException e) {
                // Creating it again in the foreground fails with the same cause, reported where it belongs.
                LOG.atDebug().setCause(e.getCause()).log("A test database prepared in the background failed; creating one now");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for a test database on " + server.description(), e);
            }
        }
        return server.createDatabase();
    }

    /** Drops a class's database in the background. */
    synchronized void release(ScratchDatabase database) {
        if (closed) {
            drop(database);
        } else {
            background.submit(() -> drop(database));
        }
    }

    /** Waits for the background work, drops the spare database, and stops the server when it was started for this store. */
    @Override
    public void close() {
        Future<ScratchDatabase> spare;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            spare = next;
            next = null;
        }
        if (spare != null) {
            background.submit(() -> {
                try {
                    drop(spare.get());
                } catch (ExecutionException e) {
                    // It was never created: nothing to drop.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        background.shutdown();
        try {
            if (!background.awaitTermination(2, TimeUnit.MINUTES)) {
                LOG.atWarn().addKeyValue("server", server.description())
                        .log("Test databases on {} were still being created or dropped after 2 minutes", server.description());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (startedHere) {
            PostgresServers.stop(server);
        }
    }

    private void drop(ScratchDatabase database) {
        try {
            database.close();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("database", database.name()).setCause(e)
                    .log("Could not drop test database {}: {}", database.name(), e.getMessage());
        }
    }
}
