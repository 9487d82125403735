package dev.cutover.core.internal;

import dev.cutover.core.CutoverDatabaseException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.QueryPart;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderNameCase;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * The one place that decides how a statement runs: in a transaction of its own, nested in the
 * caller's transaction (a savepoint), or in autocommit; and the one place that sets
 * {@code statement_timeout}, {@code lock_timeout} and {@code application_name}, for the
 * transaction only, so that no setting outlives the work that needed it.
 */
public final class Sql {

    /** Every name quoted, exactly as given. */
    public static final Settings SETTINGS = new Settings()
            .withRenderQuotedNames(RenderQuotedNames.ALWAYS)
            .withRenderNameCase(RenderNameCase.AS_IS)
            .withExecuteLogging(false)
            .withRenderSchema(true);

    static {
        Jooq.quiet();
    }

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
     * The settings a piece of work needs, each applied for its transaction only
     * ({@code set_config(name, value, true)}), so none outlives it: safe in any pool and behind
     * PgBouncer in transaction mode. A {@code null} component is left as the session has it.
     *
     * @param statement       {@code statement_timeout}
     * @param lock            {@code lock_timeout}
     * @param applicationName {@code application_name}, shown in {@code pg_stat_activity}
     */
    public record Timeouts(Duration statement, Duration lock, String applicationName) {

        /** Only a {@code statement_timeout}. */
        public static Timeouts statement(Duration statement) {
            return new Timeouts(statement, null, null);
        }

        /** The same, with a {@code lock_timeout}. */
        public Timeouts lock(Duration timeout) {
            return new Timeouts(statement, timeout, applicationName);
        }

        /** The same, with an {@code application_name}. */
        public Timeouts applicationName(String name) {
            return new Timeouts(statement, lock, name);
        }

        List<String[]> settings() {
            List<String[]> out = new ArrayList<>(3);
            if (statement != null) {
                out.add(new String[] {"statement_timeout", statement.toMillis() + "ms"});
            }
            if (lock != null) {
                out.add(new String[] {"lock_timeout", lock.toMillis() + "ms"});
            }
            if (applicationName != null) {
                out.add(new String[] {"application_name", applicationName});
            }
            return out;
        }
    }

    /** Shorthand for {@link #inTransaction(DataSource, Timeouts, String, Work)} with a statement timeout only. */
    public static <T> T inTransaction(DataSource dataSource, Duration statementTimeout, String what, Work<T> work) {
        return inTransaction(dataSource, Timeouts.statement(statementTimeout), what, work);
    }

