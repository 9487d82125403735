package dev.cutover.testkit.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A physical streaming replica of a PostgreSQL server on this machine, for tests that must
 * see replication lag: made with {@code pg_basebackup -R -X stream}, started with
 * {@code pg_ctl} on a free port of 127.0.0.1, its replay paused and resumed on demand.
 *
 * <p>The primary is the local server (127.0.0.1:5432, superuser {@code postgres}) unless the
 * builder names another one on this machine. It must let that user connect for replication
 * from 127.0.0.1 without a password (a {@code pg_hba.conf} line
 * {@code host replication postgres 127.0.0.1/32 trust}) and have {@code max_wal_senders > 0}.
 * The standby's binaries are those of the primary's major version: the directory in the
 * system property {@value #BIN_DIR_PROPERTY}, else {@code /usr/lib/postgresql/<major>/bin}.
 * PostgreSQL refuses to run as root: a JVM running as root runs them as the {@code postgres}
 * user through {@code runuser}. The standby streams from a physical replication slot of its
 * own ({@code cutover_standby_<pid>_<port>}), so a busy primary cannot recycle the WAL it has
 * not received yet; {@link #close()} stops it, drops the slot and deletes its directory, and so
 * does the JVM's exit. A slot left by a JVM that was killed is dropped by the next standby made
 * on that primary (its process is gone and the slot is inactive).
 *
 * <pre>{@code
 * try (StreamingStandby standby = StreamingStandby.ofLocalServer();
 *      ScratchDatabase db = standby.primary().createDatabase()) {
 *     standby.pauseReplay();
 *     // ... write on the primary: standby.lag().replayBytes() grows
 *     standby.resumeReplay();
 *     standby.awaitCaughtUp(Duration.ofSeconds(30));
 *     try (Connection replica = DriverManager.getConnection(standby.jdbcUrl(db.name()))) { ... }
 * }
 * }</pre>
 */
public final class StreamingStandby implements AutoCloseable {

    /** System property naming the directory of the PostgreSQL binaries ({@code pg_basebackup}, {@code pg_ctl}, {@code postgres}). */
    public static final String BIN_DIR_PROPERTY = "cutover.test.postgres-bin";
    /** The local server used when none is named. */
    public static final String LOCAL_HOST = "127.0.0.1";
    /** The local server's port. */
    public static final int LOCAL_PORT = 5432;
    /** The superuser of the local server. */
    public static final String LOCAL_USER = "postgres";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]{1,63}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_.:-]{1,253}");
    private static final List<String> PRIMARY_LIMITS = List.of("max_connections", "max_worker_processes", "max_wal_senders",
            "max_prepared_transactions", "max_locks_per_transaction");
    private static final String SLOT_PREFIX = "cutover_standby_";
    private static final Set<StreamingStandby> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(StreamingStandby::close), "cutover-test-standby-stop"));
    }

    private final Builder settings;
    private final Path directory;
    private final Path binaries;
    private final int port;
    private final String applicationName;
    private final String slotName;
    private volatile boolean closed;

    private StreamingStandby(Builder settings, Path directory, Path binaries, int port) {
        this.settings = settings;
        this.directory = directory;
        this.binaries = binaries;
        this.port = port;
        this.applicationName = "cutover_standby_" + port;
        this.slotName = SLOT_PREFIX + ProcessHandle.current().pid() + "_" + port;
    }

    /**
     * A standby of the local server, 127.0.0.1:5432, made as its superuser {@code postgres}.
     *
     * @return the running standby, streaming; close it
     * @throws IllegalStateException saying what is missing (server, binaries, pg_hba.conf line) or what failed
     */
    public static StreamingStandby ofLocalServer() {
        return builder().start();
    }

    /**
     * A standby of the local server unless {@link Builder#primary} names another one on this machine.
     *
     * <pre>{@code
     * StreamingStandby standby = StreamingStandby.builder().primary("127.0.0.1", 5433).start();
     * }</pre>
     *
     * @return a builder; {@link Builder#start()} makes and starts the standby
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Why a standby of the local server cannot be made here, or empty when it can.
     *
     * <pre>{@code
     * StreamingStandby.unavailable().ifPresent(reason -> Assumptions.abort(reason));
     * }</pre>
     *
     * @return what is missing and how to get it, or empty
     */
    public static Optional<String> unavailable() {
        return builder().unavailable();
    }

    /** Where the standby's primary is and how to reach it. */
    public static final class Builder {
        private String host = LOCAL_HOST;
        private int primaryPort = LOCAL_PORT;
        private String user = LOCAL_USER;
        private Duration startTimeout = Duration.ofSeconds(300);

        private Builder() {
        }

        /**
         * The primary: a PostgreSQL server on this machine.
         *
         * @param host its host name or IP address; default 127.0.0.1
         * @param port its port; default 5432
         * @return this builder
         */
        public Builder primary(String host, int port) {
            Objects.requireNonNull(host, "host");
            if (!HOST.matcher(host).matches()) {
                throw new IllegalArgumentException("host must be a host name or IP address, but was '" + host + "'");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be between 1 and 65535, but was " + port);
            }
            this.host = host;
            this.primaryPort = port;
            return this;
        }

        /**
         * The role that takes the base backup and streams WAL: a superuser or one with REPLICATION.
         *
         * @param user its name; default {@code postgres}
         * @return this builder
         */
        public Builder user(String user) {
            Objects.requireNonNull(user, "user");
            if (!NAME.matcher(user).matches()) {
                throw new IllegalArgumentException("user must be 1 to 63 letters, digits or underscores, but was '" + user + "'");
            }
            this.user = user;
            return this;
        }

        /**
         * How long the base backup, the start and catching up may take together.
         *
         * @param timeout positive; default 300 s (the base backup copies every database of the primary)
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

        String primaryUrl(String database) {
            return "jdbc:postgresql://" + host + ":" + primaryPort + "/" + database;
        }

        Connection connectPrimary() throws SQLException {
            return connect(primaryUrl("postgres"), user);
        }

        /** {@return why a standby of this primary cannot be made here, or empty when it can} */
        public Optional<String> unavailable() {
            String server = "The PostgreSQL server at " + host + ":" + primaryPort;
            if (!LocalProcesses.accepts(host, primaryPort)) {
                return Optional.of(server + " does not answer, so no standby can be made of it. Start it (Debian: "
                        + "pg_ctlcluster <version> main start) or name another primary.");
            }
            try (Connection primary = connectPrimary()) {
                Map<String, String> settings = settings(primary, List.of("server_version_num", "max_wal_senders", "wal_level", "hba_file"));
                int major = Integer.parseInt(settings.get("server_version_num")) / 10000;
                if (major < 12) {
                    return Optional.of(server + " runs PostgreSQL " + major + "; standbys are made of PostgreSQL 12 or later.");
                }
                if (Integer.parseInt(settings.get("max_wal_senders")) < 1) {
                    return Optional.of(server + " has max_wal_senders = 0, so it sends WAL to no standby. Set it to 10 (the "
                            + "default) and restart the server.");
                }
                if (settings.get("wal_level").equals("minimal")) {
                    return Optional.of(server + " has wal_level = minimal, too little for a standby. Set it to replica (the "
                            + "default) and restart the server.");
                }
                Optional<String> binaries = missingBinaries(binaryDirectory(major));
                if (binaries.isPresent()) {
                    return binaries;
                }
                Optional<List<HbaRule>> rules = hbaRules(primary);
                if (rules.isPresent()) {
                    return hbaProblem(rules.get(), user, host + ":" + primaryPort, settings.get("hba_file"));
                }
                return Optional.empty();
            } catch (SQLException e) {
                return Optional.of(server + " refused " + user + " (" + e.getSQLState() + "): " + e.getMessage());
            }
        }

        /**
         * Makes the base backup, starts the standby and returns once the primary shows it
         * streaming in {@code pg_stat_replication}.
         *
         * @return the running standby; close it
         * @throws IllegalStateException saying what is missing or what failed, with the end of the standby's log
         */
        public StreamingStandby start() {
            unavailable().ifPresent(reason -> {
                throw new IllegalStateException(reason);
            });
            long deadline = System.nanoTime() + startTimeout.toNanos();
            Map<String, String> limits;
            Path bin;
            try (Connection primary = connectPrimary()) {
                limits = settings(primary, PRIMARY_LIMITS);
                int major = Integer.parseInt(settings(primary, List.of("server_version_num")).get("server_version_num")) / 10000;
                bin = binaryDirectory(major);
                dropSlotsOfDeadProcesses(primary);
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot read the settings of the primary at " + host + ":" + primaryPort + " ("
                        + e.getSQLState() + "): " + e.getMessage(), e);
            }
            Path dir = LocalProcesses.privateDirectory("cutover-standby-");
            StreamingStandby standby = new StreamingStandby(this, dir, bin, LocalProcesses.freePort());
            RUNNING.add(standby);
            try {
                standby.baseBackup(remaining(deadline));
                standby.configure(limits);
                standby.startServer(remaining(deadline));
                standby.awaitStreaming(deadline);
                return standby;
            } catch (RuntimeException e) {
                try {
                    standby.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000_000L, deadline - System.nanoTime()));
    }

    /** The directory of the PostgreSQL binaries for this major version. */
    static Path binaryDirectory(int major) {
        String configured = System.getProperty(BIN_DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured.trim());
        }
        return Path.of("/usr/lib/postgresql/" + major + "/bin");
    }

    private static Optional<String> missingBinaries(Path bin) {
        List<String> missing = new ArrayList<>();
        for (String program : List.of("pg_basebackup", "pg_ctl", "postgres")) {
            if (!Files.isExecutable(bin.resolve(program))) {
                missing.add(program);
            }
        }
        if (missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("The PostgreSQL binaries " + String.join(", ", missing) + " are not in " + bin + ". Install the "
                + "server package of the primary's major version (Debian: postgresql-<major>) or name their directory with -D"
                + BIN_DIR_PROPERTY + "=...");
    }

    /** One line of {@code pg_hba_file_rules}, as far as the replication check needs it. */
    record HbaRule(int lineNumber, String type, List<String> databases, List<String> users, String address, String netmask,
                   String method) {
    }

    private static Optional<List<HbaRule>> hbaRules(Connection primary) throws SQLException {
        try (Statement statement = primary.createStatement();
             ResultSet rs = statement.executeQuery("select line_number, type, database, user_name, address, netmask, auth_method "
                     + "from pg_hba_file_rules where error is null order by line_number")) {
            List<HbaRule> rules = new ArrayList<>();
            while (rs.next()) {
                rules.add(new HbaRule(rs.getInt(1), rs.getString(2), array(rs, 3), array(rs, 4), rs.getString(5), rs.getString(6),
                        rs.getString(7)));
            }
            return Optional.of(rules);
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                return Optional.empty(); // not allowed to read the rules: pg_basebackup will tell
            }
            throw e;
        }
    }

    private static List<String> array(ResultSet rs, int column) throws SQLException {
        java.sql.Array array = rs.getArray(column);
        return array == null ? List.of() : List.of((String[]) array.getArray());
    }

    /**
     * Whether the first {@code pg_hba.conf} line that a replication connection of this user
     * from 127.0.0.1 over TCP matches lets it in without a password; empty when it does.
     */
    static Optional<String> hbaProblem(List<HbaRule> rules, String user, String server, String hbaFile) {
        String line = "'host replication " + user + " 127.0.0.1/32 trust'";
        String reload = " and reload the server (select pg_reload_conf())";
        for (HbaRule rule : rules) {
            if (!rule.type().startsWith("host") || !rule.databases().contains("replication")
                    || !(rule.users().contains(user) || rule.users().contains("all")) || !fromLoopback(rule)) {
                continue;
            }
            if (rule.method().equals("trust")) {
                return Optional.empty();
            }
            return Optional.of("The PostgreSQL server at " + server + " asks " + user + " for " + rule.method()
                    + " authentication on replication connections from 127.0.0.1 (" + hbaFile + " line " + rule.lineNumber()
                    + "), so no standby can be made without a password. Put the line " + line + " before line "
                    + rule.lineNumber() + reload + ".");
        }
        return Optional.of("The PostgreSQL server at " + server + " does not let " + user + " connect for replication from "
                + "127.0.0.1: no line of " + hbaFile + " allows it. Add the line " + line + " to it" + reload
                + "; .ci/run does this before the tests.");
    }

    private static boolean fromLoopback(HbaRule rule) {
        String address = rule.address();
        if (address == null) {
            return false;
        }
        if (address.equals("all") || address.equals("samehost") || address.equals("samenet") || address.equals("localhost")) {
            return true;
        }
        String[] parts = address.split("\\.");
        String[] mask = rule.netmask() == null ? new String[0] : rule.netmask().split("\\.");
        if (parts.length != 4 || mask.length != 4) {
            return false;
        }
        int[] loopback = {127, 0, 0, 1};
        try {
            for (int i = 0; i < 4; i++) {
                int m = Integer.parseInt(mask[i]);
                if ((Integer.parseInt(parts[i]) & m) != (loopback[i] & m)) {
                    return false;
                }
            }
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Map<String, String> settings(Connection connection, List<String> names) throws SQLException {
        Map<String, String> values = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement("select current_setting(?)")) {
            for (String name : names) {
                statement.setString(1, name);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    values.put(name, rs.getString(1));
                }
            }
        }
        return values;
    }

    /** Drops the inactive slots of standbys whose JVM on this machine is gone (killed before it could close them). */
    static void dropSlotsOfDeadProcesses(Connection primary) throws SQLException {
        List<String> dead = new ArrayList<>();
        try (PreparedStatement statement = primary.prepareStatement("select slot_name from pg_replication_slots "
                + "where slot_type = 'physical' and not active and starts_with(slot_name, ?)")) {
            statement.setString(1, SLOT_PREFIX);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    String[] parts = rs.getString(1).substring(SLOT_PREFIX.length()).split("_");
                    if (parts.length == 2 && parts[0].matches("[0-9]{1,19}")
                            && ProcessHandle.of(Long.parseLong(parts[0])).isEmpty()) {
                        dead.add(rs.getString(1));
                    }
                }
            }
        }
        for (String slot : dead) {
            dropSlot(primary, slot);
        }
    }

    /** Drops the slot if it exists and no walsender uses it; {@return whether it is gone} */
    private static boolean dropSlot(Connection primary, String slot) throws SQLException {
        try (PreparedStatement statement = primary.prepareStatement("select count(pg_drop_replication_slot(slot_name)) "
                + "from pg_replication_slots where slot_name = ? and not active")) {
            statement.setString(1, slot);
            statement.executeQuery().close();
        }
        try (PreparedStatement statement = primary.prepareStatement("select count(*) from pg_replication_slots where slot_name = ?")) {
            statement.setString(1, slot);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 0;
            }
        }
    }

    /** Drops this standby's slot once its walsender is gone (it ends shortly after the standby stops). */
    private void dropOwnSlot() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (Connection primary = settings.connectPrimary()) {
            while (!dropSlot(primary, slotName)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The replication slot " + slotName + " on " + settings.host + ":"
                            + settings.primaryPort + " is still in use 30 s after its standby stopped; drop it with "
                            + "select pg_drop_replication_slot('" + slotName + "') once it is inactive.");
                }
                Thread.sleep(100);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot drop the replication slot " + slotName + " on " + settings.host + ":"
                    + settings.primaryPort + " (" + e.getSQLState() + "): " + e.getMessage()
                    + ". Drop it with select pg_drop_replication_slot('" + slotName + "').", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while dropping the replication slot " + slotName
                    + "; drop it with select pg_drop_replication_slot('" + slotName + "').", e);
        }
    }

    private static Connection connect(String url, String user) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(url, properties);
    }

    private Path dataDirectory() {
        return directory.resolve("data");
    }

    private Path logFile() {
        return directory.resolve("postgres.log");
    }

    private void baseBackup(Duration timeout) {
        List<String> command = LocalProcesses.asOsUser(List.of(binaries.resolve("pg_basebackup").toString(),
                "-D", dataDirectory().toString(), "-h", settings.host, "-p", String.valueOf(settings.primaryPort),
                "-U", settings.user, "-d", "application_name=" + applicationName,
                "-X", "stream", "-R", "-C", "-S", slotName, "-c", "fast", "-w", "--no-sync"));
        LocalProcesses.Result result = LocalProcesses.run(command, timeout);
        if (result.exitCode() != 0) {
            String hint = result.output().contains("pg_hba.conf")
                    ? " The server's pg_hba.conf must let " + settings.user + " connect for replication from 127.0.0.1 with trust: "
                            + "add 'host replication " + settings.user + " 127.0.0.1/32 trust' and reload it."
                    : "";
            throw new IllegalStateException("pg_basebackup of " + settings.host + ":" + settings.primaryPort + " failed (exit "
                    + result.exitCode() + ")." + hint + " Its output:\n" + result.output());
        }
    }

    private void configure(Map<String, String> primaryLimits) {
        StringBuilder conf = new StringBuilder()
                .append("# A throw-away standby for tests.\n")
                .append("listen_addresses = '127.0.0.1'\n")
                .append("port = ").append(port).append('\n')
                .append("unix_socket_directories = '").append(directory).append("'\n")
                .append("cluster_name = '").append(applicationName).append("'\n")
                .append("hot_standby = on\n")
                .append("fsync = off\n")
                .append("shared_buffers = '32MB'\n")
                .append("logging_collector = off\n");
        // A hot standby needs at least the primary's values of these.
        primaryLimits.forEach((name, value) -> conf.append(name).append(" = ").append(Integer.parseInt(value)).append('\n'));
        Path data = dataDirectory();
        if (directory.toString().contains("'")) {
            throw new IllegalStateException("The temporary directory " + directory + " contains a quote; set java.io.tmpdir to "
                    + "a plain path");
        }
        LocalProcesses.writePrivateFile(data.resolve("postgresql.conf"), conf.toString());
        LocalProcesses.writePrivateFile(data.resolve("pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\n");
        LocalProcesses.writePrivateFile(data.resolve("pg_ident.conf"), "");
    }

    private void startServer(Duration timeout) {
        LocalProcesses.Result result = LocalProcesses.run(LocalProcesses.asOsUser(List.of(binaries.resolve("pg_ctl").toString(),
                "-D", dataDirectory().toString(), "-l", logFile().toString(), "-o", "-p " + port,
                "-w", "-t", String.valueOf(Math.max(1, timeout.toSeconds())), "start")), timeout.plusSeconds(10));
        if (result.exitCode() != 0) {
            throw new IllegalStateException("The standby did not start on port " + port + " (pg_ctl exit " + result.exitCode()
                    + "): " + result.output().strip() + "\nIts log:\n" + LocalProcesses.tail(logFile(), 30));
        }
    }

    private void awaitStreaming(long deadline) {
        String state = "not connected";
        while (System.nanoTime() < deadline) {
            try (Connection primary = settings.connectPrimary();
                 PreparedStatement statement = primary.prepareStatement(
                         "select state from pg_stat_replication where application_name = ?")) {
                statement.setString(1, applicationName);
                try (ResultSet rs = statement.executeQuery()) {
                    state = rs.next() ? rs.getString(1) : "not connected";
                }
                if ("streaming".equals(state) && inRecovery()) {
                    return;
                }
            } catch (SQLException e) {
                state = "unknown (" + e.getMessage() + ")";
            }
            LocalProcesses.pause(100);
        }
        throw new IllegalStateException("The standby on port " + port + " did not stream from " + settings.host + ":"
                + settings.primaryPort + " in time; pg_stat_replication shows it " + state + ". Its log:\n"
                + LocalProcesses.tail(logFile(), 30));
    }

    private boolean inRecovery() throws SQLException {
        try (Connection standby = connect(jdbcUrl("postgres"), settings.user);
             Statement statement = standby.createStatement();
             ResultSet rs = statement.executeQuery("select pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /**
     * The primary as a {@link PostgresServer}, to create the test's databases on: everything
     * written there reaches this standby.
     *
     * <pre>{@code
     * try (ScratchDatabase db = standby.primary().createDatabase()) { ... }
     * }</pre>
     *
     * @return the primary, shared with {@link PostgresServers#jdbcUrl(String)} for the same URL
     */
    public PostgresServer primary() {
        return PostgresServers.jdbcUrl(settings.primaryUrl("postgres") + "?user=" + settings.user);
    }

    /** {@return the port the standby listens on, on 127.0.0.1} */
    public int port() {
        return port;
    }

    /** {@return the name the standby has in the primary's {@code pg_stat_replication} ({@code application_name})} */
    public String applicationName() {
        return applicationName;
    }

    /** {@return a JDBC URL for the standby's {@code postgres} database, with the user: read-only, as a standby is} */
    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /**
     * A JDBC URL for this database on the standby, with the user (it trusts local connections).
     *
     * @param database a database of the primary
     * @return the URL
     * @throws IllegalArgumentException when the name is not plain letters, digits and underscores
     */
    public String jdbcUrl(String database) {
        Objects.requireNonNull(database, "database");
        if (!NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("database must be 1 to 63 letters, digits or underscores, but was '" + database + "'");
        }
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=" + settings.user;
    }

    /** {@return the directory holding the standby's data and log, deleted by {@link #close()}} */
    public Path directory() {
        return directory;
    }

    /**
     * Pauses WAL replay on the standby and returns once it is paused: the standby keeps
     * receiving WAL but applies none, so its replay lag grows with every write on the primary.
     */
    public void pauseReplay() {
        execute("select pg_wal_replay_pause()");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!isReplayPaused()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Replay on the standby on port " + port + " was asked to pause but did not "
                        + "within 30 s. Its log:\n" + LocalProcesses.tail(logFile(), 30));
            }
            LocalProcesses.pause(20);
        }
    }

    /** Resumes WAL replay on the standby (it then catches up with what it received). */
    public void resumeReplay() {
        execute("select pg_wal_replay_resume()");
    }

    /** {@return whether replay is paused now} */
    public boolean isReplayPaused() {
        return queryBoolean("select pg_get_wal_replay_pause_state() = 'paused'", "select pg_is_wal_replay_paused()");
    }

    /**
     * This standby's lag as the primary sees it now.
     *
     * @return the primary's reading for this standby
     * @throws IllegalStateException when the primary does not list this standby
     */
    public ReplicationLag lag() {
        try (Connection primary = settings.connectPrimary()) {
            return ReplicationLag.readAll(primary).stream()
                    .filter(lag -> lag.applicationName().equals(applicationName))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("The primary at " + settings.host + ":" + settings.primaryPort
                            + " lists no standby " + applicationName + " in pg_stat_replication. Its log:\n"
                            + LocalProcesses.tail(logFile(), 30)));
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read pg_stat_replication on " + settings.host + ":" + settings.primaryPort
                    + " (" + e.getSQLState() + "): " + e.getMessage(), e);
        }
    }

    /**
     * Waits until the standby has replayed all WAL the primary had written when this was called.
     *
     * @param timeout how long to wait
     * @throws IllegalStateException when replay is paused, or the standby does not catch up within the timeout
     */
    public void awaitCaughtUp(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        String target;
        try (Connection primary = settings.connectPrimary();
             Statement statement = primary.createStatement();
             ResultSet rs = statement.executeQuery("select pg_current_wal_lsn()::text")) {
            rs.next();
            target = rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the primary's WAL position (" + e.getSQLState() + "): " + e.getMessage(), e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (Connection standby = connect(jdbcUrl(), settings.user);
                 PreparedStatement statement = standby.prepareStatement(
                         "select pg_wal_lsn_diff(pg_last_wal_replay_lsn(), ?::pg_lsn) >= 0")) {
                statement.setString(1, target);
                try (ResultSet rs = statement.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot read the standby's replay position (" + e.getSQLState() + "): "
                        + e.getMessage(), e);
            }
            if (isReplayPaused()) {
                throw new IllegalStateException("The standby on port " + port + " cannot catch up while its replay is paused; "
                        + "call resumeReplay() first.");
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The standby on port " + port + " did not replay up to " + target + " within "
                        + timeout.toSeconds() + " s; " + lag() + ". Its log:\n" + LocalProcesses.tail(logFile(), 30));
            }
            LocalProcesses.pause(20);
        }
    }

    /** {@return whether the standby's server still runs (its {@code postmaster.pid} names a live process)} */
    public boolean isRunning() {
        return postmasterPid().flatMap(ProcessHandle::of).map(ProcessHandle::isAlive).orElse(false);
    }

    private Optional<Long> postmasterPid() {
        Path pidFile = dataDirectory().resolve("postmaster.pid");
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | UncheckedIOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void execute(String sql) {
        try (Connection standby = connect(jdbcUrl(), settings.user);
             Statement statement = standby.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on the standby on port " + port + " (" + e.getSQLState() + "): "
                    + e.getMessage() + "\n  SQL: " + sql, e);
        }
    }

    private boolean queryBoolean(String sql, String sqlBefore14) {
        try (Connection standby = connect(jdbcUrl(), settings.user);
             Statement statement = standby.createStatement()) {
            String query = standby.getMetaData().getDatabaseMajorVersion() >= 14 ? sql : sqlBefore14;
            try (ResultSet rs = statement.executeQuery(query)) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed on the standby on port " + port + " (" + e.getSQLState() + "): "
                    + e.getMessage(), e);
        }
    }

    /** Stops the standby (immediate shutdown) and deletes its directory. Safe to call twice. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (Files.exists(dataDirectory().resolve("postmaster.pid"))) {
                LocalProcesses.Result result = LocalProcesses.run(LocalProcesses.asOsUser(List.of(binaries.resolve("pg_ctl").toString(),
                        "-D", dataDirectory().toString(), "-m", "immediate", "-w", "-t", "60", "stop")), Duration.ofSeconds(70));
                if (result.exitCode() != 0) {
                    postmasterPid().flatMap(ProcessHandle::of).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            dropOwnSlot();
        } finally {
            RUNNING.remove(this);
            LocalProcesses.deleteTree(directory);
        }
    }

    @Override
    public String toString() {
        return "StreamingStandby[" + applicationName + " on 127.0.0.1:" + port + " of " + settings.host + ":" + settings.primaryPort + "]";
    }
}
