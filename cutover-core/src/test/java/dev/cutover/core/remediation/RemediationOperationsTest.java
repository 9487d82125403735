package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.TestDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Remediation as it runs in production: behind a pool of one connection, with settings the
 * pool gives every session, on partitioned tables, interrupted, and after a commit whose
 * answer was lost.
 */
class RemediationOperationsTest {

    static TestDatabase database;

    static final NotNullCutover USER = NotNullCutover.builder("user", "organization_id").inspect("id", "email").build();

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.create().runbookSchema();
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    @BeforeEach
    void rows() {
        database.execute("""
                drop table if exists b, j, parted;
                do $$ begin if to_regclass('cutover_journal_batch') is not null then truncate cutover_journal_batch; end if; end $$;
                truncate "user", organizations restart identity;
                insert into organizations (name, domain) values ('Acme', 'acme.test'), ('Globex', 'globex.test');
                insert into "user" (email, created_at, organization_id)
                select 'u' || i || case when i % 3 = 0 then '@acme.test' else '@globex.test' end,
                       timestamptz '2026-01-01' + i * interval '1 minute', case when i % 2 = 0 then null else 1 end
                from generate_series(1, 30) i;
                """);
    }

    private static HikariDataSource poolOfOne() {
        HikariConfig config = new HikariConfig();
        config.setDataSource(database.dataSource());
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(2_000);
        config.setConnectionInitSql("set lock_timeout = '7s'; set statement_timeout = '45s'; set application_name = 'app'");
        return new HikariDataSource(config);
    }

