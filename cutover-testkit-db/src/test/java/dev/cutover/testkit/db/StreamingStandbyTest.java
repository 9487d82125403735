package dev.cutover.testkit.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A standby of the local PostgreSQL server (127.0.0.1:5432), whatever server the rest of the suite uses. */
class StreamingStandbyTest {

    private static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";

    private static ScratchDatabase db;
    private static StreamingStandby standby;

    @BeforeAll
    static void startStandby() {
        Neighbours.requireStandby();
        standby = StreamingStandby.ofLocalServer();
        db = standby.primary().createDatabase();
    }

    @AfterAll
    static void stopStandby() {
        try {
            if (db != null) {
                db.close();
            }
        } finally {
            if (standby != null) {
                standby.close();
            }
        }
    }

    @Test
    void theStandbyIsInRecoveryAndThePrimaryShowsItStreaming() throws Exception {
        try (Connection replica = DriverManager.getConnection(standby.jdbcUrl(db.name()))) {
            assertThat(queryString(replica, "select pg_is_in_recovery()::text")).isEqualTo("true");
            assertThatThrownBy(() -> replica.createStatement().execute("create table nope (id int)"))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25006"));
        }
        ReplicationLag lag = standby.lag();
        assertThat(lag.applicationName()).isEqualTo(standby.applicationName());
        assertThat(lag.state()).isEqualTo("streaming");
    }

    @Test
    void theStandbyStreamsFromAReplicationSlotOfItsOwn() throws Exception {
        try (Connection primary = DriverManager.getConnection(LOCAL_URL)) {
            assertThat(queryString(primary, "select string_agg(active::text, ',') from pg_replication_slots where slot_name = "
                    + "'cutover_standby_" + ProcessHandle.current().pid() + "_" + standby.port() + "'")).isEqualTo("true");
        }
    }

    @Test
    void anInactiveSlotOfAStandbyWhoseJvmIsGoneIsDroppedAndOneOfALiveJvmIsKept() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String deadSlot = "cutover_standby_" + gone.pid() + "_1";
        String liveSlot = "cutover_standby_" + ProcessHandle.current().pid() + "_1";
        try (Connection primary = DriverManager.getConnection(LOCAL_URL); Statement statement = primary.createStatement()) {
            statement.execute("select pg_create_physical_replication_slot('" + deadSlot + "'), "
                    + "pg_create_physical_replication_slot('" + liveSlot + "')");
            try {
                StreamingStandby.dropSlotsOfDeadProcesses(primary);
                assertThat(queryString(primary, "select string_agg(slot_name, ',' order by slot_name) from pg_replication_slots "
                        + "where slot_name in ('" + deadSlot + "', '" + liveSlot + "')")).isEqualTo(liveSlot);
            } finally {
                statement.execute("select pg_drop_replication_slot(slot_name) from pg_replication_slots "
                        + "where slot_name in ('" + deadSlot + "', '" + liveSlot + "')");
            }
        }
    }

    @Test
    void thePrimaryIsTheLocalServer() {
        assertThat(standby.primary().description()).startsWith("server at " + LOCAL_URL);
    }

    @Test
    void aRowWrittenOnThePrimaryIsReadOnTheStandby() throws Exception {
        db.execute("create table greeting (id int primary key, word text); insert into greeting values (1, 'hello')");
        standby.awaitCaughtUp(Duration.ofSeconds(60));
        try (Connection replica = DriverManager.getConnection(standby.jdbcUrl(db.name()))) {
            assertThat(queryString(replica, "select word from greeting where id = 1")).isEqualTo("hello");
        }
    }

    @Test
    void whileReplayIsPausedTheLagGrowsAndTheStandbyCatchesUpWhenResumed() throws Exception {
        db.execute("create table event (id bigserial primary key, payload text)");
        standby.awaitCaughtUp(Duration.ofSeconds(60));
        standby.pauseReplay();
        try (Connection replica = DriverManager.getConnection(standby.jdbcUrl(db.name()))) {
            assertThat(standby.isReplayPaused()).isTrue();
            writeEvents(1000);
            ReplicationLag first = standby.lag();
            writeEvents(1000);
            ReplicationLag second = standby.lag();
            assertThat(first.replayBytes()).isPositive();
            assertThat(second.replayBytes()).isGreaterThan(first.replayBytes());
            assertThat(queryString(replica, "select count(*)::text from event")).isEqualTo("0");

            Duration measured = awaitReplayLag(Duration.ZERO);
            assertThat(awaitReplayLag(measured)).isGreaterThan(measured);

            standby.resumeReplay();
            standby.awaitCaughtUp(Duration.ofSeconds(60));
            assertThat(standby.isReplayPaused()).isFalse();
            assertThat(queryString(replica, "select count(*)::text from event")).isEqualTo(queryString(db, "select count(*)::text from event"));
        } finally {
            standby.resumeReplay();
        }
    }

    @Test
    void catchingUpWhilePausedIsRefused() {
        standby.pauseReplay();
        try {
            db.execute("create table paused (id int)");
            assertThatThrownBy(() -> standby.awaitCaughtUp(Duration.ofSeconds(60)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("The standby on port " + standby.port() + " cannot catch up while its replay is paused; call "
                            + "resumeReplay() first.");
        } finally {
            standby.resumeReplay();
        }
    }

    @Test
    void closeStopsTheStandbyAndDeletesItsDirectory() throws Exception {
        StreamingStandby other = StreamingStandby.ofLocalServer();
        Path directory = other.directory();
        assertThat(other.isRunning()).isTrue();
        assertThat(names(ReplicationLagOnPrimary.read())).contains(other.applicationName());
        other.close();
        assertThat(Files.exists(directory)).isFalse();
        assertThat(LocalProcesses.accepts("127.0.0.1", other.port())).isFalse();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (names(ReplicationLagOnPrimary.read()).contains(other.applicationName()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(names(ReplicationLagOnPrimary.read())).doesNotContain(other.applicationName());
    }

    /** Writes until the primary reports a replay lag greater than this one, and returns it; fails after 30 s. */
    private static Duration awaitReplayLag(Duration greaterThan) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ReplicationLag lag = standby.lag();
        while (lag.replayLag().filter(l -> l.compareTo(greaterThan) > 0).isEmpty()) {
            assertThat(System.nanoTime()).as("replay_lag above %s while replay is paused; last reading %s", greaterThan, lag)
                    .isLessThan(deadline);
            writeEvents(10);
            Thread.sleep(100);
            lag = standby.lag();
        }
        return lag.replayLag().orElseThrow();
    }

    private static void writeEvents(int count) {
        db.execute("insert into event (payload) select repeat('x', 100) from generate_series(1, " + count + ")");
    }

    private static List<String> names(List<ReplicationLag> lags) {
        return lags.stream().map(ReplicationLag::applicationName).toList();
    }

    private static String queryString(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String queryString(ScratchDatabase database, String sql) throws SQLException {
        try (Connection connection = database.dataSource().getConnection()) {
            return queryString(connection, sql);
        }
    }

    /** The example of ReplicationLag's javadoc: every standby of the local server. */
    private static final class ReplicationLagOnPrimary {
        static List<ReplicationLag> read() throws SQLException {
            try (Connection primary = DriverManager.getConnection(LOCAL_URL)) {
                return ReplicationLag.readAll(primary);
            }
        }
    }
}
