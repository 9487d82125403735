package dev.cutover.core.gate;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The monitor's view of the application's data source: it knows the statements running on
 * the connections it handed out, so that closing the monitor cancels them
 * ({@link Statement#cancel()}), and once closed it refuses new connections, new statements
 * and every commit, so that nothing is stored after the monitor was closed.
 */
final class CancellableDataSource implements DataSource {

    private static final String CLOSED = "57014";

    private final DataSource delegate;
    private final Set<Statement> statements = ConcurrentHashMap.newKeySet();
    private final Object commits = new Object();
    private volatile boolean closed;

    CancellableDataSource(DataSource delegate) {
        this.delegate = delegate;
    }

    /** Refuses from now on, and cancels what runs. */
    void close() {
        synchronized (commits) {
            closed = true;
        }
        cancelRunning();
    }

    /** Cancels every statement running now. */
    void cancelRunning() {
        for (Statement statement : statements) {
            try {
                statement.cancel();
            } catch (SQLException | RuntimeException e) {
                // Closed meanwhile, or the server is gone: nothing runs.
            }
        }
    }

    private void refuseWhenClosed() throws SQLException {
        if (closed) {
            throw new SQLException("the monitor is closed", CLOSED);
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        refuseWhenClosed();
        return wrap(delegate.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        refuseWhenClosed();
        return wrap(delegate.getConnection(username, password));
    }

    private Connection wrap(Connection connection) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                new OnConnection(connection));
    }

    private final class OnConnection implements InvocationHandler {
        private final Connection target;
        private final Set<Statement> own = ConcurrentHashMap.newKeySet();

        OnConnection(Connection target) {
            this.target = target;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.equals("commit")) {
                synchronized (commits) {
                    if (closed) {
                        target.rollback();
                    }
                    refuseWhenClosed();
                    return call(target, method, args);
                }
            }
            if (name.equals("close")) {
                // Closing a connection closes its statements, whether or not they were closed one by one.
                statements.removeAll(own);
                own.clear();
                return call(target, method, args);
            }
            boolean statement = Statement.class.isAssignableFrom(method.getReturnType());
            if (statement) {
                refuseWhenClosed();
            }
            Object result = call(target, method, args);
            if (statement && result != null) {
                Statement real = (Statement) result;
                statements.add(real);
                own.add(real);
                return Proxy.newProxyInstance(Statement.class.getClassLoader(), new Class<?>[] {method.getReturnType()},
                        new OnStatement(real, (Connection) proxy));
            }
            return result;
        }
    }

    private final class OnStatement implements InvocationHandler {
        private final Statement target;
        private final Connection connection;

        OnStatement(Statement target, Connection connection) {
            this.target = target;
            this.connection = connection;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.equals("close")) {
                statements.remove(target);
            } else if (name.startsWith("execute")) {
                refuseWhenClosed();
            } else if (name.equals("getConnection")) {
                return connection;
            }
            return call(target, method, args);
        }
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return delegate.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return delegate.isWrapperFor(type);
    }
}
