package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.TestDatabase;
import dev.cutover.testkit.db.Neighbours;
import dev.cutover.testkit.db.ScratchDatabase;
import dev.cutover.testkit.db.StreamingStandby;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The replica-lag throttle against a real standby of the local server (127.0.0.1:5432, made with
 * {@code pg_basebackup -R}, removed afterwards), whatever server the rest of the suite uses.
 */
class RemediationReplicaLagTest {

    static final NotNullCutover USER = NotNullCutover.builder("user", "organization_id").inspect("id", "email").build();
    static final String BLIND_ROLE = "cutover_lag_blind_" + UUID.randomUUID().toString().substring(0, 8);

    static StreamingStandby standby;
    static ScratchDatabase scratch;
    static CutoverDatabase db;

    @BeforeAll
    static void startStandby() {
        Neighbours.requireStandby();
        standby = StreamingStandby.ofLocalServer();
        scratch = standby.primary().createDatabase();
        scratch.execute(TestDatabase.RUNBOOK_SCHEMA);
        scratch.execute(String.join(";\n", Remediation.journalDdl("public")));
        db = CutoverDatabase.of(scratch.dataSource());
    }

    @AfterAll
    static void stopStandby() {
        try {
            if (scratch != null) {
                scratch.close();
                try (Connection c = java.sql.DriverManager.getConnection("jdbc:postgresql://" + StreamingStandby.LOCAL_HOST + ":"
                        + StreamingStandby.LOCAL_PORT + "/postgres?user=" + StreamingStandby.LOCAL_USER);
                     Statement s = c.createStatement()) {
                    s.execute("drop role if exists " + BLIND_ROLE);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        } finally {
            if (standby != null) {
                standby.close();
            }
        }
    }

    @BeforeEach
    void rows() {
        scratch.execute("""
                truncate "user", organizations, cutover_journal_batch, cutover_remediation_run restart identity;
                insert into organizations (name, domain) values ('Acme', 'acme.test'), ('Globex', 'globex.test');
                insert into "user" (email, created_at, organization_id)
                select 'u' || i || '@acme.test', timestamptz '2026-01-01' + i * interval '1 minute', null
                from generate_series(1, 400) i;
                """);
        standby.resumeReplay();
        standby.awaitCaughtUp(Duration.ofSeconds(60));
    }

    private static long otherSessions() {
        try (Connection c = scratch.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where datname = current_database() "
                     + "and pid <> pg_backend_pid() and backend_type = 'client backend'")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aRunWaitsWithoutAConnectionWhileReplayIsPausedAndGoesOnWhenTheStandbyCatchesUp() {
        List<String> throttled = new CopyOnWriteArrayList<>();
        CompletableFuture<RemediationRun> handle = new CompletableFuture<>();
        standby.pauseReplay();
        // The cap keeps the run going well past the bound after its first write, however fast the machine is.
        RemediationRun run = Remediation.builder(db, USER).policy(RemediationPolicies.constant(2L)).batchSize(5)
                .maxRowsPerSecond(100).maxReplicaLag(Duration.ofMillis(200))
                .onEvent(e -> {
                    if (e instanceof RemediationEvent.ReplicaLagThrottled t) {
                        RemediationProgress p = handle.join().progress();
                        throttled.add(t.standby() + " " + p.state() + " after " + p.batches() + " batches, "
                                + otherSessions() + " sessions, behind " + (t.replayBytes() > 0) + ", over bound "
                                + (t.lag().compareTo(t.bound()) > 0));
                        if (throttled.size() == 3) {
                            standby.resumeReplay();
                        }
                    }
                }).build().start();
        handle.complete(run);
        RemediationReport report = run.await();

        assertThat(throttled).hasSizeGreaterThanOrEqualTo(3);
        String first = throttled.get(0);
        long batchesAtFirst = Long.parseLong(first.replaceAll(".* after (\\d+) batches.*", "$1"));
        // Any write on the cluster leaves the paused standby behind, so the run may wait before its first batch.
        assertThat(batchesAtFirst).isBetween(0L, 79L);
        assertThat(throttled.subList(0, 3)).containsOnly(standby.applicationName() + " THROTTLED after " + batchesAtFirst
                + " batches, 0 sessions, behind true, over bound true");
        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
        assertThat(report.assigned()).isEqualTo(400);
        assertThat(report.batches()).isGreaterThan(batchesAtFirst);
    }

    @Test
    void aCaughtUpStandbyDoesNotThrottle() {
        List<RemediationEvent> throttled = new CopyOnWriteArrayList<>();
        RemediationReport report = Remediation.builder(db, USER).policy(RemediationPolicies.constant(2L)).batchSize(400)
                .onEvent(e -> {
                    if (e instanceof RemediationEvent.ReplicaLagThrottled) {
                        throttled.add(e);
                    }
                }).build().run();
        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
        assertThat(throttled).isEmpty();
    }

    @Test
    void aRoleThatCannotSeeTheStandbysPositionsIsToldToGrantPgMonitorOrTurnTheThrottleOff() {
        scratch.execute("create role " + BLIND_ROLE + ";"
                + "grant usage on schema public to " + BLIND_ROLE + ";"
                + "grant select, update on \"user\" to " + BLIND_ROLE + ";"
                + "grant select on organizations, cutover_journal to " + BLIND_ROLE + ";"
                + "grant select, insert on cutover_journal_batch to " + BLIND_ROLE + ";"
                + "grant select, insert, update on cutover_remediation_run to " + BLIND_ROLE + ";");
        PGSimpleDataSource asRole = new PGSimpleDataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                Connection c = super.getConnection();
                try (Statement s = c.createStatement()) {
                    s.execute("set role " + BLIND_ROLE);
                }
                return c;
            }
        };
        asRole.setUrl(scratch.jdbcUrl());
        asRole.setUser(scratch.user());
        CutoverDatabase blind = CutoverDatabase.of(asRole);

        assertThatThrownBy(() -> Remediation.builder(blind, USER).policy(RemediationPolicies.constant(2L)).build().run())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("Cannot throttle the remediation of public.\"user\".organization_id on replica lag: this role sees "
                        + "the primary's standbys in pg_stat_replication but not their replay positions. GRANT pg_monitor TO "
                        + "the role (or run as one that has it), or turn the throttle off with "
                        + "Remediation.builder(...).ignoreReplicaLag() if no standby must be kept close.");
        RemediationReport unthrottled = Remediation.builder(blind, USER).policy(RemediationPolicies.constant(2L))
                .ignoreReplicaLag().build().run();
        assertThat(unthrottled.assigned()).isEqualTo(400);
    }
}
