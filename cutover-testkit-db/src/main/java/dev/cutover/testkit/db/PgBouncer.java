package dev.cutover.testkit.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A PgBouncer in transaction pooling mode in front of one database, for tests that must see
 * what a connection pooler does to session state: a {@code SET} made by one client stays on
 * the server connection and is seen by the next client's transaction that gets it.
 *
 * <p>Starts the distribution's {@code pgbouncer} binary ({@value #DEFAULT_BINARY}, or the path in
 * the system property {@value #BINARY_PROPERTY}) on a free port of 127.0.0.1, in a temporary
 * directory of its own, with {@code pool_mode = transaction}, {@code default_pool_size} as
 * configured (2 unless set) and no client authentication ({@code auth_type = trust}). PgBouncer
 * refuses to run as root: a JVM running as root starts it as the {@code postgres} user through
 * {@code runuser}. {@link #close()} stops it (SIGTERM) and deletes its directory.
 *
 * <pre>{@code
 * try (ScratchDatabase db = PostgresServers.shared().createDatabase();
 *      PgBouncer bouncer = PgBouncer.inFrontOf(db)) {
 *     try (Connection app = bouncer.dataSource().getConnection()) {
 *         // a transaction through the pool; a session-level SET here leaks to other clients
 *     }
 * }
 *
 * // one server connection, so every client's transaction runs on the same backend:
 * try (PgBouncer single = PgBouncer.builder(db).poolSize(1).start()) { ... }
 * }</pre>
 *
 * <p>The JDBC URL sets {@code prepareThreshold=0}: pgjdbc's server-side prepared statements
 * belong to one server connection and fail behind transaction pooling. PgBouncer ignores the
 * startup parameters {@code extra_float_digits} and {@code options}.
 */
public final class PgBouncer implements AutoCloseable {

    /** System property naming the {@code pgbouncer} binary. */
    public static final String BINARY_PROPERTY = "cutover.test.pgbouncer";
    /** Where Debian and Ubuntu install {@code pgbouncer}. */
    public static final String DEFAULT_BINARY = "/usr/sbin/pgbouncer";
    /** The pool size used when none is given: two server connections for all clients. */
    public static final int DEFAULT_POOL_SIZE = 2;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]{1,63}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_.:-]{1,253}");
    private static final Set<PgBouncer> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(PgBouncer::close), "cutover-test-pgbouncer-stop"));
    }

    private final Builder settings;
    private final Path directory;
    private final Process process;
    private final int port;
    private final String jdbcUrl;
    private final PGSimpleDataSource dataSource;
    private volatile boolean closed;

    private PgBouncer(Builder settings, Path directory, Process process, int port) {
        this.settings = settings;
        this.directory = directory;
        this.process = process;
        this.port = port;
        this.jdbcUrl = "jdbc:postgresql://127.0.0.1:" + port + "/" + settings.database + "?prepareThreshold=0";
        this.dataSource = new PGSimpleDataSource();
        this.dataSource.setURL(jdbcUrl);
        this.dataSource.setUser(settings.user);
    }

    /**
     * Starts a PgBouncer with the default pool size in front of this scratch database, on the
     * server, database and user of its JDBC URL.
     *
     * <pre>{@code
     * try (PgBouncer bouncer = PgBouncer.inFrontOf(db)) { String url = bouncer.jdbcUrl(); }
     * }</pre>
     *
     * @param database the database clients reach through PgBouncer
     * @return the running PgBouncer; close it
     */
    public static PgBouncer inFrontOf(ScratchDatabase database) {
        return builder(database).start();
    }

    /**
     * A PgBouncer in front of this scratch database (its server, database, user and password);
     * configure, then {@link Builder#start()}.
     *
     * <pre>{@code
     * try (PgBouncer single = PgBouncer.builder(db).poolSize(1).start()) { ... }
     * }</pre>
     *
     * @param database the database clients reach through PgBouncer
     * @return a builder; {@link Builder#start()} starts PgBouncer
     */
    public static Builder builder(ScratchDatabase database) {
        Objects.requireNonNull(database, "database");
        Properties url = Driver.parseURL(database.jdbcUrl(), new Properties());
        if (url == null) {
            throw new IllegalArgumentException("Not a PostgreSQL JDBC URL: " + database.jdbcUrl());
        }
        String host = url.getProperty("PGHOST", "localhost").split(",")[0];
        int port = Integer.parseInt(url.getProperty("PGPORT", "5432").split(",")[0]);
        String user = database.user() != null ? database.user() : url.getProperty("user", System.getProperty("user.name"));
        Builder builder = builder(host, port, database.name(), user);
        if (database.password() != null) {
            builder.password(database.password());
        }
        return builder;
    }

    /**
     * A PgBouncer in front of this database of the server at {@code host:port}, connecting as
     * {@code user}; configure, then {@link Builder#start()}.
     *
     * <pre>{@code
     * PgBouncer bouncer = PgBouncer.builder("127.0.0.1", 5432, "test", "postgres").poolSize(1).start();
     * }</pre>
     *
     * @param host the server's host name or IP address
     * @param port the server's port
     * @param database the database on the server; clients use the same name
     * @param user the user PgBouncer logs in as, and clients connect as
     * @return a builder; {@link Builder#start()} starts PgBouncer
     * @throws IllegalArgumentException naming the value that PgBouncer's configuration cannot hold
     */
    public static Builder builder(String host, int port, String database, String user) {
        return new Builder(host, port, database, user);
    }

    /** {@return the {@code pgbouncer} binary these fixtures start: the system property {@value #BINARY_PROPERTY}, else {@value #DEFAULT_BINARY}} */
    public static Path binary() {
        String configured = System.getProperty(BINARY_PROPERTY);
        return Path.of(configured == null || configured.isBlank() ? DEFAULT_BINARY : configured.trim());
    }

    /**
     * Why a PgBouncer cannot be started on this machine, or empty when it can.
     *
     * <pre>{@code
     * PgBouncer.unavailable().ifPresent(reason -> Assumptions.abort(reason));
     * }</pre>
     *
     * @return what is missing and how to get it, or empty
     */
    public static Optional<String> unavailable() {
        Path binary = binary();
        if (!Files.isExecutable(binary)) {
            return Optional.of("PgBouncer is not installed: " + binary + " is not an executable file. Install it "
                    + "(Debian and Ubuntu: apt-get install pgbouncer) or name the binary with -D" + BINARY_PROPERTY + "=/path/to/pgbouncer");
        }
        return Optional.empty();
    }

    /** The settings of a PgBouncer to start: pool size, password for the server and start timeout. */
    public static final class Builder {
        private final String host;
        private final int serverPort;
        private final String database;
        private final String user;
        private String password;
        private int poolSize = DEFAULT_POOL_SIZE;
        private Duration startTimeout = Duration.ofSeconds(20);

        private Builder(String host, int serverPort, String database, String user) {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(database, "database");
            Objects.requireNonNull(user, "user");
            if (!HOST.matcher(host).matches()) {
                throw new IllegalArgumentException("host must be a host name or IP address, but was '" + host + "'");
            }
            if (serverPort < 1 || serverPort > 65535) {
                throw new IllegalArgumentException("port must be between 1 and 65535, but was " + serverPort);
            }
            if (!NAME.matcher(database).matches()) {
                throw new IllegalArgumentException("database must be 1 to 63 letters, digits or underscores for PgBouncer's "
                        + "configuration, but was '" + database + "'");
            }
            if (!NAME.matcher(user).matches()) {
                throw new IllegalArgumentException("user must be 1 to 63 letters, digits or underscores for PgBouncer's "
                        + "configuration, but was '" + user + "'");
            }
            this.host = host;
            this.serverPort = serverPort;
            this.database = database;
            this.user = user;
        }

        /**
         * Server connections PgBouncer keeps for this database and user ({@code default_pool_size}).
         *
         * @param size 1 to 100; default {@value #DEFAULT_POOL_SIZE}
         * @return this builder
         */
        public Builder poolSize(int size) {
            if (size < 1 || size > 100) {
                throw new IllegalArgumentException("poolSize must be between 1 and 100, but was " + size);
            }
            this.poolSize = size;
            return this;
        }

        /**
         * The password PgBouncer gives the server; only for a server that does not trust the user.
         *
         * @param password kept in a file only PgBouncer's user may read, deleted on close
         * @return this builder
         */
        public Builder password(String password) {
            Objects.requireNonNull(password, "password");
            if (password.contains("\"") || password.contains("\n")) {
                throw new IllegalArgumentException("password must not contain a double quote or a line break (PgBouncer's "
                        + "auth_file cannot hold them)");
            }
            this.password = password;
            return this;
        }

        /**
         * How long {@link #start()} waits for PgBouncer to accept connections.
         *
         * @param timeout positive; default 20 s
         * @return this builder
         */
        public Builder startTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("startTimeout must be positive, but was " + timeout);
            }
            this.startTimeout = timeout;
            return this;
        }

        /**
         * Starts PgBouncer and returns once a client can run a query through it.
         *
         * @return the running PgBouncer; close it
         * @throws IllegalStateException when the binary is missing or PgBouncer does not come up,
         *         with the end of its log
         */
        public PgBouncer start() {
            unavailable().ifPresent(reason -> {
                throw new IllegalStateException(reason);
            });
            IllegalStateException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                try {
                    return startOnce();
                } catch (PortTaken e) {
                    last = e;
                }
            }
            throw last;
        }

        private PgBouncer startOnce() {
            Path dir = LocalProcesses.privateDirectory("cutover-pgbouncer-");
            int port = LocalProcesses.freePort();
            Path log = dir.resolve("pgbouncer.log");
            Process process = null;
            try {
                LocalProcesses.writePrivateFile(dir.resolve("users.txt"),
                        "\"" + user + "\" \"" + (password == null ? "" : password) + "\"\n");
                Path ini = dir.resolve("pgbouncer.ini");
                LocalProcesses.writePrivateFile(ini, configuration(dir, port));
                process = new ProcessBuilder(LocalProcesses.asOsUser(List.of(binary().toString(), ini.toString())))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
                PgBouncer bouncer = new PgBouncer(this, dir, process, port);
                bouncer.awaitReady(startTimeout, log);
                RUNNING.add(bouncer);
                return bouncer;
            } catch (IOException | RuntimeException e) {
                String logTail = LocalProcesses.tail(log, 20);
                stop(process);
                LocalProcesses.deleteTree(dir);
                if (logTail.contains("Address already in use")) {
                    throw new PortTaken("Port " + port + " was taken before PgBouncer could listen on it");
                }
                if (e instanceof IllegalStateException state) {
                    throw state;
                }
                throw new IllegalStateException("Cannot start PgBouncer (" + binary() + "): " + e.getMessage() + "\n" + logTail, e);
            }
        }

        String configuration(Path dir, int port) {
            return String.join("\n",
                    "[databases]",
                    database + " = host=" + host + " port=" + serverPort + " dbname=" + database,
                    "",
                    "[pgbouncer]",
                    "listen_addr = 127.0.0.1",
                    "listen_port = " + port,
                    "unix_socket_dir =",
                    "auth_type = trust",
                    "auth_file = " + dir.resolve("users.txt"),
                    "pool_mode = transaction",
                    "default_pool_size = " + poolSize,
                    "min_pool_size = 0",
                    "reserve_pool_size = 0",
                    "max_client_conn = 200",
                    "ignore_startup_parameters = extra_float_digits,options",
                    "server_login_retry = 1",
                    "");
        }
    }

    /** Start failed because another program took the free port first; the builder tries another one. */
    private static final class PortTaken extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTaken(String message) {
            super(message);
        }
    }

    private void awaitReady(Duration timeout, Path log) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException lastError = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("PgBouncer exited with code " + process.exitValue() + " before it accepted "
                        + "connections. Its log:\n" + LocalProcesses.tail(log, 20));
            }
            if (LocalProcesses.accepts("127.0.0.1", port)) {
                try (Connection connection = connect()) {
                    connection.createStatement().execute("select 1");
                    return;
                } catch (SQLException e) {
                    lastError = e;
                }
            }
            LocalProcesses.pause(50);
        }
        throw new IllegalStateException("PgBouncer on port " + port + " did not let a client run a query within "
                + timeout.toSeconds() + " s" + (lastError == null ? "" : " (last error: " + lastError.getMessage() + ")")
                + ". Check that the server at " + settings.host + ":" + settings.serverPort + " accepts " + settings.user
                + " without a password (or give the password). Its log:\n" + LocalProcesses.tail(log, 20));
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", settings.user);
        properties.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    /** {@return the port PgBouncer listens on, on 127.0.0.1} */
    public int port() {
        return port;
    }

    /** {@return the server connections PgBouncer keeps for the database ({@code default_pool_size})} */
    public int poolSize() {
        return settings.poolSize;
    }

    /** {@return the database clients reach through PgBouncer (the same name as on the server)} */
    public String database() {
        return settings.database;
    }

    /** {@return the user clients connect as (give it to the driver with the URL, e.g. {@code DriverManager.getConnection(url, user, null)})} */
    public String user() {
        return settings.user;
    }

    /** {@return a JDBC URL for the database through PgBouncer, with {@code prepareThreshold=0}; the user is given separately} */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** {@return a data source that opens a new client connection to PgBouncer on every call (as {@link #user()})} */
    public DataSource dataSource() {
        return dataSource;
    }

    /** {@return the directory holding PgBouncer's configuration and log, deleted by {@link #close()}} */
    public Path directory() {
        return directory;
    }

    /** {@return whether the PgBouncer process still runs} */
    public boolean isRunning() {
        return process.isAlive();
    }

    /** {@return the end of PgBouncer's log, to put into a failing test's message} */
    public String logTail() {
        return LocalProcesses.tail(directory.resolve("pgbouncer.log"), 40);
    }

    /** Stops PgBouncer (SIGTERM, then a kill after 10 s) and deletes its directory. Safe to call twice. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RUNNING.remove(this);
        stop(process);
        LocalProcesses.deleteTree(directory);
    }

    private static void stop(Process process) {
        if (process == null) {
            return;
        }
        // SIGTERM to PgBouncer itself: runuser, given the signal instead, waits two seconds before it exits.
        process.descendants().forEach(ProcessHandle::destroy);
        if (process.descendants().findAny().isEmpty()) {
            process.destroy();
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "PgBouncer[127.0.0.1:" + port + " -> " + settings.host + ":" + settings.serverPort + "/" + settings.database
                + ", transaction pooling, pool of " + settings.poolSize + "]";
    }
}
