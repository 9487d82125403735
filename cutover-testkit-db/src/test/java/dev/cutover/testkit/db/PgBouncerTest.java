package dev.cutover.testkit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PgBouncerTest {

    private static ScratchDatabase db;

    @BeforeAll
    static void needsPgBouncer() {
        Neighbours.requirePgBouncer();
        db = PostgresServers.shared().createDatabase();
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void manyClientsShareThePoolsServerConnections() throws Exception {
        try (PgBouncer bouncer = PgBouncer.inFrontOf(db)) {
            assertThat(bouncer.poolSize()).isEqualTo(2);
            assertThat(backendsSeenByFiveOpenClients(bouncer.dataSource())).hasSizeBetween(1, 2);
        }
        assertThat(backendsSeenByFiveOpenClients(db.dataSource())).hasSize(5);
    }

    @Test
    void aSessionSetByOneClientIsSeenByAnotherClientsTransaction() throws Exception {
        try (PgBouncer bouncer = singleConnectionPool();
             Connection first = bouncer.dataSource().getConnection();
             Connection second = bouncer.dataSource().getConnection()) {
            int firstBackend = backend(first);
            try (Statement statement = first.createStatement()) {
                statement.execute("set lock_timeout = '4321ms'");
            }
            second.setAutoCommit(false);
            assertThat(backend(second)).isEqualTo(firstBackend);
            assertThat(show(second, "lock_timeout")).isEqualTo("4321ms");
            second.commit();
        }
    }

    @Test
    void aSetLocalEndsWithItsTransaction() throws Exception {
        try (PgBouncer bouncer = singleConnectionPool();
             Connection first = bouncer.dataSource().getConnection();
             Connection second = bouncer.dataSource().getConnection()) {
            first.setAutoCommit(false);
            int firstBackend = backend(first);
            try (Statement statement = first.createStatement()) {
                statement.execute("set local lock_timeout = '4321ms'");
            }
            assertThat(show(first, "lock_timeout")).isEqualTo("4321ms");
            first.commit();
            second.setAutoCommit(false);
            assertThat(backend(second)).isEqualTo(firstBackend);
            assertThat(show(second, "lock_timeout")).isEqualTo("0");
            second.commit();
        }
    }

    @Test
    void itsUrlKeepsPreparedStatementsOffTheSharedServerConnection() throws Exception {
        try (PgBouncer bouncer = singleConnectionPool();
             Connection first = bouncer.dataSource().getConnection();
             Connection second = bouncer.dataSource().getConnection();
             PreparedStatement fromFirst = first.prepareStatement("select ?::int + 1");
             PreparedStatement fromSecond = second.prepareStatement("select ?::int + 2")) {
            assertThat(bouncer.jdbcUrl()).endsWith("?prepareThreshold=0");
            for (int i = 0; i < 10; i++) {
                assertThat(single(fromFirst, i)).isEqualTo(i + 1);
                assertThat(single(fromSecond, i)).isEqualTo(i + 2);
            }
        }
    }

    @Test
    void closeStopsPgBouncerAndDeletesItsDirectory() throws Exception {
        PgBouncer bouncer = PgBouncer.inFrontOf(db);
        Path directory = bouncer.directory();
        assertThat(directory.resolve("pgbouncer.ini")).exists();
        assertThat(bouncer.isRunning()).isTrue();
        bouncer.close();
        assertThat(bouncer.isRunning()).isFalse();
        assertThat(Files.exists(directory)).isFalse();
        assertThat(LocalProcesses.accepts("127.0.0.1", bouncer.port())).isFalse();
        bouncer.close();
    }

    @Test
    void settingsOutOfRangeAreRefusedWithTheValue() {
        PgBouncer.Builder builder = PgBouncer.builder("127.0.0.1", 5432, "test", "postgres");
        assertThatThrownBy(() -> builder.poolSize(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("poolSize must be between 1 and 100, but was 0");
        assertThatThrownBy(() -> PgBouncer.builder("127.0.0.1", 5432, "my db", "postgres"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("database must be 1 to 63 letters, digits or underscores for PgBouncer's configuration, but was 'my db'");
        assertThatThrownBy(() -> PgBouncer.builder("127.0.0.1", 0, "test", "postgres"))
                .hasMessage("port must be between 1 and 65535, but was 0");
    }

    @Test
    void aMissingBinarySaysHowToInstallIt() {
        String before = System.getProperty(PgBouncer.BINARY_PROPERTY);
        System.setProperty(PgBouncer.BINARY_PROPERTY, "/nonexistent/pgbouncer");
        try {
            assertThat(PgBouncer.unavailable()).hasValue("PgBouncer is not installed: /nonexistent/pgbouncer is not an executable "
                    + "file. Install it (Debian and Ubuntu: apt-get install pgbouncer) or name the binary with "
                    + "-Dcutover.test.pgbouncer=/path/to/pgbouncer");
            assertThatThrownBy(() -> PgBouncer.inFrontOf(db))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("PgBouncer is not installed: /nonexistent/pgbouncer");
        } finally {
            if (before == null) {
                System.clearProperty(PgBouncer.BINARY_PROPERTY);
            } else {
                System.setProperty(PgBouncer.BINARY_PROPERTY, before);
            }
        }
    }

    private static PgBouncer singleConnectionPool() {
        return PgBouncer.builder(db).poolSize(1).start();
    }

    private static Set<Integer> backendsSeenByFiveOpenClients(DataSource dataSource) throws SQLException {
        List<Connection> clients = new ArrayList<>();
        try {
            Set<Integer> backends = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                clients.add(dataSource.getConnection());
            }
            for (Connection client : clients) {
                backends.add(backend(client));
            }
            return backends;
        } finally {
            for (Connection client : clients) {
                client.close();
            }
        }
    }

    private static int backend(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("select pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static String show(Connection connection, String setting) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("show " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static int single(PreparedStatement statement, int parameter) throws SQLException {
        statement.setInt(1, parameter);
        try (ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
