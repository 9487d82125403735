package dev.cutover.core.remediation;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Identifiers;
import dev.cutover.core.internal.Sql;
import dev.cutover.core.internal.Target;
import dev.cutover.core.internal.Masking;
import dev.cutover.core.internal.Values;
import dev.cutover.core.internal.Catalog;
import dev.cutover.core.internal.Texts;
import dev.cutover.core.internal.Retries;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.CutoverException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.NullProbe;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Name;
import org.jooq.QueryPart;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a remediation: rounds of keyset-paged batches, each one short journaled transaction. */
final class RemediationEngine {

    private static final Logger LOG = LoggerFactory.getLogger("dev.cutover.core.remediation.Remediation");


    private final RemediationSettings plan;
    private final DatabaseHandle db;
    private final Target target;
    private final NotNullCutover cutover;
    private final UUID runId;
    /** Set when this run goes on with a run that stopped: the rows its journal held then. */
    private final Long resumedWith;
    private final RunControl control;
    private final ReplicaLagGuard lagGuard;
    private final BatchStatements statements;
    private long currentBatch;
    private long lastProgressLog = System.nanoTime();
    private long start;
    private static final long PROGRESS_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

    /**
     * A new run, or the continuation of run {@code resume} (checked by {@link RunLog#checkResumable}
     * here, before any statement that changes data).
     */
    RemediationEngine(RemediationSettings plan, UUID resume) {
        this.plan = plan;
        this.db = DatabaseHandle.of(plan.db());
        this.target = db.target(plan.cutover());
        this.cutover = plan.cutover();
        this.runId = resume == null ? UUID.randomUUID() : resume;
        this.resumedWith = resume == null ? null : RunLog.checkResumable(db, cutover, resume);
        this.control = new RunControl(runId);
        this.lagGuard = plan.maxReplicaLag() == null ? null : new ReplicaLagGuard(plan.maxReplicaLag(), cutover.subject());
        this.statements = new BatchStatements(plan, db, target, runId);
    }

    RunControl control() {
        return control;
    }

    // ---------------------------------------------------------------- the loop

    public RemediationReport run() {
        start = System.nanoTime();
        String subject = cutover.subject();
        prepare();
        // Decided before the batch connection is taken: a run never holds more than one connection.
        boolean nullIndex = plan.db().probe(cutover).nullIndex().isPresent();
        // A table with inheritance children is counted whole: its block ranges do not cover the children's rows.
        boolean inherited = BlockRanges.inherited(db, target);
        boolean plainCount = nullIndex || db.serverVersion().major() < 14 || inherited;
        if (BlockRanges.suit(db, target, nullIndex, inherited)) {
            statements.walkBlocks();
        }
        control.started(resumedWith == null ? 0 : resumedWith, nullRowsAtStart(nullIndex));
        RateLimiter limiter = plan.maxRowsPerSecond() > 0 ? RateLimiter.of("cutover-remediation-" + runId,
                RateLimiterConfig.custom().limitForPeriod(permitsPerPeriod()).limitRefreshPeriod(refreshPeriod())
                        .timeoutDuration(Duration.ofSeconds(3)).build()) : null;
        LOG.atInfo().addKeyValue("target", subject).addKeyValue("runId", runId).addKeyValue("dryRun", plan.dryRun())
                .addKeyValue("policy", PolicyTree.describe(plan.policy())).addKeyValue("batchSize", plan.batchSize())
                .addKeyValue("resumed", resumedWith != null)
                .log("Remediation of {} {} (run {}{})", subject, resumedWith == null ? "started" : "resumed", runId,
                        plan.dryRun() ? ", dry run" : "");
        RunTally tally = new RunTally(plan.reportLimit());
        RemediationReport report = null;
        try (BatchRunner runner = new BatchRunner(db.dataSource(), "cutover remediation " + runId, plan.lockTimeout(),
                plan.batchTimeout(), plan.maxAttempts(), plan.maxRetryTime(), subject,
                (attempt, state, wait) -> publish(new RemediationEvent.BatchRetry(runId, currentBatch, attempt, state, wait)))) {
            RemediationReport.Outcome outcome;
            do {
                outcome = round(runner, tally, limiter, plainCount);
            } while (outcome == null);
            report = finish(runner, tally, outcome);
            return report;
        } finally {
            control.done(report, resumedWith == null ? 0 : resumedWith);
        }
    }

