package dev.cutover.testkit.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A test JVM killed mid-run leaves databases (URL mode) or a running server (embedded); the next run removes them. */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LeftoversTest {

    @Test
    void databasesOfAKilledRunAreDroppedByTheNextRunAndNothingElse() throws Exception {
        String adminUrl = adminUrl();
        List<String> leftovers = runAndKill("url", adminUrl);
        String template = leftovers.get(0);
        String testDatabase = leftovers.get(1);
        assertThat(databases(adminUrl)).contains(template, testDatabase);
        assertThat(isTemplate(adminUrl, template)).isTrue();

        String unmarked = String.format("cutover_test_%012x", System.nanoTime() & 0xffffffffffffL);
        execute(adminUrl, "create database " + unmarked);
        try (ScratchDatabase ownLive = PostgresServers.jdbcUrl(adminUrl).createDatabase()) {
            UrlServer nextRun = new UrlServer("the next run", adminUrl);
            try (ScratchDatabase next = nextRun.createDatabase()) {
                assertThat(next.name()).startsWith("cutover_test_");
            } finally {
                nextRun.close();
            }

            List<String> after = databases(adminUrl);
            assertThat(after).doesNotContain(template, testDatabase);
            assertThat(after).as("unmarked, and marked by a live run").contains(unmarked, ownLive.name());
        } finally {
            execute(adminUrl, "drop database if exists " + unmarked);
        }
    }

    @Test
    void anEmbeddedServerOfAKilledRunIsStoppedAndRemovedByTheNextRun() throws Exception {
        List<String> leftovers = runAndKill("embedded", String.valueOf(PostgresServers.configuredVersion()));
        Path directory = Path.of(leftovers.get(2));
        assertThat(directory).startsWith(Leftovers.embeddedHome());
        long postmasterPid = Long.parseLong(Files.readAllLines(directory.resolve("data").resolve("postmaster.pid")).get(0).strip());
        Optional<ProcessHandle> postmaster = ProcessHandle.of(postmasterPid);
        assertThat(postmaster).as("the killed run's server keeps running").hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

        List<Path> removed = Leftovers.removeEmbeddedServers(Leftovers.embeddedHome());

        assertThat(removed).contains(directory);
        assertThat(directory).doesNotExist();
        assertThat(ProcessHandle.of(postmasterPid).filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void aMarkerIsReadBackAndOnlyAProvablyGoneOwnerCounts() {
        Leftovers.Owner me = Leftovers.Owner.current();
        assertThat(Leftovers.Owner.parse(me.marker())).contains(me);
        assertThat(me.isGone()).isFalse();
        assertThat(new Leftovers.Owner(me.pid(), me.host(), me.started().minusSeconds(3600)).isGone()).as("pid reused").isTrue();
        assertThat(new Leftovers.Owner(me.pid(), "another-host", Instant.parse("2020-01-01T00:00:00Z")).isGone()).isFalse();
        assertThat(Leftovers.Owner.parse("a comment someone wrote")).isEmpty();
        assertThat(Leftovers.Owner.parse(null)).isEmpty();
    }

    /** Starts {@link KilledRunMain} on the test classpath, waits until it holds its leftovers, kills it. */
    private static List<String> runAndKill(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        for (String property : List.of(PostgresServers.BINARIES_PROPERTY, PostgresServers.VERSION_PROPERTY)) {
            if (System.getProperty(property) != null) {
                command.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        command.add(KilledRunMain.class.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("READY ")) {
                    return List.of(line.substring("READY ".length()).split(" "));
                }
            }
            throw new IllegalStateException("The test run ended before it was ready, exit code " + process.waitFor());
        } finally {
            process.destroyForcibly();
            process.waitFor(1, TimeUnit.MINUTES);
        }
    }

    private static String adminUrl() {
        try (ScratchDatabase db = PostgresServers.shared().createDatabase()) {
            return db.jdbcUrl().replaceFirst("^(jdbc:postgresql://[^/?]*)/[^?]*", "$1/postgres");
        }
    }

    private static List<String> databases(String adminUrl) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(adminUrl);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select datname from pg_database")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static boolean isTemplate(String adminUrl, String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl);
             PreparedStatement s = c.prepareStatement("select datistemplate from pg_database where datname = ?")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static void execute(String adminUrl, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
