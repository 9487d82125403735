package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random cases (key types, NULL layouts, partitions, policies, hostile text values, concurrent
 * application writes) checked against the remediation's safety invariants. A trigger made by the
 * test records every row change with who made it, so the run's and the undo's changes are known
 * exactly. Every failure names its seed; repeat one case with
 * {@code -Dcutover.property.seed=<seed> -Dcutover.property.cases=1}. Default 12 cases. After its
 * first batch a run may meet a fault: its backend terminated, a pause and resume through its
 * handle, or a cancel followed by a resume by run id.
 */
class RemediationPropertyTest {

    static final String CASES_PROPERTY = "cutover.property.cases";
    static final String SEED_PROPERTY = "cutover.property.seed";
    static final String APP_SETTINGS = "4321ms|98765ms|orders-app";

    static TestDatabase database;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabase.create();
    }

    @AfterAll
    static void dropDatabase() {
        if (database != null) {
            database.close();
        }
    }

    static Stream<Arguments> seeds() {
        int cases = Integer.getInteger(CASES_PROPERTY, 12);
        long first = Long.getLong(SEED_PROPERTY, 20_261_201L);
        return LongStream.range(first, first + cases).mapToObj(seed -> Arguments.of(seed, PropertyCase.random(seed).toString()));
    }

    /**
     * The engine's connections come from a pool of two that sets the application's own
     * timeouts and name on each new connection, and in some cases turns
     * {@code standard_conforming_strings} off, as an old application's role may.
     */
    static HikariDataSource applicationPool(PropertyCase c) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(database.jdbcUrl());
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(2);
        config.setConnectionTimeout(Duration.ofSeconds(60).toMillis());
        config.setConnectionInitSql("set lock_timeout = '4321ms'; set statement_timeout = '98765ms'; "
                + "set application_name = 'orders-app'" + (c.standardStringsOff ? "; set standard_conforming_strings = off" : ""));
        return new HikariDataSource(config);
    }

    @ParameterizedTest(name = "seed {0}: {1}")
    @MethodSource("seeds")
    void aRunAndItsUndoKeepEverySafetyInvariant(long seed, String description) throws Exception {
        PropertyCase c = PropertyCase.random(seed);
        try (HikariDataSource pool = applicationPool(c)) {
            c.create(database);
            check(c, pool);
        } catch (AssertionError | Exception e) {
            throw new AssertionError("seed " + seed + " (" + c + "): " + e.getMessage()
                    + "\nrepeat with -D" + SEED_PROPERTY + "=" + seed + " -D" + CASES_PROPERTY + "=1", e);
        } finally {
            database.execute("drop schema if exists " + c.schema + " cascade");
        }
    }

    private static void check(PropertyCase c, HikariDataSource pool) throws Exception {
        CutoverDatabase db = CutoverDatabase.of(pool);
        NotNullCutover cutover = NotNullCutover.builder("t", "val").schema(c.schema).inspect("grp", "poison").build();
        CompletableFuture<RemediationRun> handle = new CompletableFuture<>();
        Function<UUID, Remediation> remediation = resume -> {
            Remediation.Builder builder = Remediation.builder(db, cutover)
                    .policy(c.policy())
                    .batchSize(c.batchSize)
                    .lockTimeout(Duration.ofSeconds(1))
                    .maxAttempts(20);
            return resume == null ? builder.onEvent(e -> fault(c, handle, e)).build() : builder.resume(resume).build();
        };

        AtomicBoolean runOver = new AtomicBoolean();
        CompletableFuture<Integer> traffic = c.traffic
                ? CompletableFuture.supplyAsync(() -> ApplicationTraffic.run(c, database, runOver))
                : CompletableFuture.completedFuture(0);
        Optional<RemediationReport> report;
        boolean[] resumed = {false};
        try {
            report = Optional.of(runWithFault(c, remediation, handle, resumed));
        } catch (RemediationException e) {
            assertThat(c.lambdaThrows).as("a run whose policy never throws threw " + e).isTrue();
            report = Optional.empty();
        } finally {
            runOver.set(true);
        }
        if (c.fault == PropertyCase.Fault.TERMINATED_BACKEND) {
            // The pool's other connection was terminated too; the checks below borrow from the pool.
            pool.getHikariPoolMXBean().softEvictConnections();
        }
        traffic.get(120, TimeUnit.SECONDS);
        long runEnd = c.queryLong("select coalesce(max(seq), 0) from " + c.schema + ".audit");
        List<UUID> runs = checkRun(c, report, runEnd, resumed[0]);
        assertPoolHasTheApplicationsSettings(pool);
        if (runs.isEmpty()) {
            assertThat(c.engineChanges(0, runEnd)).as("rows changed without a journal").isEmpty();
            return;
        }
        checkUndo(c, db, runs.get(0), runEnd);
        assertPoolHasTheApplicationsSettings(pool);
    }

    /** The run changed only rows NULL at that moment, as the policy decides, each journaled once, as reported; returns the runs journaled. */
    private static List<UUID> checkRun(PropertyCase c, Optional<RemediationReport> report, long runEnd, boolean resumed)
            throws SQLException {
        List<String> runChanges = c.engineChanges(0, runEnd);
        assertThat(c.violations("""
                select format('%s by %s: %s %s -> %s, grp %s -> %s, payload %s -> %s', k, coalesce(actor, 'the run'), op,
                              old_val, new_val, old_grp, new_grp, old_payload, new_payload)
                from {s}.audit where actor is null and seq <= {end}
                  and not (op = 'UPDATE' and old_val is null and new_val is not null and old_grp = new_grp
                           and old_payload is not distinct from new_payload and old_poison = new_poison)
                """, runEnd))
                .as("changes of the run to rows that were not NULL when it changed them, or to other columns")
                .isEmpty();
        assertThat(c.wrongDecisions(runEnd)).as("rows given a value the policy does not give their committed values").isEmpty();

        List<UUID> runs = c.journalRuns();
        assertThat(runs).as("runs in the journal").hasSizeLessThanOrEqualTo(1);
        report.ifPresent(r -> assertThat(runs).as("runs in the journal").allMatch(r.runId()::equals));
        List<String> journaled = runs.isEmpty() ? List.of() : c.journalEntries(runs.get(0), "assign");
        assertThat(journaled).as("journal entries of the run (key=value), against the rows it changed")
                .containsExactlyInAnyOrderElementsOf(runChanges);
        if (report.isPresent()) {
            RemediationReport r = report.get();
            assertThat(r.assigned()).as("report.assigned() against the rows the run changed (" + r + ")")
                    .isEqualTo(runChanges.size());
            // A resumed run's lists and maps are those of its last process; its count is the whole journal's.
            assertThat(r.assignedByValue().values().stream().mapToLong(Long::longValue).sum())
                    .as("assignedByValue").isLessThanOrEqualTo(r.assigned())
                    .isGreaterThanOrEqualTo(resumed ? 0 : r.assigned());
            if (!c.traffic) {
                long nulls = c.queryLong("select count(*) from " + c.schema + ".t where val is null");
                assertThat(r.remaining()).as("report.remaining() against the table (" + r + ")").isEqualTo(nulls);
                assertThat(r.skipped()).as("report.skipped() against the table (" + r + ")").isEqualTo(nulls);
                assertThat(r.complete()).as("complete (" + r + ")").isEqualTo(nulls == 0);
                assertThat(c.assignableLeftNull()).as("rows left NULL that the policy assigns (" + r + ")").isEmpty();
            }
        }
        return runs;
    }

    /**
     * Runs the case's remediation with its fault after the first batch: the backend terminated, a
     * pause and resume through the handle, or a cancel followed by a resume by run id (then
     * {@code resumed[0]} is set and the resumed run's report returned).
     */
    private static RemediationReport runWithFault(PropertyCase c, Function<UUID, Remediation> remediation,
                                                  CompletableFuture<RemediationRun> handle, boolean[] resumed) {
        RemediationRun run = remediation.apply(null).start();
        handle.complete(run);
        RemediationReport first = run.await();
        if (c.fault != PropertyCase.Fault.CANCELLED_AND_RESUMED || first.outcome() != RemediationReport.Outcome.CANCELLED) {
            return first;
        }
        resumed[0] = true;
        RemediationReport again = remediation.apply(run.runId()).run();
        assertThat(again.runId()).isEqualTo(run.runId());
        assertThat(again.assigned()).as("the resumed run's count, against the cancelled one's " + first)
                .isGreaterThanOrEqualTo(first.assigned());
        return again;
    }

    /** The case's fault, on the run's thread between batches. */
    private static void fault(PropertyCase c, CompletableFuture<RemediationRun> handle, RemediationEvent e) {
        if (e instanceof RemediationEvent.BatchDone b && b.batch() == 1) {
            switch (c.fault) {
                case TERMINATED_BACKEND -> database.execute("select pg_terminate_backend(pid) from pg_stat_activity "
                        + "where datname = current_database() and application_name = 'orders-app'");
                case CANCELLED_AND_RESUMED -> handle.join().cancel();
                case PAUSED_AND_RESUMED -> handle.join().pause();
                default -> { }
            }
        } else if (e instanceof RemediationEvent.Paused) {
            handle.join().resume();
        }
    }

    /** Undo restores exactly the run's rows that nothing changed since, and a second undo nothing. */
    private static void checkUndo(PropertyCase c, CutoverDatabase db, UUID runId, long runEnd) throws SQLException {
        List<String> expectedRestored = c.unchangedSince(runEnd);
        UndoReport first = Remediation.undo(db, runId);
        long undoEnd = c.queryLong("select coalesce(max(seq), 0) from " + c.schema + ".audit");
        assertThat(c.violations("""
                select format('%s: %s %s -> %s', k, op, old_val, new_val) from {s}.audit a
                where seq > {end} and not (actor is null and op = 'UPDATE' and new_val is null and old_grp = new_grp
                  and old_payload is not distinct from new_payload
                  and old_val in (select r.new_val from {s}.audit r where r.k = a.k and r.actor is null and r.seq <= {end}))
                """, runEnd))
                .as("changes of the undo other than putting back NULL where the run had set a value").isEmpty();
        List<String> restored = c.engineChanges(runEnd, undoEnd);
        assertThat(restored).as("rows the undo restored (key=old value), against the rows still holding the run's value "
                + "and unchanged since (" + first + ")").containsExactlyInAnyOrderElementsOf(expectedRestored);
        assertThat(first.restored()).as("undo report " + first).isEqualTo(expectedRestored.size());
        assertThat(c.journalEntries(runId, "undo")).as("undo entries in the journal").hasSize(expectedRestored.size());

        UndoReport second = Remediation.undo(db, runId);
        assertThat(second.restored()).as("second undo " + second).isZero();
        assertThat(c.queryLong("select count(*) from " + c.schema + ".audit where seq > " + undoEnd))
                .as("rows changed by the second undo").isZero();
        assertThat(c.journalEntries(runId, "undo")).as("undo entries in the journal after the second undo")
                .hasSize(expectedRestored.size());
    }

    /** Both pooled connections, borrowed at once, still carry the application's own settings. */
    static void assertPoolHasTheApplicationsSettings(HikariDataSource pool) throws SQLException {
        try (Connection a = pool.getConnection(); Connection b = pool.getConnection()) {
            for (Connection c : List.of(a, b)) {
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("select concat_ws('|', current_setting('lock_timeout'), "
                             + "current_setting('statement_timeout'), current_setting('application_name'))")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("settings of a pooled connection after the run").isEqualTo(APP_SETTINGS);
                }
            }
        }
    }
}
