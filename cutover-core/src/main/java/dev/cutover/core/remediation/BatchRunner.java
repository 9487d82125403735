package dev.cutover.core.remediation;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Identifiers;
import dev.cutover.core.internal.Sql;
import dev.cutover.core.internal.Target;
import dev.cutover.core.internal.Masking;
import dev.cutover.core.internal.Values;
import dev.cutover.core.internal.Catalog;
import dev.cutover.core.internal.Texts;
import dev.cutover.core.internal.Retries;

import io.github.resilience4j.retry.Retry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.QueryPart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs short transactions on one connection, each with {@code lock_timeout},
 * {@code statement_timeout} and {@code application_name} set for that transaction only,
 * retrying transient failures in a new transaction (and, after a lost connection, on a new
 * connection) with exponential backoff and jitter. Single-threaded.
 */
final class BatchRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("dev.cutover.core.remediation.Remediation");
    private static final Set<String> TRANSIENT = Set.of("55P03", "40001", "40P01", "57P01", "57P02", "57P03");

    /** Work in one transaction. */
    @FunctionalInterface
    interface Work<T> {
        T apply(Connection connection, DSLContext dsl) throws SQLException;
    }

    /**
     * Work that changes data with one statement, sent in the same round trip as the settings
     * ({@code settings}, a {@code SELECT set_config(...)}; {@code null} when there are none): see
     * {@link BatchRunner#inOneRoundTrip}. The connection is in autocommit mode; any other
     * statement the work sends is a transaction of its own, so it may only read.
     */
    @FunctionalInterface
    interface OneTrip<T> {
        T apply(Connection connection, DSLContext dsl, QueryPart settings) throws SQLException;
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
    private final Sql.Timeouts timeouts;
    private final Duration maxRetryTime;
    private final String subject;
    private final Retry retry;
    private final RetryListener onRetry;
    private Connection connection;
    private long batchStart;
    private long retries;

    BatchRunner(DataSource dataSource, String applicationName, Duration lockTimeout, Duration statementTimeout,
                int maxAttempts, Duration maxRetryTime, String subject, RetryListener onRetry) {
        this.dataSource = dataSource;
        this.applicationName = applicationName;
        this.timeouts = Sql.Timeouts.statement(statementTimeout).lock(lockTimeout).applicationName(applicationName);
        this.maxRetryTime = maxRetryTime;
        this.subject = subject;
        this.onRetry = onRetry;
        this.retry = Retries.backoff("cutover-" + applicationName, maxAttempts, Duration.ofMillis(50), Duration.ofSeconds(5),
                () -> Long.MAX_VALUE, this::worthRetrying);
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
     * Runs {@code work} that changes data with one statement only, retried as described above.
     * It runs in a transaction like any other, so that its settings stay transaction-local.
     */
    <T> Done<T> inAutocommit(Work<T> work) throws Exception {
        return run(work, true);
    }

    /**
     * Runs {@code work}, one statement that changes data, in a single round trip: the
     * transaction-local settings and the statement go to the server together and form one
     * implicit transaction, committed by the server when the statement succeeds and rolled back,
     * settings included, when it fails; no {@code BEGIN} or {@code COMMIT} of their own. Retried
     * as {@link #inTransaction} is.
     */
    <T> Done<T> inOneRoundTrip(OneTrip<T> work) throws Exception {
        QueryPart settings = Sql.localSettings(timeouts);
        return timed(() -> {
            Connection c = connection();
            boolean autoCommit = c.getAutoCommit();
            try {
                if (!autoCommit) {
                    c.setAutoCommit(true);
                }
                return work.apply(c, Sql.dsl(c), settings);
            } catch (SQLException | RuntimeException | Error e) {
                failed(c, e);
                throw e;
            } finally {
                if (!autoCommit && connection == c) {
                    c.setAutoCommit(false);
                }
            }
        });
    }

    private <T> Done<T> run(Work<T> work, boolean autocommit) throws Exception {
        return timed(() -> attempt(work));
    }

    private <T> Done<T> timed(java.util.concurrent.Callable<T> attempt) throws Exception {
        batchStart = System.nanoTime();
        int[] attempts = {0};
        long[] took = {0};
        T value = retry.executeCallable(() -> {
            attempts[0]++;
            long start = System.nanoTime();
            T result = attempt.call();
            took[0] = System.nanoTime() - start;
            return result;
        });
        return new Done<>(value, attempts[0], Duration.ofNanos(took[0]));
    }

    /** Drops the connection after a failure that may have left it unusable. */
    private void failed(Connection c, Throwable e) throws SQLException {
        String state = Sql.sqlState(e);
        if (state == null || state.startsWith("08") || state.startsWith("57P") || c.isClosed()) {
            discard();
        }
    }

    private <T> T attempt(Work<T> work) throws SQLException {
        Connection c = connection();
        try {
            return Sql.transaction(c, timeouts, dsl -> work.apply(c, dsl));
        } catch (SQLException | RuntimeException | Error e) {
            failed(c, e);
            throw e;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = dataSource.getConnection();
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
        discard();
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