    /** The journal and the run's record, before the batch connection is taken; nothing for a dry run. */
    private void prepare() {
        if (plan.dryRun()) {
            return;
        }
        Journal.ensure(db, cutover);
        statements.journalMayHoldBareKeys(Journal.hasKeyColumn(db, cutover));
        RunLog.ensure(db, cutover);
        if (resumedWith == null) {
            RunLog.started(db, cutover, runId, PolicyTree.describe(plan.policy()));
        } else {
            RunLog.resumed(db, cutover, runId);
        }
    }

    /**
     * The NULL rows at the start, for progress: exact through the partial NULL index, else the
     * planner's estimate; empty when there is none or it cannot be read.
     */
    private java.util.OptionalLong nullRowsAtStart(boolean exact) {
        try {
            Long n = Sql.inTransaction(db.dataSource(), db.stateTimeouts(), "estimate the NULL rows of " + cutover.subject(),
                    dsl -> exact ? dsl.selectCount().from(target.table()).where(target.column().isNull()).fetchOne(0, Long.class)
                            : dsl.resultQuery("""
                                    select (c.reltuples * s.null_frac)::bigint from pg_catalog.pg_class c
                                    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                                    join pg_catalog.pg_stats s on s.schemaname = n.nspname and s.tablename = c.relname
                                    where c.oid = {0}::regclass and s.attname = {1} and c.reltuples >= 0
                                    order by s.inherited desc limit 1""", DSL.val(dsl.render(target.tableName())),
                                    DSL.val(cutover.column())).fetchOptional(0, Long.class).orElse(null));
            return n == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(n);
        } catch (CutoverException e) {
            LOG.atDebug().addKeyValue("target", cutover.subject()).log("No estimate of the NULL rows: {}", e.getMessage());
            return java.util.OptionalLong.empty();
        }
    }

