package dev.cutover.core.internal;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs short transactions on one connection, with {@code lock_timeout} and
 * {@code statement_timeout} set for its session (and restored on close), retrying transient failures in a new transaction (and, after a
 * lost connection, on a new connection) with exponential backoff and jitter. Single-threaded.
 */
final class BatchRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("dev.cutover.core.remediation.Remediation");
    private static final Set<String> TRANSIENT = Set.of("55P03", "40001", "40P01", "57P01", "57P02", "57P03");

    /** Work in one transaction. */
    @FunctionalInterface
    interface Work<T> {
        T apply(Connection connection, DSLContext dsl) throws SQLException;
    }

    /** Told before each retry: the failed attempt (from 1), its SQLSTATE and the wait. */
    @FunctionalInterface
    interface RetryListener {
        void retrying(int attempt, String sqlState, Duration wait);
    }

    /** A result, the attempts it took and the time of the successful transaction. */
    record Done<T>(T value, int attempts, Duration took) {
    }

    private final DataSource dataSource;
    private final String applicationName;
    private final Duration lockTimeout;
    private final Duration statementTimeout;
    private final Duration maxRetryTime;
    private final String subject;
    private final Retry retry;
    private final RetryListener onRetry;
    private Connection connection;
    private String[] previousSettings;
    private long batchStart;
    private long retries;

    BatchRunner(DataSource dataSource, String applicationName, Duration lockTimeout, Duration statementTimeout,
                int maxAttempts, Duration maxRetryTime, String subject, RetryListener onRetry) {
        this.dataSource = dataSource;
        this.applicationName = applicationName;
        this.lockTimeout = lockTimeout;
        this.statementTimeout = statementTimeout;
        this.maxRetryTime = maxRetryTime;
        this.subject = subject;
        this.onRetry = onRetry;
        IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(50), 2.0, 0.5, Duration.ofSeconds(5));
        RetryConfig config = RetryConfig.custom()
                .maxAttempts(maxAttempts)
                .intervalFunction(backoff)
                .retryOnException(this::worthRetrying)
                .build();
        this.retry = Retry.of("cutover-" + applicationName, config);
        retry.getEventPublisher().onRetry(e -> {
            retries++;
            LOG.atWarn().addKeyValue("target", subject).addKeyValue("attempt", e.getNumberOfRetryAttempts())
                    .addKeyValue("sqlState", Sql.sqlState(e.getLastThrowable()))
                    .addKeyValue("waitMillis", e.getWaitInterval().toMillis())
                    .log("Batch on {} failed ({}); retrying in a new transaction in {} ms", subject,
                            oneLine(e.getLastThrowable()), e.getWaitInterval().toMillis());
            onRetry.retrying(e.getNumberOfRetryAttempts(), Sql.sqlState(e.getLastThrowable()), e.getWaitInterval());
        });
    }

    /** Transient: lock timeout, serialization failure, deadlock, lost or terminated connection. */
    static boolean isTransient(Throwable e) {
        String state = Sql.sqlState(e);
        return state != null && (TRANSIENT.contains(state) || state.startsWith("08"));
    }

    private boolean worthRetrying(Throwable e) {
        long spentMillis = (System.nanoTime() - batchStart) / 1_000_000;
        return isTransient(e) && spentMillis < maxRetryTime.toMillis();
    }

    long retries() {
        return retries;
    }

    /** Runs {@code work} in a transaction, retried as described above; the last failure is thrown as it came. */
    <T> Done<T> inTransaction(Work<T> work) throws Exception {
        return run(work, false);
    }

    /**
     * Runs {@code work} in autocommit, retried as described above: for work that changes data
     * with one statement only, which is then its own transaction, without a round trip for the
     * commit. Its reads before that statement see the data as it is when each runs.
     */
    <T> Done<T> inAutocommit(Work<T> work) throws Exception {
        return run(work, true);
    }

    private <T> Done<T> run(Work<T> work, boolean autocommit) throws Exception {
        batchStart = System.nanoTime();
        int[] attempts = {0};
        long[] took = {0};
        T value = retry.executeCallable(() -> {
            attempts[0]++;
            long start = System.nanoTime();
            T result = attempt(work, autocommit);
            took[0] = System.nanoTime() - start;
            return result;
        });
        return new Done<>(value, attempts[0], Duration.ofNanos(took[0]));
    }

    private <T> T attempt(Work<T> work, boolean autocommit) throws SQLException {
        Connection c = connection();
        try {
            c.setAutoCommit(autocommit);
            T result = work.apply(c, Sql.dsl(c));
            if (!autocommit) {
                c.commit();
            }
            return result;
        } catch (SQLException | RuntimeException | Error e) {
            boolean keep = autocommit || rollback(c, e);
            String state = Sql.sqlState(e);
            if (!keep || state == null || state.startsWith("08") || state.startsWith("57P")) {
                discard();
            }
            throw e;
        }
    }

    private static boolean rollback(Connection c, Throwable cause) {
        try {
            c.rollback();
            return true;
        } catch (SQLException e) {
            cause.addSuppressed(e);
            return false;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = dataSource.getConnection();
            try {
                c.setAutoCommit(true);
                DSLContext dsl = Sql.dsl(c);
                // The timeouts hold for this connection's session while it runs batches; close() restores them.
                org.jooq.Record previous = dsl.fetchOne("select current_setting('application_name'), "
                        + "current_setting('statement_timeout'), current_setting('lock_timeout')");
                previousSettings = new String[] {previous.get(0, String.class), previous.get(1, String.class),
                    previous.get(2, String.class)};
                dsl.fetch("select set_config('application_name', ?, false), set_config('statement_timeout', ?, false), "
                        + "set_config('lock_timeout', ?, false)", applicationName, statementTimeout.toMillis() + "ms",
                        lockTimeout.toMillis() + "ms");
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
            connection = c;
        }
        return connection;
    }

    private void discard() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.atDebug().addKeyValue("target", subject).log("Closing a failed connection: {}", e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        Connection c = connection;
        if (c == null) {
            return;
        }
        try {
            c.setAutoCommit(true);
            Sql.dsl(c).fetch("select set_config('application_name', ?, false), set_config('statement_timeout', ?, false), "
                    + "set_config('lock_timeout', ?, false)", (Object[]) previousSettings);
        } catch (SQLException | RuntimeException e) {
            LOG.atDebug().addKeyValue("target", subject).log("Resetting application_name and the timeouts: {}", e.getMessage());
        } finally {
            discard();
        }
    }

    static String oneLine(Throwable e) {
        String state = Sql.sqlState(e);
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                root = t;
            }
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage().strip();
        int nl = message.indexOf('\n');
        message = nl < 0 ? message : message.substring(0, nl);
        return (state == null ? "" : "SQLSTATE " + state + ": ") + message;
    }
}
