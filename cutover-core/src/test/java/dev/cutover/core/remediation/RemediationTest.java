package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.TestDatabase;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RemediationTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> db = d.runbookSchema().cutoverDatabase());
    static CutoverDatabase db;

    static final NotNullCutover CUTOVER = NotNullCutover.builder("user", "organization_id")
            .references("organizations", "id")
            .inspect("id", "email", "created_at")
            .newestFirstBy("created_at")
            .sensitive("email")
            .build();

    static final String BY_DOMAIN = "select id from organizations where domain = split_part(:email, '@', 2)";

    @BeforeEach
    void rows() {
        database.execute("""
                do $$ begin if to_regclass('cutover_journal_batch') is not null then truncate cutover_journal_batch; end if; end $$;
                truncate "user", organizations restart identity;
                insert into organizations (name, domain) values ('Acme', 'acme.test'), ('Globex', 'globex.test'), ('Default', null);
                insert into "user" (email, created_at, organization_id)
                select case when i % 3 = 0 then 'u' || i || '@acme.test'
                            when i % 3 = 1 then 'u' || i || '@globex.test'
                            else 'u' || i || '@unknown.test' end,
                       timestamptz '2026-01-01' + i * interval '1 minute',
                       case when i % 2 = 0 then null else 1 end
                from generate_series(1, 30) i;
                """);
    }

    private long nulls() {
        return database.queryLong("select count(*) from \"user\" where organization_id is null");
    }

    private long journalRows() {
        return database.queryLong("select case when to_regclass('cutover_journal') is null then 0 "
                + "else (xpath('/row/n/text()', query_to_xml('select count(*) as n from cutover_journal', false, true, '')))[1]::text::bigint end");
    }

    private String checksumOfSetRows() {
        return database.queryString("select md5(string_agg(id || ':' || organization_id, ',' order by id)) from \"user\" "
                + "where organization_id is not null");
    }

    @Test
    void assignsAConstantToEveryNullRowInBatchesAndJournalsEachChange() {
        String before = checksumOfSetRows();
        List<RemediationEvent> events = new ArrayList<>();
        RemediationReport report = Remediation.builder(db, CUTOVER)
                .policy(RemediationPolicies.constant(3L))
                .batchSize(4)
                .onEvent(events::add)
                .build().run();

        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
        assertThat(report.complete()).isTrue();
        assertThat(report.assigned()).isEqualTo(15);
        assertThat(report.remaining()).isZero();
        assertThat(report.rounds()).isEqualTo(1);
        assertThat(report.batches()).isEqualTo(4);
        assertThat(report.assignedByValue()).isEqualTo(Map.of("3", 15L));
        assertThat(report.changes()).hasSize(15);
        assertThat(report.changes().get(0).columns()).containsEntry("email", "u***@unknown.test");
        assertThat(report.changes().get(0).policy()).isEqualTo("constant(3)");
        assertThat(nulls()).isZero();
        assertThat(database.queryLong("select count(*) from \"user\" where organization_id = 3")).isEqualTo(15);
        assertThat(database.queryLong("select count(*) from \"user\" where id % 2 = 1 and organization_id = 1")).isEqualTo(15);

        assertThat(database.queryLong("select count(*) from cutover_journal where run_id = '" + report.runId()
                + "' and action = 'assign' and old_value is null and new_value = '3' and policy = 'constant(3)'")).isEqualTo(15);
        assertThat(database.queryLong("select count(*) from cutover_journal j join \"user\" u on u.id = (j.key->>'id')::bigint "
                + "where u.id % 2 = 0")).isEqualTo(15);
        assertThat(database.queryString("select md5(string_agg(id || ':' || organization_id, ',' order by id)) from \"user\" "
                + "where id % 2 = 1")).isEqualTo(before);

        assertThat(events).hasSize(6);
        assertThat(events.get(0)).isInstanceOfSatisfying(RemediationEvent.BatchDone.class, b -> {
            assertThat(b.round()).isEqualTo(1);
            assertThat(b.batch()).isEqualTo(1);
            assertThat(b.rows()).isEqualTo(4);
            assertThat(b.assigned()).isEqualTo(4);
            assertThat(b.attempts()).isEqualTo(1);
        });
        assertThat(events.get(4)).isInstanceOfSatisfying(RemediationEvent.RoundDone.class, r -> {
            assertThat(r.assigned()).isEqualTo(15);
            assertThat(r.remaining()).isZero();
        });
        assertThat(events.get(5)).isEqualTo(new RemediationEvent.Finished(report.runId(), report));
    }

    @Test
    void mapsTheEmailDomainToAnOrganizationAndStopsWithAReportWhenARoundMakesNoProgress() {
        RemediationReport report = Remediation.builder(db, CUTOVER)
                .policy(RemediationPolicies.lookup(BY_DOMAIN))
                .batchSize(7)
                .build().run();

        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.NO_PROGRESS);
        assertThat(report.assigned()).isEqualTo(10);
        assertThat(report.assignedByValue()).isEqualTo(Map.of("1", 5L, "2", 5L));
        assertThat(report.rounds()).isEqualTo(2);
        assertThat(report.remaining()).isEqualTo(5);
        assertThat(report.skipped()).isEqualTo(5);
        assertThat(report.skippedByReason()).isEqualTo(Map.of("no match", 5L));
        assertThat(report.skippedRows()).hasSize(5);
        assertThat(report.skippedRows().get(0).key()).isEqualTo(Map.of("id", 2L));
        assertThat(report.skippedRows().get(0).columns()).containsEntry("email", "u***@unknown.test");
        assertThat(report.skippedRows().get(0).reason()).isEqualTo("no match");
        assertThat(report.toString()).doesNotContain("u2@");
        assertThat(database.queryLong("select count(*) from \"user\" where email like '%@acme.test' and organization_id = 1 "
                + "and id % 2 = 0")).isEqualTo(5);
        assertThat(database.queryLong("select count(*) from \"user\" where email like '%@globex.test' and organization_id = 2 "
                + "and id % 2 = 0")).isEqualTo(5);
    }

    @Test
    void firstOfFallsBackToTheNextPolicyAndJournalsWhichOneDecided() {
        RemediationReport report = Remediation.builder(db, CUTOVER)
                .policy(RemediationPolicies.firstOf(RemediationPolicies.lookup(BY_DOMAIN), RemediationPolicies.constant(3)))
                .build().run();

        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
        assertThat(report.assignedByValue()).isEqualTo(Map.of("1", 5L, "2", 5L, "3", 5L));
        assertThat(database.queryLong("select count(*) from cutover_journal where policy = 'constant(3)'")).isEqualTo(5);
        assertThat(database.queryLong("select count(*) from cutover_journal where policy = 'lookup(" + BY_DOMAIN.replace("'", "''")
                + ")'")).isEqualTo(10);
    }

    @Test
    void skipsAmbiguousLookups() {
        RemediationReport report = Remediation.builder(db, CUTOVER)
                .policy(RemediationPolicies.lookup("select id from organizations where :id > 0"))
                .build().run();

        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.NO_PROGRESS);
        assertThat(report.skippedByReason()).isEqualTo(Map.of("ambiguous: 2 or more rows", 15L));
        assertThat(nulls()).isEqualTo(15);
    }

    @Test
    void aLambdaIsAPolicy() {
        RemediationPolicy policy = row -> ((Long) row.value("id")) <= 10 ? RemediationDecision.assign("2")
                : RemediationDecision.skip("later");
        RemediationReport report = Remediation.builder(db, CUTOVER)
                .policy(RemediationPolicies.named("first ten to Globex", policy))
                .build().run();

        assertThat(report.assigned()).isEqualTo(5);
        assertThat(report.skippedByReason()).isEqualTo(Map.of("later", 10L));
        assertThat(database.queryLong("select count(*) from cutover_journal where policy = 'first ten to Globex'")).isEqualTo(5);
    }

    @Test
    void dryRunWritesNothingAndReportsExactlyWhatWouldChange() {
        RemediationReport dry = Remediation.builder(db, CUTOVER)
                .policy(RemediationPolicies.firstOf(RemediationPolicies.lookup(BY_DOMAIN), RemediationPolicies.constant(3L)))
                .batchSize(4)
                .dryRun(true)
                .build().run();

        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.outcome()).isEqualTo(RemediationReport.Outcome.DRY_RUN);
        assertThat(dry.assigned()).isEqualTo(15);
        assertThat(dry.remaining()).isEqualTo(15);
        assertThat(nulls()).isEqualTo(15);
        assertThat(journalRows()).isZero();

        RemediationReport real = Remediation.builder(db, CUTOVER)
                .policy(RemediationPolicies.firstOf(RemediationPolicies.lookup(BY_DOMAIN), RemediationPolicies.constant(3L)))
                .batchSize(4)
                .build().run();
        assertThat(real.assignedByValue()).isEqualTo(dry.assignedByValue());
        assertThat(real.changes()).isEqualTo(dry.changes());
    }

    @Test
    void undoPutsBackOnlyRowsThatStillHoldTheValueTheRunSetAndJournalsThat() {
        RemediationReport report = Remediation.builder(db, CUTOVER).policy(RemediationPolicies.constant(3L)).build().run();
        database.execute("update \"user\" set organization_id = 2 where id in (2, 4)");

        UndoReport undo = Remediation.undo(db, report.runId());

        assertThat(undo.restored()).isEqualTo(13);
        assertThat(undo.unchanged()).isEqualTo(2);
        assertThat(undo.subject()).isEqualTo("public.\"user\".organization_id");
        assertThat(nulls()).isEqualTo(13);
        assertThat(database.queryLong("select count(*) from \"user\" where id in (2, 4) and organization_id = 2")).isEqualTo(2);
        assertThat(database.queryLong("select count(*) from cutover_journal where run_id = '" + report.runId()
                + "' and action = 'undo' and old_value = '3' and new_value is null")).isEqualTo(13);

        UndoReport again = Remediation.undo(db, report.runId());
        assertThat(again.restored()).isZero();
    }

    @Test
    void undoOfAnUnknownRunSaysSo() {
        Remediation.builder(db, CUTOVER).policy(RemediationPolicies.constant(3L)).build().run();
        java.util.UUID unknown = java.util.UUID.fromString("00000000-0000-0000-0000-000000000001");
        assertThatThrownBy(() -> Remediation.undo(db, unknown))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("No remediation journal holds run 00000000-0000-0000-0000-000000000001; check the run id "
                        + "(RemediationReport.runId()) and the database's stateSchema.");
    }

    @Test
    void aConstantOfTheWrongTypeFailsBeforeAnyUpdate() {
        assertThatThrownBy(() -> Remediation.builder(db, CUTOVER).policy(RemediationPolicies.constant("acme")).build())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("RemediationPolicies.constant(acme) does not fit public.\"user\".organization_id of type bigint: "
                        + "invalid input syntax for type bigint: \"acme\". Give a value of type bigint.");
        assertThatThrownBy(() -> Remediation.builder(db, CUTOVER)
                .policy(RemediationPolicies.firstOf(RemediationPolicies.lookup(BY_DOMAIN),
                        RemediationPolicies.constant(new java.math.BigDecimal("1e30")))).build())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("RemediationPolicies.constant(1E+30) does not fit public.\"user\".organization_id of type bigint: "
                        + "value \"1000000000000000000000000000000\" is out of range for type bigint. Give a value of type bigint.");
        assertThat(nulls()).isEqualTo(15);
    }

    @Test
    void aConstantThatDoesNotFitASensitiveColumnIsMaskedInTheMessage() {
        NotNullCutover secret = NotNullCutover.builder("user", "organization_id").sensitive("organization_id").build();
        assertThatThrownBy(() -> Remediation.builder(db, secret).policy(RemediationPolicies.constant("secret-org")).build())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasNoCause()
                .hasMessage("RemediationPolicies.constant(s***) does not fit public.\"user\".organization_id of type bigint: "
                        + "invalid input syntax for type bigint: \"s***\". Give a value of type bigint.");
    }

    @Test
    void aLookupParameterMustBeAColumnOfTheRow() {
        assertThatThrownBy(() -> Remediation.builder(db, CUTOVER)
                .policy(RemediationPolicies.lookup("select id from organizations where domain = :domain")).build())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("Lookup parameter :domain is not a column of the rows of public.\"user\".organization_id; parameters "
                        + "are bound from the key and inspect columns (id, email, created_at); add the column with "
                        + "NotNullCutover.builder(...).inspect(...). SQL: select id from organizations where domain = :domain");
    }

    @Test
    void aFailingLookupNamesItsSqlAndChangesNothingInThatBatch() {
        RemediationPolicy policy = RemediationPolicies.firstOf(
                row -> ((Long) row.value("id")) < 20 ? RemediationDecision.assign(3L) : RemediationDecision.skip("later"),
                RemediationPolicies.lookup("select id from orgs where domain = :email"));
        Remediation remediation = Remediation.builder(db, CUTOVER).policy(policy).batchSize(5).build();

        assertThatThrownBy(remediation::run)
                .isInstanceOf(CutoverDatabaseException.class)
                .hasMessageContaining("Lookup policy failed while remediating public.\"user\".organization_id in batch 2 "
                        + "(SQLSTATE 42P01): relation \"orgs\" does not exist")
                .hasMessageContaining("SQL: select id from orgs where domain = :email. Nothing in this batch was changed; "
                        + "5 rows assigned before are journaled under run ");
        assertThat(nulls()).isEqualTo(10);
    }

    @Test
    void aFailingLookupMasksTheSensitiveValuesTheServerQuotes() {
        Remediation remediation = Remediation.builder(db, CUTOVER)
                .policy(RemediationPolicies.lookup("select id from organizations where id = cast(:email as bigint)")).build();

        assertThatThrownBy(remediation::run)
                .isInstanceOf(CutoverDatabaseException.class)
                .hasMessageContaining("(SQLSTATE 22P02): invalid input syntax for type bigint: \"u***@unknown.test\". SQL: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("u2@"))
                .satisfies(e -> assertThat(java.util.stream.Stream.iterate(e, t -> t != null, Throwable::getCause)
                        .map(String::valueOf)).noneMatch(m -> m.contains("u2@")));
        assertThat(nulls()).isEqualTo(15);
    }

    @Test
    void aPolicyThatThrowsFailsTheRunWithTheRowMasked() {
        RemediationPolicy policy = RemediationPolicies.named("picky", row -> {
            throw new IllegalStateException("cannot decide");
        });
        assertThatThrownBy(() -> Remediation.builder(db, CUTOVER).policy(policy).build().run())
                .isInstanceOf(RemediationException.class)
                .hasMessageStartingWith("Policy picky failed on row {id=2} of public.\"user\".organization_id: "
                        + "java.lang.IllegalStateException (its message is left out: email is sensitive). Nothing in this batch "
                        + "was changed; 0 rows assigned before")
                .hasNoCause();
    }

    @Test
    void worksWithACompositeKeyAndTextValues() {
        database.execute("""
                create table tenant_user (tenant text not null, id int not null, plan text, primary key (tenant, id));
                insert into tenant_user select 't' || (i % 3), i, case when i % 4 = 0 then 'pro' end from generate_series(1, 40) i;
                """);
        try {
            NotNullCutover cutover = NotNullCutover.builder("tenant_user", "plan").build();
            RemediationReport report = Remediation.builder(db, cutover).policy(RemediationPolicies.constant("free"))
                    .batchSize(7).maxRowsPerSecond(1000).build().run();
            assertThat(report.assigned()).isEqualTo(30);
            assertThat(report.batches()).isEqualTo(5);
            assertThat(database.queryLong("select count(*) from tenant_user where plan = 'free'")).isEqualTo(30);
            assertThat(Remediation.undo(db, report.runId()).restored()).isEqualTo(30);
            assertThat(database.queryLong("select count(*) from tenant_user where plan is null")).isEqualTo(30);
        } finally {
            database.execute("drop table tenant_user");
        }
    }

    @Test
    void theJournalKeepsOneEntryPerBatchAndValueAndTheViewShowsOneRowPerChange() {
        RemediationReport constant = Remediation.builder(db, CUTOVER).policy(RemediationPolicies.constant(3L)).batchSize(4)
                .build().run();
        assertThat(database.queryString("select string_agg(key_count::text, ',' order by id) from cutover_journal_batch "
                + "where run_id = '" + constant.runId() + "'")).isEqualTo("4,4,4,3");
        assertThat(database.queryString("select string_agg(key->>'id', ',' order by (key->>'id')::int) from cutover_journal "
                + "where run_id = '" + constant.runId() + "'")).isEqualTo("2,4,6,8,10,12,14,16,18,20,22,24,26,28,30");

        database.execute("update \"user\" set organization_id = null where id % 2 = 0");
        RemediationReport perRow = Remediation.builder(db, CUTOVER)
                .policy(row -> RemediationDecision.assign(((Number) row.key().get("id")).longValue() % 4 == 0 ? 1L : 2L))
                .batchSize(4).build().run();
        assertThat(perRow.assignedByValue()).isEqualTo(Map.of("1", 7L, "2", 8L));
        // Batches of four rows alternate between the two values: an entry per batch and value.
        // An entry's first key: an object for an older journal, the bare id now.
        assertThat(database.queryString("select string_agg(new_value || ':' || key_count, ',' "
                + "order by coalesce(keys->0->>'id', keys->>0)::int) "
                + "from cutover_journal_batch where run_id = '" + perRow.runId() + "'")).isEqualTo("2:2,1:2,2:2,1:2,2:2,1:2,2:2,1:1");
        assertThat(database.queryLong("select count(*) from cutover_journal j join \"user\" u on u.id = (j.key->>'id')::bigint "
                + "where j.run_id = '" + perRow.runId() + "' and u.organization_id::text = j.new_value")).isEqualTo(15);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"constant", "per-row"})
    void neverOverwritesAValueAnotherSessionSetWhileTheBatchWaitedForItsRow(String kind) throws Exception {
        RemediationPolicy policy = kind.equals("constant") ? RemediationPolicies.constant(3L) : row -> RemediationDecision.assign(3L);
        try (Connection other = database.dataSource().getConnection()) {
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.execute("update \"user\" set organization_id = 2 where id = 6");
            }
            ExecutorService executor = Executors.newSingleThreadExecutor();
            try {
                Future<RemediationReport> run = executor.submit(() -> Remediation.builder(db, CUTOVER).policy(policy)
                        .lockTimeout(Duration.ofSeconds(30)).build().run());
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (database.queryLong("select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
                        + "and application_name like 'cutover remediation %'") == 0) {
                    assertThat(System.nanoTime()).as("the remediation waits for the row lock").isLessThan(deadline);
                    Thread.sleep(10);
                }
                other.commit();
                RemediationReport report = run.get(30, TimeUnit.SECONDS);
                assertThat(report.assigned()).isEqualTo(14);
                assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
            } finally {
                executor.shutdownNow();
            }
        }
        assertThat(database.queryLong("select organization_id from \"user\" where id = 6")).isEqualTo(2);
        assertThat(database.queryLong("select count(*) from cutover_journal where key->>'id' = '6'")).isZero();
        assertThat(database.queryLong("select count(*) from cutover_journal")).isEqualTo(14);
    }

    @Test
    void reportsTheFirstChangesUpToTheLimitAndCountsThemAll() {
        RemediationReport report = Remediation.builder(db, CUTOVER).policy(RemediationPolicies.constant(3L)).batchSize(4)
                .reportLimit(6).build().run();
        assertThat(report.assigned()).isEqualTo(15);
        assertThat(report.assignedByValue()).isEqualTo(Map.of("3", 15L));
        assertThat(report.changes()).extracting(c -> c.key().get("id")).containsExactly(2L, 4L, 6L, 8L, 10L, 12L);
        assertThat(report.changes().get(5).columns()).containsEntry("email", "u***@acme.test");
    }

    @Test
    void aRelationNamedLikeTheJournalThatIsNotItsViewStopsTheRunBeforeAnyChange() {
        database.execute("create schema old_state; create table old_state.cutover_journal (id bigint)");
        try {
            CutoverDatabase withOldTable = CutoverDatabase.builder(database.dataSource()).stateSchema("old_state").build();
            assertThatThrownBy(() -> Remediation.builder(withOldTable, CUTOVER).policy(RemediationPolicies.constant(3L)).build().run())
                    .isInstanceOf(CutoverConfigurationException.class)
                    .hasMessageContaining("old_state.cutover_journal exists and is not a view. The remediation journal is kept in "
                            + "old_state.cutover_journal_batch, with a view cutover_journal over it; rename the existing relation");
            assertThat(nulls()).isEqualTo(15);
        } finally {
            database.execute("drop schema old_state cascade");
        }
    }

    @Test
    void maxRowsPerSecondSpreadsTheBatchesOverTime() {
        List<Long> batchEnds = new ArrayList<>();
        RemediationReport report = Remediation.builder(db, CUTOVER).policy(RemediationPolicies.constant(3L)).batchSize(3)
                .maxRowsPerSecond(30)
                .onEvent(e -> {
                    if (e instanceof RemediationEvent.BatchDone) {
                        batchEnds.add(System.nanoTime());
                    }
                })
                .build().run();
        assertThat(report.assigned()).isEqualTo(15);
        // 3 rows at 30 rows/s: about 100 ms a batch. Without the spreading, all five would run at once.
        for (int i = 1; i < batchEnds.size(); i++) {
            assertThat(Duration.ofNanos(batchEnds.get(i) - batchEnds.get(i - 1))).isGreaterThanOrEqualTo(Duration.ofMillis(30));
        }
    }

    @Test
    void leavesAPooledConnectionsSessionSettingsAsItFoundThem() throws Exception {
        try (Connection physical = database.dataSource().getConnection()) {
            try (Statement s = physical.createStatement()) {
                s.execute("set lock_timeout = '7s'; set statement_timeout = '9s'; set application_name = 'app'");
            }
            // A pool of one: every getConnection() hands out the same session, and close() gives it back.
            Connection pooled = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> method.getName().equals("close") ? null
                            : method.invoke(physical, args));
            DataSource pool = (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                    new Class<?>[] {DataSource.class}, (proxy, method, args) -> method.getName().equals("getConnection") ? pooled
                            : method.invoke(database.dataSource(), args));
            CutoverDatabase pooledDb = CutoverDatabase.of(pool);
            for (RemediationPolicy policy : List.of(RemediationPolicies.constant(3L), row -> RemediationDecision.assign(2L))) {
                database.execute("update \"user\" set organization_id = null where id % 2 = 0");
                assertThat(Remediation.builder(pooledDb, CUTOVER).policy(policy).batchSize(4).build().run().assigned()).isEqualTo(15);
                try (Statement s = physical.createStatement();
                     ResultSet rs = s.executeQuery("select current_setting('lock_timeout'), current_setting('statement_timeout'), "
                             + "current_setting('application_name')")) {
                    rs.next();
                    assertThat(List.of(rs.getString(1), rs.getString(2), rs.getString(3))).containsExactly("7s", "9s", "app");
                }
                assertThat(physical.getAutoCommit()).isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0} key")
    @ValueSource(strings = {"text", "uuid", "integer"})
    void aPerRowPolicyWorksOnKeysOfOtherTypes(String type) {
        String key = switch (type) {
            case "text" -> "'d-' || i";
            case "uuid" -> "md5(i::text)::uuid";
            default -> "i";
        };
        database.execute("create table device (serial " + type + " primary key, tier text);"
                + "insert into device select " + key + ", case when i % 3 = 0 then 'gold' end from generate_series(1, 50) i");
        try {
            NotNullCutover cutover = NotNullCutover.builder("device", "tier").build();
            RemediationReport report = Remediation.builder(db, cutover)
                    .policy(row -> RemediationDecision.assign(row.key().get("serial").toString().compareTo("5") < 0 ? "silver" : "bronze"))
                    .batchSize(8).build().run();
            assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
            assertThat(report.assigned()).isEqualTo(34);
            assertThat(database.queryLong("select count(*) from device where tier in ('silver', 'bronze')")).isEqualTo(34);
            assertThat(database.queryLong("select count(*) from device d join cutover_journal j on j.key->>'serial' = d.serial::text "
                    + "and j.new_value = d.tier and j.run_id = '" + report.runId() + "'")).isEqualTo(34);
            assertThat(Remediation.undo(db, report.runId()).restored()).isEqualTo(34);
            assertThat(database.queryLong("select count(*) from device where tier is null")).isEqualTo(34);
        } finally {
            database.execute("drop table device");
        }
    }

    @Test
    void theBuilderChecksEachSettingAtOnce() {
        Remediation.Builder builder = Remediation.builder(db, CUTOVER);
        assertThatThrownBy(() -> builder.batchSize(0)).hasMessage("batchSize must be between 1 and 100000, but was 0");
        assertThatThrownBy(() -> builder.maxRowsPerSecond(0)).hasMessage("maxRowsPerSecond must be at least 1, but was 0");
        assertThatThrownBy(() -> builder.maxRounds(0)).hasMessage("maxRounds must be between 1 and 1000, but was 0");
        assertThatThrownBy(() -> builder.maxAttempts(0)).hasMessage("maxAttempts must be between 1 and 100, but was 0");
        assertThatThrownBy(() -> builder.lockTimeout(java.time.Duration.ZERO))
                .hasMessage("lockTimeout must be between 1ms and 10m, but was 0s");
        assertThatThrownBy(builder::build).hasMessage("policy is required: say how NULL rows of public.\"user\".organization_id "
                + "get their value, e.g. policy(RemediationPolicies.constant(...))");
        builder.policy(RemediationPolicies.constant(1));
        assertThatThrownBy(() -> builder.policy(RemediationPolicies.constant(2)))
                .hasMessage("policy was already set to constant(1); combine policies with RemediationPolicies.firstOf(...)");
    }
}
