package dev.cutover.cli;

import dev.cutover.core.CutoverDatabase;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * One fleet worker's connections: one connection per database, taken from the database's pool
 * when the worker first needs it and held until the worker ends, so that a worker going
 * through hundreds of tenant schemas opens no connection and builds no jOOQ context per schema.
 * The library's reads run on it through a data source that always hands out this connection
 * (closing it there gives nothing back); each of them is its own transaction with
 * transaction-local settings, so nothing carries from one target to the next. Used by one
 * thread at a time.
 */
final class Worker implements AutoCloseable {

    /** What a worker holds for one database. */
    record Held(Connection connection, CutoverDatabase database, DSLContext dsl) {
    }

    private final Connections connections;
    private final Map<String, Held> held = new LinkedHashMap<>();

    Worker(Connections connections) {
        this.connections = connections;
    }

    /** The connection, database and jOOQ context this worker holds for the target's database. */
    Held on(Target target) {
        String url = target.address().url();
        Held h = held.get(url);
        if (h == null) {
            Connection c;
            try {
                c = connections.pool(url).getConnection();
            } catch (SQLException e) {
                throw new dev.cutover.core.CutoverDatabaseException("Could not connect to " + target.address().display() + ": "
                        + e.getMessage(), e.getSQLState(), e);
            }
            try {
                CutoverDatabase db = connections.database(single(c));
                h = new Held(c, db, DSL.using(c, SQLDialect.POSTGRES));
            } catch (RuntimeException e) {
                closeQuietly(c);
                throw e;
            }
            held.put(url, h);
        }
        return h;
    }

    /** Gives every held connection back to its pool. */
    @Override
    public void close() {
        held.values().forEach(h -> closeQuietly(h.connection()));
        held.clear();
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // the pool replaces a broken connection
        }
    }

    /** A data source that always hands out {@code connection}; closing what it hands out does nothing. */
    static DataSource single(Connection connection) {
        InvocationHandler handler = (proxy, method, args) -> {
            switch (method.getName()) {
                case "close":
                    return null;
                case "isClosed":
                    return connection.isClosed();
                case "unwrap":
                    return ((Class<?>) args[0]).isInstance(connection) ? connection : connection.unwrap((Class<?>) args[0]);
                case "isWrapperFor":
                    return ((Class<?>) args[0]).isInstance(connection) || connection.isWrapperFor((Class<?>) args[0]);
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                case "toString":
                    return "held " + connection;
                default:
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
            }
        };
        Connection unclosable = (Connection) Proxy.newProxyInstance(Worker.class.getClassLoader(),
                new Class<?>[] {Connection.class}, handler);
        return new DataSource() {
            @Override
            public Connection getConnection() {
                return unclosable;
            }

            @Override
            public Connection getConnection(String user, String password) {
                return unclosable;
            }

            @Override
            public PrintWriter getLogWriter() {
                return null;
            }

            @Override
            public void setLogWriter(PrintWriter out) {
                // no log writer
            }

            @Override
            public void setLoginTimeout(int seconds) {
                // the pool's timeout applies
            }

            @Override
            public int getLoginTimeout() {
                return 0;
            }

            @Override
            public Logger getParentLogger() throws SQLFeatureNotSupportedException {
                throw new SQLFeatureNotSupportedException();
            }

            @Override
            public <T> T unwrap(Class<T> iface) throws SQLException {
                throw new SQLException("not a wrapper");
            }

            @Override
            public boolean isWrapperFor(Class<?> iface) {
                return false;
            }
        };
    }
}