    /**
     * Runs {@code work} in one transaction of its own, on a connection of its own, with the
     * settings applied for that transaction only, then commits; rolls back on any failure.
     *
     * @param what what is being done, for the error message ("count NULL rows of public.t.c")
     */
    public static <T> T inTransaction(DataSource dataSource, Timeouts timeouts, String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return transaction(connection, timeouts, work);
        } catch (SQLException | DataAccessException e) {
            throw translate(what, e);
        }
    }

    /**
     * Runs {@code work} on a connection the caller owns. In autocommit mode it gets a transaction
     * of its own, as above. Inside the caller's transaction it runs nested, in a savepoint: a
     * failure rolls back only its own work, and the settings it changed are set back to what the
     * caller's transaction had before, on every path.
     */
    public static <T> T onConnection(Connection connection, Timeouts timeouts, String what, Work<T> work) {
        try {
            if (connection.getAutoCommit()) {
                return transaction(connection, timeouts, work);
            }
            return nested(connection, timeouts, work);
        } catch (SQLException | DataAccessException e) {
            throw translate(what, e);
        }
    }

    /**
     * Runs {@code work} in a transaction on a connection the caller owns and keeps (a batch
     * runner's), with the settings for that transaction only; commits, or rolls back and
     * rethrows as it came, for the caller to retry.
     */
    public static <T> T transaction(Connection connection, Timeouts timeouts, Work<T> work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            DSLContext dsl = dsl(connection);
            applyLocal(dsl, timeouts);
            T result = work.apply(dsl);
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException | Error e) {
            rollbackQuietly(connection, e);
            throw e;
        } finally {
            restoreAutoCommit(connection, autoCommit);
        }
    }

    private static void restoreAutoCommit(Connection connection, boolean autoCommit) {
        try {
            connection.setAutoCommit(autoCommit);
        } catch (SQLException e) {
            // The connection is broken; its pool finds out when it validates it.
        }
    }

    private static <T> T nested(Connection connection, Timeouts timeouts, Work<T> work) throws SQLException {
        DSLContext dsl = dsl(connection);
        List<String[]> previous = current(dsl, timeouts);
        Savepoint savepoint = connection.setSavepoint();
        try {
            applyLocal(dsl, timeouts);
            T result = work.apply(dsl);
            apply(dsl, previous, true);
            connection.releaseSavepoint(savepoint);
            return result;
        } catch (SQLException | RuntimeException | Error e) {
            try {
                // Rolling back to the savepoint also undoes the settings made after it.
                connection.rollback(savepoint);
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
    }

    /**
     * Runs {@code work} on one connection in autocommit mode, for statements that refuse a
     * transaction ({@code CREATE INDEX CONCURRENTLY}). The settings can only be set for the
     * session here: each is read first and set back to its previous value on every path.
     */
    public static <T> T autocommit(DataSource dataSource, Timeouts timeouts, String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(true);
            DSLContext dsl = dsl(connection);
            List<String[]> previous = current(dsl, timeouts);
            try {
                apply(dsl, timeouts.settings(), false);
                return work.apply(dsl);
            } finally {
                try {
                    apply(dsl, previous, false);
                } finally {
                    connection.setAutoCommit(autoCommit);
                }
            }
        } catch (SQLException | DataAccessException e) {
            throw translate(what, e);
        }
    }

    /** Runs {@code work} on one connection in autocommit mode, with no setting changed. */
    public static <T> T autocommit(DataSource dataSource, String what, Work<T> work) {
        return autocommit(dataSource, new Timeouts(null, null, null), what, work);
    }

    /**
     * The settings as one {@code SELECT set_config(name, value, true), ...} (values as bind
     * parameters), for work that sends it in the same round trip as its statement: the two then
     * form one implicit transaction, which the server commits when the statement succeeds and
     * rolls back, settings included, when it fails. {@code null} when there is nothing to set.
     */
    public static QueryPart localSettings(Timeouts timeouts) {
        List<String[]> settings = timeouts.settings();
        if (settings.isEmpty()) {
            return null;
        }
        List<Field<String>> calls = new ArrayList<>();
        for (String[] s : settings) {
            calls.add(DSL.function("set_config", String.class, DSL.val(s[0]), DSL.val(s[1]), DSL.val(true)));
        }
        return DSL.select(calls);
    }

    /** Applies the settings for the current transaction only, in one statement, values as bind parameters. */
    public static void applyLocal(DSLContext dsl, Timeouts timeouts) {
        apply(dsl, timeouts.settings(), true);
    }

    private static void apply(DSLContext dsl, List<String[]> settings, boolean local) {
        if (settings.isEmpty()) {
            return;
        }
        List<Field<String>> calls = new ArrayList<>();
        for (String[] s : settings) {
            calls.add(DSL.function("set_config", String.class, DSL.val(s[0]), DSL.val(s[1]), DSL.val(local)));
        }
        dsl.select(calls).fetch();
    }

    private static List<String[]> current(DSLContext dsl, Timeouts timeouts) {
        List<String[]> settings = timeouts.settings();
        if (settings.isEmpty()) {
            return settings;
        }
        List<Field<String>> reads = new ArrayList<>();
        for (String[] s : settings) {
            reads.add(DSL.function("current_setting", String.class, DSL.val(s[0])));
        }
        org.jooq.Record row = dsl.select(reads).fetchOne();
        List<String[]> previous = new ArrayList<>();
        for (int i = 0; i < settings.size(); i++) {
            previous.add(new String[] {settings.get(i)[0], row.get(i, String.class)});
        }
        return previous;
    }

    /** {@code set_config(name, value, true)}: a setting for the current transaction, value as a bind parameter. */
    public static void setLocal(DSLContext dsl, String setting, String value) {
        dsl.select(DSL.function("set_config", String.class, DSL.val(setting), DSL.val(value), DSL.val(true))).fetch();
    }

    /**
     * The DDL statements a piece of work would run against an empty schema, rendered and not
     * run (the work's catalog reads see nothing): one place for a state table's DDL, used both
     * to create it when missing and to write it into a script for the migration role.
     */
    public static List<String> renderDdl(java.util.function.BiConsumer<DSLContext, String> ddl, String schema) {
        List<String> statements = new ArrayList<>();
        DSLContext empty = DSL.using(SQLDialect.POSTGRES, SETTINGS);
        org.jooq.tools.jdbc.MockDataProvider recorder = context -> {
            String sql = context.sql().strip();
            if (sql.regionMatches(true, 0, "select", 0, 6) || sql.regionMatches(true, 0, "with", 0, 4)) {
                return new org.jooq.tools.jdbc.MockResult[] {
                    new org.jooq.tools.jdbc.MockResult(0, empty.newResult(DSL.field(DSL.name("x"))))};
            }
            statements.add(sql);
            return new org.jooq.tools.jdbc.MockResult[] {new org.jooq.tools.jdbc.MockResult(0)};
        };
        ddl.accept(DSL.using(new org.jooq.tools.jdbc.MockConnection(recorder), SQLDialect.POSTGRES, SETTINGS), schema);
        return List.copyOf(statements);
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