    private static List<String> settings(DataSource pool) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select current_setting('lock_timeout'), current_setting('statement_timeout'), "
                     + "current_setting('application_name')")) {
            rs.next();
            return List.of(rs.getString(1), rs.getString(2), rs.getString(3));
        }
    }

    // ---------------------------------------------------------------- defect 8: one connection at a time; defect 5: settings

    @Test
    void runsAndUndoesOnAPoolOfOneConnectionAndLeavesItsSettingsAsTheyWere() throws Exception {
        try (HikariDataSource pool = poolOfOne()) {
            CutoverDatabase db = CutoverDatabase.of(pool);
            String byDomain = "select id from organizations where domain = split_part(:email, '@', 2)";
            for (RemediationPolicy policy : List.of(RemediationPolicies.constant(2L), RemediationPolicies.lookup(byDomain))) {
                database.execute("update \"user\" set organization_id = null where id % 2 = 0");
                RemediationReport report = Remediation.builder(db, USER).policy(policy).batchSize(4).build().run();
                assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
                assertThat(report.assigned()).isEqualTo(15);
                assertThat(settings(pool)).containsExactly("7s", "45s", "app");
                assertThat(Remediation.undo(db, report.runId()).restored()).isEqualTo(15);
                assertThat(settings(pool)).containsExactly("7s", "45s", "app");
            }
            RemediationPolicy failing = row -> {
                throw new IllegalStateException("cannot decide");
            };
            assertThatThrownBy(() -> Remediation.builder(db, USER).policy(failing).build().run())
                    .isInstanceOf(RemediationException.class);
            assertThat(settings(pool)).containsExactly("7s", "45s", "app");
        }
    }

    // ---------------------------------------------------------------- defect 8: a journal this role may not read

    @Test
    void undoWithoutAStateSchemaPassesOverJournalsTheRoleMayNotRead() throws Exception {
        RemediationReport report = Remediation.builder(database.cutoverDatabase(), USER).policy(RemediationPolicies.constant(2L))
                .build().run();
        String role = "cutover_limited_" + Long.toHexString(System.nanoTime());
        database.execute("create role " + role + ";"
                + "create schema secret; create table secret.cutover_journal_batch (like public.cutover_journal_batch);"
                + "insert into secret.cutover_journal_batch select * from public.cutover_journal_batch;"
                + "grant usage on schema public to " + role + ";"
                + "grant select, update on \"user\", public.cutover_journal_batch to " + role + ";"
                + "grant insert on public.cutover_journal_batch to " + role + ";");
        HikariConfig config = new HikariConfig();
        config.setDataSource(database.dataSource());
        config.setMaximumPoolSize(1);
        config.setConnectionInitSql("set role " + role);
        try (HikariDataSource limited = new HikariDataSource(config)) {
            UndoReport undo = Remediation.undo(CutoverDatabase.of(limited), report.runId());
            assertThat(undo.restored()).isEqualTo(15);
        } finally {
            database.execute("drop schema secret cascade; drop owned by " + role + "; drop role " + role);
        }
    }

    // ---------------------------------------------------------------- defect 8: internal aliases

    @Test
    void tablesNamedLikeTheStatementsInternalNamesWork() {
        CutoverDatabase db = database.cutoverDatabase();
        for (String table : List.of("b", "j")) {
            database.execute("create table " + table + " (id bigint primary key, v text);"
                    + "insert into " + table + " select i, case when i % 2 = 0 then 'app' end from generate_series(1, 10) i");
            NotNullCutover cutover = NotNullCutover.builder(table, "v").build();
            for (RemediationPolicy policy : List.of(RemediationPolicies.constant("fixed"), row -> RemediationDecision.assign("fixed"))) {
                RemediationReport report = Remediation.builder(db, cutover).policy(policy).batchSize(3).build().run();
                assertThat(report.assigned()).as("%s", table).isEqualTo(5);
                assertThat(Remediation.undo(db, report.runId()).restored()).isEqualTo(5);
                assertThat(database.queryLong("select count(*) from " + table + " where v is null")).isEqualTo(5);
            }
        }
    }

    // ---------------------------------------------------------------- defect 8: the report agrees with the journal

    @Test
    void aCommitWhoseAnswerWasLostIsCountedAsTheJournalHasIt() {
        AtomicInteger commits = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean fired = new java.util.concurrent.atomic.AtomicBoolean();
        DataSource flaky = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(method, database.dataSource(), args);
                    if (!method.getName().equals("getConnection")) {
                        return result;
                    }
                    Connection real = (Connection) result;
                    return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                            (p, m, a) -> {
                                Object r = invoke(m, real, a);
                                if (m.getName().equals("commit") && commits.incrementAndGet() > 0 && armed.get()
                                        && fired.compareAndSet(false, true)) {
                                    // The second batch committed; its answer is lost on the way back.
                                    real.close();
                                    throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                                }
                                return r;
                            });
                });
        CutoverDatabase db = CutoverDatabase.of(flaky);
        RemediationReport report = Remediation.builder(db, USER).policy(RemediationPolicies.constant(2L)).batchSize(4)
                .onEvent(e -> armed.set(e instanceof RemediationEvent.BatchDone)).build().run();

        assertThat(fired).isTrue();
        assertThat(report.retries()).isEqualTo(1);
        assertThat(database.queryLong("select count(*) from \"user\" where organization_id = 2")).isEqualTo(15);
        assertThat(database.queryLong("select count(*) from cutover_journal where run_id = '" + report.runId() + "'"))
                .isEqualTo(15);
        assertThat(report.assigned()).isEqualTo(15);
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    // ---------------------------------------------------------------- defect 7: partitioned tables

    @Test
    void theEndOfRoundCountIsExactOnAPartitionedTable() {
        database.execute("""
                create table parted (id bigint primary key, filler text not null, v int) partition by range (id);
                create table parted_1 partition of parted for values from (0) to (2000);
                create table parted_2 partition of parted for values from (2000) to (4000);
                create table parted_3 partition of parted for values from (4000) to (6000);
                insert into parted select i, repeat('x', 300), case when i % 5 = 0 then null else 1 end from generate_series(0, 5999) i;
                """);
        CutoverDatabase db = database.cutoverDatabase();
        RemediationReport report = Remediation.builder(db, NotNullCutover.builder("parted", "v").build())
                .policy(row -> ((Long) row.value("id")) % 10 == 0 ? RemediationDecision.skip("tens stay")
                        : RemediationDecision.assign(2))
                .batchSize(500).build().run();

        assertThat(report.remaining()).isEqualTo(600).isEqualTo(database.queryLong("select count(*) from parted where v is null"));
        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.NO_PROGRESS);
        assertThat(report.assigned()).isEqualTo(600);
    }

    // ---------------------------------------------------------------- defect 6: interruption

    @Test
    void anInterruptedRateLimitedRunStopsAfterItsBatchWithAReport() throws Exception {
        CutoverDatabase db = database.cutoverDatabase();
        AtomicReference<Thread> runner = new AtomicReference<>();
        CompletableFuture<RemediationReport> run = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                run.complete(Remediation.builder(db, USER).policy(RemediationPolicies.constant(2L)).batchSize(2)
                        .maxRowsPerSecond(1)
                        .onEvent(e -> {
                            if (e instanceof RemediationEvent.BatchDone) {
                                runner.get().interrupt();
                            }
                        }).build().run());
            } catch (RuntimeException e) {
                run.completeExceptionally(e);
            }
        });
        runner.set(thread);
        thread.start();

        RemediationReport report = run.get(2, TimeUnit.MINUTES);
        thread.join(TimeUnit.MINUTES.toMillis(1));
        assertThat(thread.isAlive()).isFalse();
        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.INTERRUPTED);
        assertThat(report.batches()).isEqualTo(1);
        assertThat(report.assigned()).isEqualTo(2);
        assertThat(report.remaining()).isEqualTo(13);
    }
}
