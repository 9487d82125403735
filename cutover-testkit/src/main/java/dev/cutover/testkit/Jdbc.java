package dev.cutover.testkit;

import dev.cutover.core.CutoverDatabaseException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/** The fixtures' own statements: one transaction each, names always quoted, the timeout for that transaction only. */
final class Jdbc {

    private static final Settings SETTINGS = new Settings().withRenderQuotedNames(RenderQuotedNames.ALWAYS)
            .withExecuteLogging(false);

    /** Work on one connection. */
    @FunctionalInterface
    interface Work<T> {
        T apply(DSLContext dsl) throws SQLException;
    }

    private Jdbc() {
    }

    static <T> T inTransaction(DataSource dataSource, Duration statementTimeout, String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                DSLContext dsl = DSL.using(connection, SQLDialect.POSTGRES, SETTINGS);
                dsl.select(DSL.function("set_config", String.class, DSL.val("statement_timeout"),
                        DSL.val(statementTimeout.toMillis() + "ms"), DSL.val(true))).fetch();
                T result = work.apply(dsl);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        } catch (SQLException | DataAccessException e) {
            String state = null;
            for (Throwable t = e; t != null && state == null; t = t.getCause()) {
                if (t instanceof SQLException sql) {
                    state = sql.getSQLState();
                }
            }
            throw new CutoverDatabaseException("Could not " + what + (state == null ? "" : " (SQLSTATE " + state + ")") + ": "
                    + e.getMessage(), state, e);
        }
    }
}
