package dev.cutover.flyway;

import static dev.cutover.flyway.Runbook.cutover;
import static dev.cutover.flyway.Runbook.cutoverFailure;
import static dev.cutover.flyway.Runbook.flyway;
import static dev.cutover.flyway.Runbook.historyRows;
import static dev.cutover.flyway.Runbook.isNullable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.preflight.Preflight;
import dev.cutover.core.preflight.PreflightCheck;
import dev.cutover.core.testing.TestDatabase;
import dev.cutover.core.verify.VerificationReport;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class CutoverCallbackTest {

    private static final String BLOCKED = "Migration 17 blocked: 3 rows in public.\"user\" have organization_id IS NULL "
            + "(baseline 0). Sample keys: id=3, id=2, id=1. Remediate (see the runbook's remediation loop), then re-run; "
            + "do not force-forward.";

    private TestDatabase db;

    @BeforeEach
    void createDatabase() {
        db = TestDatabase.create();
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    @Test
    void blocksMigrationWhileNullsRemainThenAppliesItAfterRemediation() {
        Runbook.tablesWithThreeNullUsers(db, "runbook");
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover()).build();

        Throwable blocked = catchThrowable(() -> flyway(db.dataSource(), "runbook", callback).load().migrate());

        CutoverMigrationException failure = cutoverFailure(blocked);
        assertThat(failure.getMessage()).isEqualTo(BLOCKED);
        assertThat(failure.reason()).isEqualTo(CutoverMigrationException.Reason.NULLS_REMAIN);
        assertThat(failure.migration()).isEqualTo("17");
        assertThat(blocked.getMessage()).contains(BLOCKED);
        assertThat(historyRows(db, "17")).isZero();
        assertThat(isNullable(db)).isEqualTo("YES");
        assertThat(db.queryLong("select count(*) from pg_constraint where conname = '" + Runbook.FK + "'")).isZero();

        // The next start simply tries again, and is blocked again.
        Throwable again = catchThrowable(() -> flyway(db.dataSource(), "runbook", callback).load().migrate());
        assertThat(cutoverFailure(again).getMessage()).isEqualTo(BLOCKED);
        assertThat(historyRows(db, "17")).isZero();

        db.execute("update \"user\" set organization_id = 1 where organization_id is null");
        MigrateResult result = flyway(db.dataSource(), "runbook", callback).load().migrate();

        assertThat(result.migrationsExecuted).isEqualTo(1);
        assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '17' and success")).isOne();
        // The runbook's own post-migration verification.
        assertThat(isNullable(db)).isEqualTo("NO");
        assertThat(db.queryString("""
                SELECT pg_get_constraintdef(c.oid)
                FROM pg_constraint c
                JOIN pg_class t ON t.oid = c.conrelid
                WHERE t.relname = 'user' AND conname = 'user_organization_id_organizations_id_fk'"""))
                .contains("ON DELETE RESTRICT");
        VerificationReport report = db.cutoverDatabase().verify(cutover());
        assertThat(report.passed()).as(report.render()).isTrue();
    }

    @Test
    void blockedMigrationLeavesTheFlywayConnectionUsable() {
        Runbook.tablesWithThreeNullUsers(db, "runbook");
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover()).build();
        catchThrowable(() -> flyway(db.dataSource(), "runbook", callback).load().migrate());

        assertThat(db.queryLong("select count(*) from \"user\" where organization_id is null")).isEqualTo(3);
        assertThat(db.queryLong("select count(*) from flyway_schema_history where not success")).isZero();
    }

    @Test
    void matchesTheMigrationByScriptName() {
        Runbook.tablesWithThreeNullUsers(db, "runbook");
        CutoverCallback callback = CutoverCallback.forScript("V17__user_org_not_null.sql", cutover()).build();

        Throwable blocked = catchThrowable(() -> flyway(db.dataSource(), "runbook", callback).load().migrate());

        assertThat(cutoverFailure(blocked).getMessage()).isEqualTo(BLOCKED);
    }

    @Test
    void showsOneRowInTheSingularAndMasksSensitiveKeys() {
        flyway(db.dataSource(), "runbook").target("16").load().migrate();
        db.execute("insert into \"user\" (email, organization_id) values ('solo@example.com', null)");
        var cutover = dev.cutover.core.NotNullCutover.builder("user", "organization_id").key("email").build();
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover).baseline(0).build();

        Throwable blocked = catchThrowable(() -> flyway(db.dataSource(), "runbook", callback).load().migrate());

        assertThat(cutoverFailure(blocked).getMessage()).isEqualTo("Migration 17 blocked: 1 row in public.\"user\" has "
                + "organization_id IS NULL (baseline 0). Sample keys: email=solo@example.com. Remediate (see the runbook's "
                + "remediation loop), then re-run; do not force-forward.");
    }

    @Test
    void masksSensitiveKeyValuesInTheMessage() {
        flyway(db.dataSource(), "runbook").target("16").load().migrate();
        db.execute("insert into \"user\" (email, organization_id) values ('solo@example.com', null)");
        var cutover = dev.cutover.core.NotNullCutover.builder("user", "organization_id").key("email").sensitive("email").build();
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover).build();

        Throwable blocked = catchThrowable(() -> flyway(db.dataSource(), "runbook", callback).load().migrate());

        assertThat(cutoverFailure(blocked).getMessage()).contains("Sample keys: email=s***@example.com.")
                .doesNotContain("solo@");
    }

    @Test
    void failsTheMigrationWhenVerificationFailsAndLeavesNoSuccessfulHistoryRow() {
        Runbook.tablesWithThreeNullUsers(db, "cascade");
        db.execute("update \"user\" set organization_id = 1");
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover()).build();

        Throwable failed = catchThrowable(() -> flyway(db.dataSource(), "cascade", callback).load().migrate());

        CutoverMigrationException failure = cutoverFailure(failed);
        assertThat(failure.reason()).isEqualTo(CutoverMigrationException.Reason.VERIFICATION_FAILED);
        assertThat(failure.getMessage())
                .startsWith("Migration 17 ran but did not leave public.\"user\".organization_id as the runbook expects")
                .contains("[FAIL] foreign key ON DELETE: expected RESTRICT, actual CASCADE")
                .endsWith("Change the migration so that each failed check passes (see the runbook's post-migration "
                        + "verification), then re-run.");
        assertThat(db.queryLong("select count(*) from flyway_schema_history where version = '17' and success")).isZero();
        assertThat(historyRows(db, "17")).isZero();
        assertThat(isNullable(db)).isEqualTo("YES");
        assertThat(db.queryLong("select count(*) from pg_constraint where conname = '" + Runbook.FK + "'")).isZero();
    }

    @Test
    void fourFlywaysMigratingAtOnceApplyTheCutoverOnce() throws Exception {
        flyway(db.dataSource(), "runbook").target("16").load().migrate();
        db.execute("insert into organizations (name) values ('Acme'); "
                + "insert into \"user\" (email, organization_id) select 'u' || g || '@acme.example', 1 from generate_series(1, 1000) g");
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover()).build();
        int instances = 4;
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<MigrateResult>> results = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                PGSimpleDataSource own = new PGSimpleDataSource();
                own.setURL(db.jdbcUrl());
                PGSimpleDataSource given = (PGSimpleDataSource) db.dataSource();
                own.setUser(given.getUser());
                own.setPassword(given.getPassword());
                results.add(pool.submit(() -> {
                    start.await();
                    return flyway(own, "runbook", callback).load().migrate();
                }));
            }
            start.countDown();
            int executed = 0;
            for (Future<MigrateResult> f : results) {
                MigrateResult r = f.get(2, TimeUnit.MINUTES);
                assertThat(r.success).isTrue();
                executed += r.migrationsExecuted;
            }
            assertThat(executed).isOne();
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        }
        assertThat(historyRows(db, "17")).isOne();
        assertThat(db.cutoverDatabase().verify(cutover()).passed()).isTrue();
    }

    @Test
    void readsNoTableDataWhenTheCatalogShowsAValidatedNotNull() {
        flyway(db.dataSource(), "runbook").target("16").load().migrate();
        db.execute("alter table \"user\" alter column organization_id set not null");
        db.execute("insert into organizations (name) values ('Acme'); insert into \"user\" (email, organization_id) values ('a@acme.example', 1)");
        ScanCounter scans = new ScanCounter();

        flyway(db.dataSource(), "runbook", CutoverCallback.forMigration("17", cutover()).build(), scans).load().migrate();

        assertThat(scans.scansBeforeMigration).isZero();
    }

    @Test
    void readsTheTableWhenTheCatalogCannotAnswer() {
        flyway(db.dataSource(), "runbook").target("16").load().migrate();
        db.execute("insert into organizations (name) values ('Acme'); insert into \"user\" (email, organization_id) values ('a@acme.example', 1)");
        ScanCounter scans = new ScanCounter();

        flyway(db.dataSource(), "runbook", CutoverCallback.forMigration("17", cutover()).build(), scans).load().migrate();

        assertThat(scans.scansBeforeMigration).isPositive();
        // The probe's SET LOCAL statement_timeout does not stay behind in the migration's transaction.
        assertThat(scans.statementTimeout).isEqualTo("0");
    }

    private static final class AutoCommitSeen implements Callback {
        volatile Boolean autoCommit;

        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.BEFORE_EACH_MIGRATE && context.getMigrationInfo() != null
                    && "17".equals(context.getMigrationInfo().getVersion().getVersion());
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            try {
                autoCommit = context.getConnection().getAutoCommit();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String getCallbackName() {
            return "autocommit seen";
        }
    }

    /**
     * Registered after the cutover callback (Flyway runs them in name order): how often this transaction has read
     * "user" when V17 is about to run, and the statement_timeout the migration will run with.
     */
    private static final class ScanCounter implements Callback {
        volatile long scansBeforeMigration = -1;
        volatile String statementTimeout;

        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.BEFORE_EACH_MIGRATE && context.getMigrationInfo() != null
                    && "17".equals(context.getMigrationInfo().getVersion().getVersion());
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            try (Statement s = context.getConnection().createStatement();
                 ResultSet rs = s.executeQuery("select pg_stat_get_xact_numscans('public.\"user\"'::regclass), "
                         + "current_setting('statement_timeout')")) {
                rs.next();
                scansBeforeMigration = rs.getLong(1);
                statementTimeout = rs.getString(2);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String getCallbackName() {
            return "scan counter";
        }
    }

    private static final String PREFLIGHT_REPORT = """
            Stage B preflight: FAILED (1 of 2 checks failed)
              [PASS] null baseline stable: at 0
              [FAIL] reconciliation clear: 4 unresolved finalize failures
            Do not start Stage B: fix what failed above, then run the preflight again.""";

    @Test
    void blocksMigrationWhenThePreflightFailsAndPrintsItsReport() {
        Runbook.tablesWithThreeNullUsers(db, "runbook");
        db.execute("update \"user\" set organization_id = 1");
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover())
                .preflight(Preflight.builder()
                        .check(PreflightCheck.of("null baseline stable", database -> PreflightCheck.Outcome.pass("at 0")))
                        .check(PreflightCheck.of("reconciliation clear",
                                database -> PreflightCheck.Outcome.fail("4 unresolved finalize failures")))
                        .build())
                .build();

        Throwable blocked = catchThrowable(() -> flyway(db.dataSource(), "runbook", callback).load().migrate());

        CutoverMigrationException failure = cutoverFailure(blocked);
        assertThat(failure.reason()).isEqualTo(CutoverMigrationException.Reason.PREFLIGHT_FAILED);
        assertThat(failure.getMessage()).isEqualTo("Migration 17 blocked: the preflight for public.\"user\".organization_id "
                + "failed.\n" + PREFLIGHT_REPORT + "\n"
                + "Resolve what failed (see the runbook's Stage B preflight checklist), then re-run; do not force-forward.");
        assertThat(historyRows(db, "17")).isZero();
        assertThat(isNullable(db)).isEqualTo("YES");
    }

    @Test
    void runsThePreflightOnTheMigrationsConnectionAndGoesAheadWhenItPasses() {
        Runbook.tablesWithThreeNullUsers(db, "runbook");
        db.execute("update \"user\" set organization_id = 1");
        List<Long> seen = new ArrayList<>();
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover())
                .preflight(Preflight.builder().check(PreflightCheck.of("null count seen", database -> {
                    seen.add(database.probe(cutover()).count());
                    return PreflightCheck.Outcome.pass("0");
                })).build())
                .build();

        flyway(db.dataSource(), "runbook", callback).load().migrate();

        assertThat(seen).containsExactly(0L);
        assertThat(historyRows(db, "17")).isOne();
    }

    @Test
    void blocksAMigrationOutsideATransactionToo() {
        Runbook.tablesWithThreeNullUsers(db, "nontx");
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover()).build();

        AutoCommitSeen seen = new AutoCommitSeen();
        Throwable blocked = catchThrowable(() -> flyway(db.dataSource(), "nontx", seen, callback).load().migrate());

        assertThat(seen.autoCommit).as("V17 runs outside a transaction").isTrue();
        assertThat(cutoverFailure(blocked).getMessage()).isEqualTo(BLOCKED);
        assertThat(isNullable(db)).isEqualTo("YES");
        assertThat(historyRows(db, "17")).isZero();
    }

    @Test
    void failedVerificationAfterAMigrationOutsideATransactionCannotUndoItsChanges() {
        Runbook.tablesWithThreeNullUsers(db, "nontxcascade");
        db.execute("update \"user\" set organization_id = 1");
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover()).build();

        Throwable failed = catchThrowable(() -> flyway(db.dataSource(), "nontxcascade", callback).load().migrate());

        // Nothing can roll such a migration back: its DDL stays. Flyway records no row for it, so it is still pending.
        assertThat(cutoverFailure(failed).reason()).isEqualTo(CutoverMigrationException.Reason.VERIFICATION_FAILED);
        assertThat(isNullable(db)).isEqualTo("NO");
        assertThat(db.queryString("select pg_get_constraintdef(oid) from pg_constraint where conname = '" + Runbook.FK + "'"))
                .contains("ON DELETE CASCADE");
        assertThat(historyRows(db, "17")).isZero();
    }

    @Test
    void seesWhatEarlierMigrationsOfTheSameGroupTransactionDid() {
        CutoverCallback callback = CutoverCallback.forMigration("17", cutover()).build();

        // V16 creates the tables in the same, still uncommitted transaction: only Flyway's own connection sees them.
        MigrateResult result = flyway(db.dataSource(), "runbook", callback).group(true).load().migrate();

        assertThat(result.migrationsExecuted).isEqualTo(2);
        assertThat(db.cutoverDatabase().verify(cutover()).passed()).isTrue();
    }

    @Test
    void blocksTheMigrationWhenTheCutoverNamesAColumnThatDoesNotExist() {
        Runbook.tablesWithThreeNullUsers(db, "runbook");
        var misnamed = dev.cutover.core.NotNullCutover.builder("user", "org_id").build();
        CutoverCallback callback = CutoverCallback.forMigration("17", misnamed).build();

        Throwable failed = catchThrowable(() -> flyway(db.dataSource(), "runbook", callback).load().migrate());

        assertThat(failed).hasRootCauseInstanceOf(CutoverConfigurationException.class);
        assertThat(failed.getMessage()).startsWith("Error while executing beforeEachMigrate callback: ").contains("org_id");
        assertThat(historyRows(db, "17")).isZero();
        assertThat(isNullable(db)).isEqualTo("YES");
    }

    @Test
    void refusesAVersionFlywayCouldNotMatch() {
        assertThatCode(() -> CutoverCallback.forMigration("seventeen", cutover()))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("migration version must look like 17 or 2.1 (Flyway's V<version>__...), but was \"seventeen\"");
    }

    @Test
    void refusesAnEmptyMigrationVersion() {
        assertThatCode(() -> CutoverCallback.forMigration(" ", cutover()))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("migration version must not be empty");
    }

    @Test
    void refusesASampleSizeOutOfRange() {
        assertThatCode(() -> CutoverCallback.forMigration("17", cutover()).sampleSize(0))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("sampleSize must be between 1 and 20, but was 0");
    }

    @Test
    void refusesAnActorWithoutAnOverride() {
        assertThatCode(() -> CutoverCallback.forMigration("17", cutover()).actor("deploy-bot").build())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("actor(deploy-bot) needs incidentOverride(incident, reason): the actor is recorded only when an "
                        + "override is applied");
    }
}
