package dev.cutover.testkit.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a test run killed before it could clean up leaves behind, and how the next run removes it.
 *
 * <p>Every database the testkit creates on a server ({@code cutover_template_*}, {@code cutover_test_*})
 * carries a comment naming the process that made it (pid, host, start time); every embedded server
 * lives in its own directory under {@code <java.io.tmpdir>/cutover-testkit-postgres} with an
 * {@code owner} file saying the same. A later run removes only what it can prove is a testkit
 * leftover and unused: the name (or directory) is the testkit's, the marker names this host, that
 * process is gone (no process with that pid, or one started at another time), and no session is
 * connected. Anything else (no marker, another host, a live owner, a connected session) is left alone.
 */
final class Leftovers {

    private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);
    private static final Pattern DATABASE_NAME = Pattern.compile("^cutover_(template|test)_[0-9a-f]{12}$");
    private static final Pattern MARKER = Pattern.compile("^cutover-testkit pid=(\\d+) host=(\\S+) started=(\\S+)(?:\\s.*)?$");
    private static final Duration PID_REUSE_TOLERANCE = Duration.ofSeconds(2);
    private static final String OWNER_FILE = "owner";

    private Leftovers() {
    }

    /** The process that made a database or an embedded server. */
    record Owner(long pid, String host, Instant started) {

        private static final Owner CURRENT = new Owner(ProcessHandle.current().pid(), hostName(),
                ProcessHandle.current().info().startInstant().orElse(Instant.EPOCH));

        static Owner current() {
            return CURRENT;
        }

        /** The text stored with what this process creates; {@link #parse} reads it back. */
        String marker() {
            return "cutover-testkit pid=" + pid + " host=" + host + " started=" + started
                    + " (a test database or server; a later test run drops it once this process is gone)";
        }

        static Optional<Owner> parse(String marker) {
            Matcher matcher = marker == null ? null : MARKER.matcher(marker.strip());
            if (matcher == null || !matcher.matches()) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Owner(Long.parseLong(matcher.group(1)), matcher.group(2), Instant.parse(matcher.group(3))));
            } catch (NumberFormatException | DateTimeParseException e) {
                return Optional.empty();
            }
        }

        /**
         * Provably gone: on this host, and no process has its pid, or the one that has it started at
         * another time (the pid was reused). A process whose start time cannot be read counts as alive.
         */
        boolean isGone() {
            if (!host.equals(CURRENT.host) || Instant.EPOCH.equals(started)) {
                return false;
            }
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            if (process.isEmpty() || !process.get().isAlive()) {
                return true;
            }
            return process.get().info().startInstant()
                    .map(start -> Duration.between(start, started).abs().compareTo(PID_REUSE_TOLERANCE) > 0)
                    .orElse(false);
        }

        private static String hostName() {
            try {
                String name = InetAddress.getLocalHost().getHostName();
                return name == null || name.isBlank() ? "localhost" : name.replaceAll("\\s", "_");
            } catch (IOException e) {
                return "localhost";
            }
        }
    }

    /** {@code comment on database} for a database this process just created; the name is the testkit's own. */
    static void mark(Statement statement, String database) throws SQLException {
        requireOwnName(database);
        statement.execute("comment on database " + database + " is '" + Owner.current().marker().replace("'", "''") + "'");
    }

    /**
     * Drops the testkit databases on this server that earlier runs left: templates are unmarked
     * {@code IS_TEMPLATE} first. Failures are logged, never thrown: cleaning up must not fail a test run.
     *
     * @return the names dropped
     */
    static List<String> dropDatabases(Connection admin, String serverDescription) {
        List<String> dropped = new ArrayList<>();
        try (Statement statement = admin.createStatement()) {
            List<String[]> candidates = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery("""
                    select d.datname, d.datistemplate, shobj_description(d.oid, 'pg_database'),
                           (select count(*) from pg_stat_activity a where a.datname = d.datname)
                    from pg_database d
                    where d.datname ~ '^cutover_(template|test)_[0-9a-f]{12}$'""")) {
                while (rs.next()) {
                    candidates.add(new String[] {rs.getString(1), String.valueOf(rs.getBoolean(2)), rs.getString(3),
                            String.valueOf(rs.getLong(4))});
                }
            }
            for (String[] candidate : candidates) {
                boolean unused = "0".equals(candidate[3]);
                if (unused && Owner.parse(candidate[2]).filter(Owner::isGone).isPresent()) {
                    dropDatabase(statement, candidate[0], Boolean.parseBoolean(candidate[1]), serverDescription)
                            .ifPresent(dropped::add);
                }
            }
        } catch (SQLException e) {
            LOG.atWarn().addKeyValue("server", serverDescription).log("Could not look for databases left by earlier test runs on {} ({}): {}",
                    serverDescription, e.getSQLState(), e.getMessage());
        }
        if (!dropped.isEmpty()) {
            LOG.atInfo().addKeyValue("server", serverDescription).addKeyValue("databases", dropped)
                    .log("Dropped {} databases left on {} by test runs that ended without cleaning up: {}", dropped.size(),
                            serverDescription, dropped);
        }
        return dropped;
    }

    private static Optional<String> dropDatabase(Statement statement, String name, boolean template, String serverDescription) {
        requireOwnName(name);
        try {
            if (template) {
                statement.execute("alter database " + name + " with is_template false");
            }
            statement.execute("drop database if exists " + name);
            return Optional.of(name);
        } catch (SQLException e) {
            LOG.atDebug().addKeyValue("database", name)
                    .log("Could not drop {} on {}, left by an earlier test run ({}): {}", name, serverDescription,
                            e.getSQLState(), e.getMessage());
            return Optional.empty();
        }
    }

    private static void requireOwnName(String database) {
        if (!DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("Not a testkit database name: " + database);
        }
    }

    /** Where embedded servers live: one directory each, with an {@code owner} file and the data directory. */
    static Path embeddedHome() {
        return Path.of(System.getProperty("java.io.tmpdir"), "cutover-testkit-postgres");
    }

    /** A new directory for an embedded server of this process, marked with its owner. */
    static Path newEmbeddedDirectory(Path home) throws IOException {
        Files.createDirectories(home);
        Path directory = Files.createTempDirectory(home, "pg-");
        Files.writeString(directory.resolve(OWNER_FILE), Owner.current().marker());
        return directory;
    }

    /**
     * Stops the embedded servers earlier runs left running (when no session is connected) and
     * deletes their directories. Failures are logged, never thrown.
     *
     * @return the directories removed
     */
    static List<Path> removeEmbeddedServers(Path home) {
        if (!Files.isDirectory(home)) {
            return List.of();
        }
        List<Path> removed = new ArrayList<>();
        try (Stream<Path> directories = Files.list(home)) {
            for (Path directory : directories.filter(Files::isDirectory).toList()) {
                if (ownerGone(directory) && stopServer(directory.resolve("data"))) {
                    deleteTree(directory);
                    removed.add(directory);
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not look for embedded servers left by earlier test runs in {}: {}", home, e.getMessage());
        }
        if (!removed.isEmpty()) {
            LOG.atInfo().addKeyValue("directories", removed)
                    .log("Stopped and removed {} embedded PostgreSQL servers left by test runs that ended without cleaning up: {}",
                            removed.size(), removed);
        }
        return removed;
    }

    private static boolean ownerGone(Path directory) {
        try {
            Path owner = directory.resolve(OWNER_FILE);
            return Files.isRegularFile(owner) && Owner.parse(Files.readString(owner)).filter(Owner::isGone).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /** True when no server runs on this data directory any more (it was stopped here, or had stopped). */
    private static boolean stopServer(Path data) throws IOException {
        Path pidFile = data.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return true;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.size() < 4) {
            return false;
        }
        Optional<ProcessHandle> postmaster = ProcessHandle.of(Long.parseLong(lines.get(0).strip()));
        if (postmaster.isEmpty() || !postmaster.get().isAlive()) {
            return true;
        }
        if (!Path.of(lines.get(1).strip()).toAbsolutePath().normalize().equals(data.toAbsolutePath().normalize())
                || connectedSessions(Integer.parseInt(lines.get(3).strip())) != 0) {
            return false;
        }
        postmaster.get().destroy();
        try {
            postmaster.get().onExit().get(60, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("The embedded PostgreSQL left in {} did not stop within 60 s", data);
            return false;
        }
    }

    /** Sessions connected to an orphaned embedded server, other than this check's; -1 when it cannot be asked. */
    private static long connectedSessions(int port) {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres?user=postgres");
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(
                     "select count(*) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    /** Deletes a directory and what it holds; tolerates files vanishing meanwhile (a server deleting its own data). */
    static void deleteTree(Path directory) {
        for (int attempt = 1; attempt <= 3 && Files.exists(directory); attempt++) {
            try (Stream<Path> paths = Files.walk(directory)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException | UncheckedIOException e) {
                if (attempt == 3) {
                    LOG.debug("Could not delete {} completely: {}", directory, e.getMessage());
                }
            }
        }
    }
}
