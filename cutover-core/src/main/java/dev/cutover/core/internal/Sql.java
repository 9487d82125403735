package dev.cutover.core.internal;

import dev.cutover.core.CutoverDatabaseException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderNameCase;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/** Connections, transactions and timeouts in one place, so every statement gets the same care. */
public final class Sql {

    /** Every name quoted, exactly as given. */
    public static final Settings SETTINGS = new Settings()
            .withRenderQuotedNames(RenderQuotedNames.ALWAYS)
            .withRenderNameCase(RenderNameCase.AS_IS)
            .withExecuteLogging(false)
            .withRenderSchema(true);

    private Sql() {
    }

    /** Work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(DSLContext dsl) throws SQLException;
    }

    /** A jOOQ context on this connection. */
    public static DSLContext dsl(Connection connection) {
        return DSL.using(connection, SQLDialect.POSTGRES, SETTINGS);
    }

    /** A jOOQ context for rendering only. */
    public static DSLContext renderer() {
        return DSL.using(SQLDialect.POSTGRES, SETTINGS);
    }

    /**
     * Runs {@code work} in one transaction with {@code statement_timeout} set for that
     * transaction only ({@code SET LOCAL}), then commits; rolls back on any failure.
     *
     * @param what what is being done, for the error message ("count NULL rows of public.t.c")
     */
    public static <T> T inTransaction(DataSource dataSource, Duration statementTimeout, String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                DSLContext dsl = dsl(connection);
                setLocal(dsl, "statement_timeout", statementTimeout.toMillis() + "ms");
                T result = work.apply(dsl);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(connection, e);
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException | DataAccessException e) {
            throw translate(what, e);
        }
    }

    /** Runs {@code work} on one connection in autocommit mode (for statements that refuse a transaction). */
    public static <T> T autocommit(DataSource dataSource, String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(true);
            try {
                return work.apply(dsl(connection));
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException | DataAccessException e) {
            throw translate(what, e);
        }
    }

    /** {@code set_config(name, value, true)}: a setting for the current transaction, value as a bind parameter. */
    public static void setLocal(DSLContext dsl, String setting, String value) {
        dsl.select(DSL.function("set_config", String.class, DSL.val(setting), DSL.val(value), DSL.val(true))).fetch();
    }

    /** The SQLSTATE of a driver or jOOQ exception, or {@code null}. */
    public static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    /** A {@link CutoverDatabaseException} saying what failed, with the server's SQLSTATE and words. */
    public static CutoverDatabaseException translate(String what, Exception e) {
        String state = sqlState(e);
        String message = rootMessage(e);
        String hint = switch (state == null ? "" : state) {
            case "57014" -> " The statement ran into its statement_timeout: raise probeTimeout, or, for NULL counts on a "
                    + "big table, create the partial index with NullProbe.createNullIndex().";
            case "55P03" -> " A lock could not be had within lock_timeout; another transaction holds the table or rows.";
            default -> "";
        };
        return new CutoverDatabaseException("Could not " + what + (state == null ? "" : " (SQLSTATE " + state + ")")
                + ": " + message + "." + hint, state, e);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t instanceof DataAccessException && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        message = message.strip();
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }

    private static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
