package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.NamedDataSource;
import dev.cutover.core.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Remediation under faults, on a real PostgreSQL: killed backends, concurrent writers, held row locks. */
class RemediationFaultTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> {
        d.runbookSchema();
        // The remediation's session is found by its name while idle too: the library names it only
        // inside its own transactions, so the connections carry a name of their own.
        db = CutoverDatabase.of(new NamedDataSource(d.dataSource(), "cutover remediation under test"));
    });
    static CutoverDatabase db;

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id")
            .inspect("id", "email")
            .sensitive("email")
            .build();

    static final int ROWS = 4_000;
    static final int NULLS = 2_000;

    final ExecutorService executor = Executors.newFixedThreadPool(2);

    @BeforeEach
    void rows() {
        database.execute("""
                do $$ begin if to_regclass('cutover_journal_batch') is not null then truncate cutover_journal_batch; end if; end $$;
                truncate "user", organizations restart identity;
                insert into organizations (name, domain) values ('Acme', 'acme.test'), ('Globex', 'globex.test'), ('Default', null);
                insert into "user" (email, organization_id)
                select 'u' || i || '@acme.test', case when i % 2 = 0 then null else 1 + i % 3 end
                from generate_series(1, ROWS) i;
                """.replace("ROWS", Integer.toString(ROWS)));
    }

    @AfterEach
    void stopThreads() throws InterruptedException {
        executor.shutdownNow();
        assertThat(executor.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    private String checksumOfRowsSetBefore() {
        return database.queryString("select md5(string_agg(id || ':' || organization_id, ',' order by id)) from \"user\" "
                + "where id % 2 = 1 and id <= " + ROWS);
    }

    private long nulls() {
        return database.queryLong("select count(*) from \"user\" where organization_id is null");
    }

    /** Terminates the remediation's backend from another connection; waits (bounded) until it is gone. */
    private static int terminateRemediationBackend() {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            int terminated = 0;
            try (ResultSet rs = s.executeQuery("select count(*) filter (where pg_terminate_backend(pid)) from pg_stat_activity "
                    + "where application_name like 'cutover remediation %' and datname = current_database() and pid <> pg_backend_pid()")) {
                rs.next();
                terminated = rs.getInt(1);
            }
            for (int i = 0; i < 200; i++) {
                try (ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity "
                        + "where application_name like 'cutover remediation %' and datname = current_database()")) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        break;
                    }
                }
                Thread.sleep(10);
            }
            return terminated;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void survivesItsBackendBeingTerminatedMidRunAndFixesEveryNullRowExactlyOnce() {
        String before = checksumOfRowsSetBefore();
        AtomicInteger terminations = new AtomicInteger();
        AtomicBoolean inTransactionDone = new AtomicBoolean();
        // Deterministic decision; the side effect (terminating our own backend inside the batch
        // transaction, between the read and the UPDATE) happens once.
        RemediationPolicy policy = row -> {
            if (((Long) row.value("id")) == 1_000L && inTransactionDone.compareAndSet(false, true)) {
                terminations.addAndGet(terminateRemediationBackend());
            }
            return RemediationDecision.assign(3L);
        };
        RemediationReport report = Remediation.builder(db, CUTOVER)
                .policy(policy)
                .batchSize(100)
                .onEvent(e -> {
                    // Also between batches, while the connection is idle.
                    if (e instanceof RemediationEvent.BatchDone b && b.batch() == 12) {
                        terminations.addAndGet(terminateRemediationBackend());
                    }
                })
                .build().run();

        assertThat(terminations.get()).isEqualTo(2);
        assertEveryNullRowFixedExactlyOnce(report, before);
    }

    /** The run completed after retries; each NULL row got the value once, journaled once; no other row changed. */
    private void assertEveryNullRowFixedExactlyOnce(RemediationReport report, String checksumBefore) {
        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
        assertThat(report.retries()).isGreaterThanOrEqualTo(2);
        assertThat(report.assigned()).isEqualTo(NULLS);
        assertThat(nulls()).isZero();
        assertThat(database.queryLong("select count(*) from \"user\" where id % 2 = 0 and organization_id = 3")).isEqualTo(NULLS);
        assertThat(database.queryLong("select count(*) from cutover_journal where run_id = '" + report.runId() + "'"))
                .isEqualTo(NULLS);
        assertThat(database.queryLong("select count(distinct key) from cutover_journal")).isEqualTo(NULLS);
        assertThat(database.queryLong("select count(*) from cutover_journal j join \"user\" u on u.id = (j.key->>'id')::bigint "
                + "where u.id % 2 = 0 and u.organization_id::text = j.new_value")).isEqualTo(NULLS);
        assertThat(checksumOfRowsSetBefore()).isEqualTo(checksumBefore);
    }

    @Test
    void aConstantPolicyAlsoSurvivesItsBackendBeingTerminatedBetweenBatches() {
        String before = checksumOfRowsSetBefore();
        AtomicInteger terminations = new AtomicInteger();
        RemediationReport report = Remediation.builder(db, CUTOVER)
                .policy(RemediationPolicies.constant(3L))
                .batchSize(100)
                .onEvent(e -> {
                    if (e instanceof RemediationEvent.BatchDone b && (b.batch() == 3 || b.batch() == 12)) {
                        terminations.addAndGet(terminateRemediationBackend());
                    }
                })
                .build().run();

        assertThat(terminations.get()).isEqualTo(2);
        assertEveryNullRowFixedExactlyOnce(report, before);
    }

    @Test
    void convergesOrStopsWithAReportWhileNullRowsAreInsertedConcurrently() throws Exception {
        String before = checksumOfRowsSetBefore();
        CountDownLatch started = new CountDownLatch(1);
        Future<Integer> writer = executor.submit(() -> {
            int inserted = 0;
            try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
                for (int i = 0; i < 300 && !Thread.currentThread().isInterrupted(); i++) {
                    s.executeUpdate("insert into \"user\" (id, email) values (" + (1_000_000 + i) + ", 'late" + i + "@acme.test')");
                    inserted++;
                    if (i == 10) {
                        started.countDown();
                    }
                    Thread.sleep(2);
                }
            } finally {
                started.countDown();
            }
            return inserted;
        });
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

        RemediationReport report = Remediation.builder(db, CUTOVER)
                .policy(RemediationPolicies.constant(3L))
                .batchSize(50)
                .maxRounds(3)
                .build().run();
        int inserted = writer.get(60, TimeUnit.SECONDS);

        assertThat(report.outcome()).isIn(RemediationReport.Outcome.COMPLETE, RemediationReport.Outcome.ROUNDS_EXHAUSTED);
        if (report.outcome() == RemediationReport.Outcome.COMPLETE) {
            assertThat(report.remaining()).isZero();
        } else {
            assertThat(report.remaining()).isPositive();
        }
        assertThat(database.queryLong("select count(*) from cutover_journal where run_id = '" + report.runId() + "'"))
                .isEqualTo(report.assigned());
        assertThat(checksumOfRowsSetBefore()).isEqualTo(before);

        RemediationReport rest = Remediation.builder(db, CUTOVER).policy(RemediationPolicies.constant(3L)).build().run();
        assertThat(rest.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
        assertThat(report.assigned() + rest.assigned()).isEqualTo(NULLS + inserted);
        assertThat(nulls()).isZero();
        assertThat(database.queryLong("select count(distinct key) from cutover_journal")).isEqualTo(NULLS + inserted);
    }

    @Test
    void waitsOutRowLocksWithLockTimeoutsAndRetriesThenCompletesAfterTheirRelease() throws Exception {
        Connection holder = database.dataSource().getConnection();
        holder.setAutoCommit(false);
        try (Statement s = holder.createStatement()) {
            s.execute("select * from \"user\" where id between 1000 and 1100 for update");
        }
        CountDownLatch retried = new CountDownLatch(2);
        Future<RemediationReport> run = executor.submit(() -> Remediation.builder(db, CUTOVER)
                .policy(RemediationPolicies.constant(3L))
                .batchSize(100)
                .lockTimeout(Duration.ofMillis(20))
                .maxAttempts(100)
                .maxRetryTime(Duration.ofMinutes(2))
                .onEvent(e -> {
                    if (e instanceof RemediationEvent.BatchRetry r && "55P03".equals(r.sqlState())) {
                        retried.countDown();
                    }
                })
                .build().run());
        try {
            assertThat(retried.await(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            holder.rollback();
            holder.close();
        }
        RemediationReport report = run.get(120, TimeUnit.SECONDS);

        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
        assertThat(report.retries()).isGreaterThanOrEqualTo(2);
        assertThat(report.assigned()).isEqualTo(NULLS);
        assertThat(nulls()).isZero();
    }

    @Test
    void givesUpAfterItsAttemptsWhenRowLocksAreNeverReleasedAndSaysWhy() throws Exception {
        try (Connection holder = database.dataSource().getConnection()) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("select * from \"user\" where id between 250 and 260 for update");
            }
            List<RemediationEvent.BatchRetry> retries = new java.util.concurrent.CopyOnWriteArrayList<>();
            Remediation remediation = Remediation.builder(db, CUTOVER)
                    .policy(RemediationPolicies.constant(3L))
                    .batchSize(100)
                    .lockTimeout(Duration.ofMillis(20))
                    .maxAttempts(3)
                    .onEvent(e -> {
                        if (e instanceof RemediationEvent.BatchRetry r) {
                            retries.add(r);
                        }
                    })
                    .build();
            assertThatThrownBy(remediation::run)
                    .isInstanceOf(CutoverDatabaseException.class)
                    .hasMessageStartingWith("Could not remediate batch 2 of public.\"user\".organization_id after 2 retries "
                            + "(SQLSTATE 55P03): ")
                    .hasMessageContaining("Nothing in this batch was changed; 100 rows assigned before are journaled under run ");
            assertThat(retries).extracting(RemediationEvent.BatchRetry::attempt).containsExactly(1, 2);
            holder.rollback();
        }
        assertThat(nulls()).isEqualTo(NULLS - 100);
    }
}
