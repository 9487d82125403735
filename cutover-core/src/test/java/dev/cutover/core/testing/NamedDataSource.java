package dev.cutover.core.testing;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Connections whose session carries an {@code application_name} of the application's own, as a
 * pool's connection-init SQL would set it: what the library must leave as it found it.
 */
public final class NamedDataSource implements DataSource {

    private final DataSource delegate;
    private final String applicationName;

    public NamedDataSource(DataSource delegate, String applicationName) {
        this.delegate = delegate;
        this.applicationName = applicationName;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = delegate.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute("set application_name = '" + applicationName.replace("'", "''") + "'");
        }
        return c;
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException();
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