    /**
     * Before each batch: waits while the run is paused or a standby is too far behind, holding no
     * connection meanwhile; false when the run is to stop instead.
     */
    private boolean checkpoint(BatchRunner runner) {
        try {
            while (control.stopRequested() == null) {
                if (control.pauseRequested()) {
                    runner.close();
                    control.enterPause();
                    publish(new RemediationEvent.Paused(runId, control.snapshot().batches()));
                    LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("runId", runId)
                            .log("Remediation of {} paused", cutover.subject());
                    control.waitWhilePaused();
                    if (control.stopRequested() == null) {
                        publish(new RemediationEvent.Resumed(runId));
                        LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("runId", runId)
                                .log("Remediation of {} resumed", cutover.subject());
                    }
                    continue;
                }
                if (!throttledOnReplicaLag(runner)) {
                    control.running();
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            control.stop(RemediationReport.Outcome.INTERRUPTED);
        }
        return false;
    }

    /** Looks at the standbys (unless it did a moment ago); when one is too far behind, waits a little and says true. */
    private boolean throttledOnReplicaLag(BatchRunner runner) throws InterruptedException {
        if (lagGuard == null || plan.dryRun() || lagGuard.lookedRecently()) {
            return false;
        }
        java.util.Optional<ReplicaLagGuard.Lagging> lagging;
        try {
            lagging = runner.inTransaction((connection, dsl) -> lagGuard.look(dsl.resultQuery(ReplicaLagGuard.query()).fetch()))
                    .value();
        } catch (CutoverException e) {
            throw e;
        } catch (Exception e) {
            throw Sql.translate("read the replicas' lag (pg_stat_replication) before a batch of " + cutover.subject(), e);
        }
        if (lagging.isEmpty()) {
            return false;
        }
        ReplicaLagGuard.Lagging l = lagging.get();
        runner.close();
        control.markThrottled();
        publish(new RemediationEvent.ReplicaLagThrottled(runId, l.standby(), l.replayBytes(), l.lag(), lagGuard.bound(),
                lagGuard.recheck()));
        LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("runId", runId).addKeyValue("standby", l.standby())
                .addKeyValue("replayBytes", l.replayBytes()).addKeyValue("lagMillis", l.lag().toMillis())
                .log("Remediation of {} waits: standby {} is {} ms behind (bound {} ms)", cutover.subject(), l.standby(),
                        l.lag().toMillis(), lagGuard.bound().toMillis());
        control.throttle(lagGuard.recheck());
        return true;
    }

    /** One pass over the NULL rows in key order; the outcome when the run ends with it, else {@code null}. */
    private RemediationReport.Outcome round(BatchRunner runner, RunTally tally, RateLimiter limiter, boolean plainCount) {
        tally.startRound();
        long roundStart = System.nanoTime();
        List<Object> last = null;
        while (checkpoint(runner)) {
            BatchStatements.BatchResult result = batch(runner, tally, last);
            if (limiter != null && !plan.dryRun()) {
                throttle(limiter, result.assigned());
            }
            if (result.roundOver() || stopping()) {
                break;
            }
            last = result.lastKey();
        }
        try {
            tally.remaining = remaining(runner, plainCount);
        } catch (CutoverException e) {
            throw e;
        } catch (Exception e) {
            throw Sql.translate("count the NULL rows left in " + cutover.subject() + " after round " + tally.round + " ("
                    + tally.assigned + " rows assigned so far, journaled under run " + runId + ")", e);
        }
        Duration roundTook = Duration.ofNanos(System.nanoTime() - roundStart);
        publish(new RemediationEvent.RoundDone(runId, tally.round, tally.roundAssigned, tally.skipped, tally.remaining, roundTook));
        LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("runId", runId).addKeyValue("round", tally.round)
                .addKeyValue("assigned", tally.roundAssigned).addKeyValue("skipped", tally.skipped)
                .addKeyValue("remaining", tally.remaining).addKeyValue("rowsPerSecond", rate(tally.roundAssigned, roundTook))
                .log("Round {} of {}: {} assigned, {} skipped, {} NULL rows remain", tally.round, cutover.subject(),
                        tally.roundAssigned, tally.skipped, tally.remaining);
        return outcome(tally);
    }

    private RemediationReport.Outcome outcome(RunTally tally) {
        if (plan.dryRun()) {
            return RemediationReport.Outcome.DRY_RUN;
        }
        if (stopping()) {
            return control.stopRequested() == null ? RemediationReport.Outcome.INTERRUPTED : control.stopRequested();
        }
        if (tally.remaining == 0) {
            return RemediationReport.Outcome.COMPLETE;
        }
        if (tally.roundAssigned == 0) {
            return RemediationReport.Outcome.NO_PROGRESS;
        }
        return tally.round >= plan.maxRounds() ? RemediationReport.Outcome.ROUNDS_EXHAUSTED : null;
    }

    /** One batch in its own transaction, retried as the runner does; counted, published and logged. */
    private BatchStatements.BatchResult batch(BatchRunner runner, RunTally tally, List<Object> after) {
        long batchNumber = tally.batches + 1;
        currentBatch = batchNumber;
        int reported = tally.changes.size();
        BatchRunner.Done<BatchStatements.BatchResult> done;
        try {
            done = statements.oneStatement()
                    ? runner.inOneRoundTrip((connection, dsl, settings) -> statements.next(connection, dsl, after, reported, settings))
                    : runner.inTransaction((connection, dsl) -> statements.next(connection, dsl, after, reported, null));
        } catch (RemediationException | CutoverConfigurationException e) {
            throw e;
        } catch (Exception e) {
            throw failure(e, batchNumber, tally.assigned, runner.retries());
        }
        BatchStatements.BatchResult result = done.value();
        tally.add(result);
        control.counted(result.assigned(), tally.skipped, tally.batches, runner.retries());
        publish(new RemediationEvent.BatchDone(runId, tally.round, tally.batches, result.rows(), result.assigned(),
                result.skipped().size(), done.attempts(), done.took()));
        LOG.atDebug().addKeyValue("target", cutover.subject()).addKeyValue("runId", runId).addKeyValue("round", tally.round)
                .addKeyValue("batch", tally.batches).addKeyValue("rows", result.rows())
                .addKeyValue("assigned", result.assigned()).addKeyValue("skipped", result.skipped().size())
                .addKeyValue("attempts", done.attempts()).addKeyValue("millis", done.took().toMillis())
                .log("Batch {} of {}: {} rows, {} assigned, {} skipped", tally.batches, cutover.subject(), result.rows(),
                        result.assigned(), result.skipped().size());
        long now = System.nanoTime();
        if (now - lastProgressLog >= PROGRESS_EVERY_NANOS) {
            lastProgressLog = now;
            Duration soFar = Duration.ofNanos(now - start);
            LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("runId", runId).addKeyValue("round", tally.round)
                    .addKeyValue("batches", tally.batches).addKeyValue("assigned", tally.assigned)
                    .addKeyValue("rowsPerSecond", rate(tally.assigned, soFar))
                    .log("Remediating {}: {} rows assigned in {} batches, {} rows/s", cutover.subject(), tally.assigned,
                            tally.batches, rate(tally.assigned, soFar));
        }
        return result;
    }

    private RemediationReport finish(BatchRunner runner, RunTally tally, RemediationReport.Outcome outcome) {
        String subject = cutover.subject();
        if (!plan.dryRun()) {
            // A batch whose commit was lost in transit (08xxx after COMMIT) is in the journal: count from there.
            try {
                tally.assigned = journaled(runner);
                runner.inTransaction((connection, dsl) -> {
                    RunLog.finished(dsl, db, cutover, runId, outcome);
                    return null;
                });
            } catch (CutoverException e) {
                throw e;
            } catch (Exception e) {
                throw Sql.translate("read the journal of run " + runId + " on " + subject, e);
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        RemediationReport report = new RemediationReport(runId, subject, plan.dryRun(), outcome, tally.assigned, tally.byValue,
                tally.changes, tally.skipped, tally.skippedByReason, tally.skippedRows, tally.remaining, tally.round,
                tally.batches, runner.retries(), took);
        publish(new RemediationEvent.Finished(runId, report));
        LOG.atInfo().addKeyValue("target", subject).addKeyValue("runId", runId).addKeyValue("outcome", outcome)
                .addKeyValue("assigned", tally.assigned).addKeyValue("skipped", tally.skipped)
                .addKeyValue("remaining", tally.remaining).addKeyValue("rounds", tally.round)
                .addKeyValue("batches", tally.batches).addKeyValue("retries", runner.retries())
                .addKeyValue("rowsPerSecond", rate(tally.assigned, took))
                .addKeyValue("skippedByReason", tally.skippedByReason.isEmpty() ? "none" : tally.skippedByReason.toString())
                .log("Remediation of {} finished: {}", subject, report);
        return report;
    }

    /** Blocks (8 kB pages by default) a statement of the end-of-round count reads: 32 MB. */
    static final int COUNT_CHUNK_BLOCKS = 4_096;

    /**
     * The NULL rows left after a round, on the run's one connection. With a partial NULL index,
     * or before PostgreSQL 14, one {@code count(*)}; otherwise each relation that holds rows (the
     * table, or each leaf partition of a partitioned table) is read in ranges of
     * {@link #COUNT_CHUNK_BLOCKS} blocks (TID range scans), one short statement each, so that no
     * statement scans a large table whole or holds one snapshot for as long as that takes.
     * Whether it is one {@code count(*)} is decided before the run takes its batch connection: a
     * run never holds more than one connection.
     */
    private long remaining(BatchRunner runner, boolean plainCount) throws Exception {
        if (plainCount) {
            return runner.inTransaction((connection, dsl) -> dsl.selectCount().from(target.table())
                    .where(target.column().isNull()).fetchOne(0, Long.class)).value();
        }
        return countNullsByBlockRanges(runner, target, COUNT_CHUNK_BLOCKS);
    }

    /** Rows this run assigned, as its journal says. */
    private long journaled(BatchRunner runner) throws Exception {
        return runner.inTransaction((connection, dsl) -> dsl.resultQuery(
                "select coalesce(sum(key_count), 0)::bigint from {0} where run_id = {1} and action = 'assign'",
                Journal.batchTable(db, cutover), DSL.val(runId)).fetchOne(0, Long.class)).value();
    }

    /**
     * Counts the target's NULL rows in block ranges of {@code chunkBlocks}, each range in its own
     * statement, relation by relation: the table itself, or every leaf partition of a partitioned
     * table (whose own size is 0).
     */
    static long countNullsByBlockRanges(BatchRunner runner, Target target, int chunkBlocks) throws Exception {
        List<Name> parts = runner.inTransaction((connection, dsl) -> dsl.resultQuery("""
                select n.nspname::text, c.relname::text
                from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                where c.relkind in ('r', 'm') and c.oid in (
                  select t.relid from pg_catalog.pg_partition_tree({0}::regclass) t where t.isleaf
                  union all select {0}::regclass::oid)
                order by c.oid""", DSL.val(dsl.render(target.tableName())))
                .fetch(r -> DSL.name(r.get(0, String.class), r.get(1, String.class)))).value();
        long total = 0;
        for (Name part : parts) {
            total += countNullsByBlockRanges(runner, part, DSL.name(target.cutover().column()), chunkBlocks);
        }
        return total;
    }

    /** Counts a relation's NULL rows in block ranges of {@code chunkBlocks}, each range in its own statement. */
    static long countNullsByBlockRanges(BatchRunner runner, Name table, Name column, int chunkBlocks) throws Exception {
        long total = 0;
        long from = 0;
        while (true) {
            long start = from;
            long[] counted = runner.inAutocommit((connection, dsl) -> {
                Record r = dsl.resultQuery("""
                        select (select count(*) from {0} where ctid >= {1}::tid and ctid < {2}::tid and {3} is null) as nulls,
                               pg_catalog.pg_relation_size({4}::regclass) / current_setting('block_size')::bigint as blocks""",
                        table, DSL.val("(" + start + ",0)"), DSL.val("(" + (start + chunkBlocks) + ",0)"),
                        column, DSL.val(dsl.render(table))).fetchOne();
                return new long[] {r.get("nulls", Long.class), r.get("blocks", Long.class)};
            }).value();
            total += counted[0];
            from = start + chunkBlocks;
            if (from >= counted[1]) {
                return total;
            }
        }
    }

    private static long rate(long rows, Duration took) {
        long nanos = Math.max(1, took.toNanos());
        return rows * 1_000_000_000L / nanos;
    }

    /**
     * The rate limit is spread over periods of about 10 ms, so that a batch is followed by an even
     * pause instead of running flat out at the start of each second and waiting for the rest.
     */
    private int permitsPerPeriod() {
        return Math.max(1, (plan.maxRowsPerSecond() + 99) / 100);
    }

    private Duration refreshPeriod() {
        return Duration.ofNanos(permitsPerPeriod() * 1_000_000_000L / plan.maxRowsPerSecond());
    }

    private void throttle(RateLimiter limiter, int rows) {
        int left = rows;
        int chunk = permitsPerPeriod();
        while (left > 0) {
            int n = Math.min(left, chunk);
            if (stopping()) {
                // Stop waiting: the run ends after this batch, with a report.
                return;
            }
            if (!limiter.acquirePermission(n)) {
                // A bounded wait ran out; the next acquisition waits again. Never unbounded.
                LOG.atDebug().addKeyValue("target", cutover.subject()).log("Rate limiter wait timed out; continuing to wait");
                continue;
            }
            left -= n;
        }
    }

    /** Whether the run is to stop after this batch: cancelled, or its thread interrupted. */
    private boolean stopping() {
        return control.stopRequested() != null || Thread.currentThread().isInterrupted();
    }

    private void publish(RemediationEvent event) {
        for (Consumer<? super RemediationEvent> listener : plan.listeners()) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("target", cutover.subject()).addKeyValue("event", event.getClass().getSimpleName())
                        .setCause(e).log("A remediation listener failed; ignored");
            }
        }
    }

    private CutoverException failure(Exception e, long batch, long assignedBefore, long retries) {
        String committed = " Nothing in this batch was changed; " + assignedBefore + " rows assigned before are journaled under run "
                + runId + (plan.dryRun() ? " (dry run: none)" : " (Remediation.undo(db, runId) puts them back)") + ".";
        boolean sensitive = !cutover.sensitive().isEmpty();
        LookupPolicy.LookupFailedException lookup = find(e, LookupPolicy.LookupFailedException.class);
        if (lookup != null) {
            String state = Sql.sqlState(lookup);
            return new CutoverDatabaseException("Lookup policy failed while remediating " + cutover.subject() + " in batch " + batch
                    + (state == null ? "" : " (SQLSTATE " + state + ")") + ": " + firstLine(lookup.getMessage()) + ". SQL: "
                    + lookup.sql() + "." + committed, state, sensitive ? lookup : e);
        }
        if (e instanceof BatchStatements.PolicyFailedException p) {
            return new RemediationException(p.getMessage() + "." + committed, p.getCause());
        }
        String attempts = retries > 0 ? " after " + retries + " retries" : "";
        String state = Sql.sqlState(e);
        if (sensitive) {
            // The server's detail may quote the row ("Failing row contains (...)"): only its first line, quoted words
            // that are not names of the cutover left out, and no cause that would carry the rest.
            String words = Redaction.serverWords(e, List.of(), Redaction.knownWords(cutover, ""));
            return new CutoverDatabaseException("Could not remediate batch " + batch + " of " + cutover.subject() + attempts
                    + (state == null ? "" : " (SQLSTATE " + state + ")") + ": " + words + "." + committed, state,
                    new java.sql.SQLException(words, state));
        }
        CutoverDatabaseException translated = Sql.translate("remediate batch " + batch + " of " + cutover.subject() + attempts, e);
        return new CutoverDatabaseException(translated.getMessage() + committed, translated.sqlState().orElse(null), e);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String m = s.startsWith("ERROR: ") ? s.substring(7) : s;
        int nl = m.indexOf('\n');
        return nl < 0 ? m.strip() : m.substring(0, nl).strip();
    }

    private static <X extends Throwable> X find(Throwable e, Class<X> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }


    static UndoReport undo(CutoverDatabase database, UUID runId) {
        return new Undo(DatabaseHandle.of(database), runId).run();
    }
}
