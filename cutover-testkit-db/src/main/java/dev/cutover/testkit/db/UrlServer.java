package dev.cutover.testkit.db;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postgresql.Driver;

/**
 * A server reached through an administrative JDBC URL. Every server kind ends up here:
 * embedded and container servers just know their URL once started.
 */
class UrlServer implements PostgresServer {

    private static final Pattern URL = Pattern.compile("^(jdbc:postgresql://[^/?]*)(/[^?]*)?(\\?.*)?$");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String description;
    private final String adminUrl;
    private final String user;
    private final String password;
    private final int versionNumber;
    private final Object templateLock = new Object();
    private volatile String template;

    UrlServer(String description, String adminUrl) {
        Matcher matcher = URL.matcher(adminUrl);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("Not a PostgreSQL JDBC URL: '" + adminUrl
                    + "'. Expected jdbc:postgresql://host:port/database?user=...");
        }
        Properties parsed = Driver.parseURL(adminUrl, new Properties());
        if (parsed == null) {
            throw new IllegalArgumentException("The PostgreSQL driver cannot parse the JDBC URL '" + adminUrl + "'");
        }
        this.adminUrl = adminUrl;
        this.user = parsed.getProperty("user", System.getProperty("user.name"));
        this.password = parsed.getProperty("password");
        try (Connection connection = connect(adminUrl);
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("select current_setting('server_version_num')::int")) {
            rs.next();
            this.versionNumber = rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot connect to the PostgreSQL server for tests at " + adminUrl
                    + " (" + e.getSQLState() + "): " + e.getMessage()
                    + ". Check that it runs and that the URL names a user allowed to create databases.", e);
        }
        this.description = description + " (PostgreSQL " + versionNumber / 10000 + ")";
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public int majorVersion() {
        return versionNumber / 10000;
    }

    @Override
    public int versionNumber() {
        return versionNumber;
    }

    /**
     * Copies this server's template database (created on first use). Copying a template
     * nobody may connect to never fails with "source database is being accessed by other
     * users", which copying {@code template1} does whenever another session sits in it.
     */
    @Override
    public ScratchDatabase createDatabase() {
        String name = "cutover_test_" + HexFormat.of().formatHex(randomBytes());
        String source = templateDatabase();
        try (Connection connection = connect(adminUrl);
             Statement statement = connection.createStatement()) {
            // Both names are ours, made of [a-z0-9_] only.
            statement.execute("create database " + name + " template " + source);
            Leftovers.mark(statement, name);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create a test database on " + description + " ("
                    + e.getSQLState() + "): " + e.getMessage()
                    + ". The user in the URL needs the CREATEDB privilege.", e);
        }
        return new ScratchDatabase(name, withDatabase(adminUrl, name), user, password, () -> drop(name));
    }

    /**
     * The name of this server's template database, {@code cutover_template_<random>}: an empty
     * database, made once per server object, marked as a template that accepts no connections.
     * Dropped by {@link #close()}. Before making it, drops what killed test runs left on the server
     * ({@link Leftovers}).
     */
    String templateDatabase() {
        String known = template;
        if (known != null) {
            return known;
        }
        synchronized (templateLock) {
            if (template == null) {
                String name = "cutover_template_" + HexFormat.of().formatHex(randomBytes());
                try (Connection connection = connect(adminUrl);
                     Statement statement = connection.createStatement()) {
                    Leftovers.dropDatabases(connection, description);
                    statement.execute("create database " + name + " template template0");
                    Leftovers.mark(statement, name);
                    statement.execute("alter database " + name + " with is_template true allow_connections false");
                } catch (SQLException e) {
                    throw new IllegalStateException("Cannot create the template database for tests on " + description + " ("
                            + e.getSQLState() + "): " + e.getMessage()
                            + ". The user in the URL needs the CREATEDB privilege.", e);
                }
                template = name;
            }
            return template;
        }
    }

    /** Drops the template database, if one was made; the server stays usable and makes a new one when asked. */
    void dropTemplate() {
        synchronized (templateLock) {
            String name = template;
            if (name == null) {
                return;
            }
            template = null;
            try (Connection connection = connect(adminUrl);
                 Statement statement = connection.createStatement()) {
                statement.execute("alter database " + name + " with is_template false");
                statement.execute("drop database if exists " + name);
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot drop the template database " + name + " on " + description + " ("
                        + e.getSQLState() + "): " + e.getMessage(), e);
            }
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private void drop(String name) {
        try (Connection connection = connect(adminUrl)) {
            try (PreparedStatement terminate = connection.prepareStatement(
                    "select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()")) {
                terminate.setString(1, name);
                terminate.execute();
            }
            try (Statement statement = connection.createStatement()) {
                // The name is ours, made of [a-z0-9_] only.
                statement.execute("drop database if exists " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot drop test database " + name + " on " + description + " ("
                    + e.getSQLState() + "): " + e.getMessage(), e);
        }
    }

    private Connection connect(String url) throws SQLException {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        return DriverManager.getConnection(url, properties);
    }

    static String withDatabase(String url, String database) {
        Matcher matcher = URL.matcher(url);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("Not a PostgreSQL JDBC URL: " + url);
        }
        String query = matcher.group(3) == null ? "" : matcher.group(3);
        return matcher.group(1) + "/" + database + query;
    }

    /** Drops this object's template database; the server itself was given to us and keeps running. */
    @Override
    public void close() {
        dropTemplate();
    }

    @Override
    public String toString() {
        return description;
    }
}
