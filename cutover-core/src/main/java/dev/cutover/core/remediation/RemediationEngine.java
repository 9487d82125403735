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
    private final UUID runId = UUID.randomUUID();
    private final BatchStatements statements;
    private long currentBatch;
    private long lastProgressLog = System.nanoTime();
    private static final long PROGRESS_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

    public RemediationEngine(RemediationSettings plan) {
        this.plan = plan;
        this.db = DatabaseHandle.of(plan.db());
        this.target = db.target(plan.cutover());
        this.cutover = plan.cutover();
        this.statements = new BatchStatements(plan, db, target, runId);
    }

    // ---------------------------------------------------------------- the loop

    public RemediationReport run() {
        long start = System.nanoTime();
        String subject = cutover.subject();
        if (!plan.dryRun()) {
            Journal.ensure(db, cutover);
        }
        // Decided before the batch connection is taken: a run never holds more than one connection.
        boolean plainCount = plainCount();
        RateLimiter limiter = plan.maxRowsPerSecond() > 0 ? RateLimiter.of("cutover-remediation-" + runId,
                RateLimiterConfig.custom().limitForPeriod(permitsPerPeriod()).limitRefreshPeriod(refreshPeriod())
                        .timeoutDuration(Duration.ofSeconds(3)).build()) : null;
        LOG.atInfo().addKeyValue("target", subject).addKeyValue("runId", runId).addKeyValue("dryRun", plan.dryRun())
                .addKeyValue("policy", PolicyTree.describe(plan.policy())).addKeyValue("batchSize", plan.batchSize())
                .log("Remediation of {} started (run {}{})", subject, runId, plan.dryRun() ? ", dry run" : "");

        long assigned = 0;
        Map<String, Long> byValue = new LinkedHashMap<>();
        List<RemediationReport.Change> changes = new ArrayList<>();
        Map<String, Long> skippedByReason = new LinkedHashMap<>();
        List<RemediationReport.SkippedRow> skippedRows = new ArrayList<>();
        long skipped = 0;
        long batches = 0;
        long remaining;
        int round = 0;
        RemediationReport.Outcome outcome;
        try (BatchRunner runner = new BatchRunner(db.dataSource(), "cutover remediation " + runId, plan.lockTimeout(),
                plan.batchTimeout(), plan.maxAttempts(), plan.maxRetryTime(), subject,
                (attempt, state, wait) -> publish(new RemediationEvent.BatchRetry(runId, currentBatch, attempt, state, wait)))) {
            while (true) {
                round++;
                long roundStart = System.nanoTime();
                long roundAssigned = 0;
                skipped = 0;
                skippedByReason.clear();
                skippedRows.clear();
                List<Object> last = null;
                while (true) {
                    List<Object> after = last;
                    long batchNumber = batches + 1;
                    currentBatch = batchNumber;
                    BatchRunner.Done<BatchStatements.BatchResult> done;
                    try {
                        // Each batch changes data with a single statement: its own transaction.
                        done = runner.inTransaction((connection, dsl) -> statements.next(connection, dsl, after, changes.size()));
                    } catch (RemediationException | CutoverConfigurationException e) {
                        throw e;
                    } catch (Exception e) {
                        throw failure(e, batchNumber, assigned, runner.retries());
                    }
                    batches++;
                    BatchStatements.BatchResult result = done.value();
                    roundAssigned += result.assigned();
                    assigned += result.assigned();
                    result.assignedByValue().forEach((value, n) -> {
                        if (byValue.containsKey(value) || byValue.size() < plan.reportLimit()) {
                            byValue.merge(value, n.longValue(), Long::sum);
                        }
                    });
                    for (RemediationReport.Change change : result.changes()) {
                        if (changes.size() < plan.reportLimit()) {
                            changes.add(change);
                        }
                    }
                    skipped += result.skipped().size();
                    for (RemediationReport.SkippedRow row : result.skipped()) {
                        if (skippedByReason.containsKey(row.reason()) || skippedByReason.size() < plan.reportLimit()) {
                            skippedByReason.merge(row.reason(), 1L, Long::sum);
                        }
                        if (skippedRows.size() < plan.reportLimit()) {
                            skippedRows.add(row);
                        }
                    }
                    publish(new RemediationEvent.BatchDone(runId, round, batches, result.rows(), result.assigned(),
                            result.skipped().size(), done.attempts(), done.took()));
                    LOG.atDebug().addKeyValue("target", subject).addKeyValue("runId", runId).addKeyValue("round", round)
                            .addKeyValue("batch", batches).addKeyValue("rows", result.rows())
                            .addKeyValue("assigned", result.assigned()).addKeyValue("skipped", result.skipped().size())
                            .addKeyValue("attempts", done.attempts()).addKeyValue("millis", done.took().toMillis())
                            .log("Batch {} of {}: {} rows, {} assigned, {} skipped", batches, subject, result.rows(),
                                    result.assigned(), result.skipped().size());
                    long now = System.nanoTime();
                    if (now - lastProgressLog >= PROGRESS_EVERY_NANOS) {
                        lastProgressLog = now;
                        Duration soFar = Duration.ofNanos(now - start);
                        LOG.atInfo().addKeyValue("target", subject).addKeyValue("runId", runId).addKeyValue("round", round)
                                .addKeyValue("batches", batches).addKeyValue("assigned", assigned)
                                .addKeyValue("rowsPerSecond", rate(assigned, soFar))
                                .log("Remediating {}: {} rows assigned in {} batches, {} rows/s", subject, assigned, batches,
                                        rate(assigned, soFar));
                    }
                    if (limiter != null && !plan.dryRun()) {
                        throttle(limiter, result.assigned());
                    }
                    if (result.rows() < plan.batchSize() || Thread.currentThread().isInterrupted()) {
                        break;
                    }
                    last = result.lastKey();
                }
                try {
                    remaining = remaining(runner, plainCount);
                } catch (CutoverException e) {
                    throw e;
                } catch (Exception e) {
                    throw Sql.translate("count the NULL rows left in " + subject + " after round " + round + " (" + assigned
                            + " rows assigned so far, journaled under run " + runId + ")", e);
                }
                Duration roundTook = Duration.ofNanos(System.nanoTime() - roundStart);
                publish(new RemediationEvent.RoundDone(runId, round, roundAssigned, skipped, remaining, roundTook));
                LOG.atInfo().addKeyValue("target", subject).addKeyValue("runId", runId).addKeyValue("round", round)
                        .addKeyValue("assigned", roundAssigned).addKeyValue("skipped", skipped).addKeyValue("remaining", remaining)
                        .addKeyValue("rowsPerSecond", rate(roundAssigned, roundTook))
                        .log("Round {} of {}: {} assigned, {} skipped, {} NULL rows remain", round, subject, roundAssigned,
                                skipped, remaining);
                if (plan.dryRun()) {
                    outcome = RemediationReport.Outcome.DRY_RUN;
                    break;
                }
                if (Thread.currentThread().isInterrupted()) {
                    outcome = RemediationReport.Outcome.INTERRUPTED;
                    break;
                }
                if (remaining == 0) {
                    outcome = RemediationReport.Outcome.COMPLETE;
                    break;
                }
                if (roundAssigned == 0) {
                    outcome = RemediationReport.Outcome.NO_PROGRESS;
                    break;
                }
                if (round >= plan.maxRounds()) {
                    outcome = RemediationReport.Outcome.ROUNDS_EXHAUSTED;
                    break;
                }
            }
            if (!plan.dryRun()) {
                // A batch whose commit was lost in transit (08xxx after COMMIT) is in the journal: count from there.
                try {
                    assigned = journaled(runner);
                } catch (CutoverException e) {
                    throw e;
                } catch (Exception e) {
                    throw Sql.translate("read the journal of run " + runId + " on " + subject, e);
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            RemediationReport report = new RemediationReport(runId, subject, plan.dryRun(), outcome, assigned, byValue, changes,
                    skipped, skippedByReason, skippedRows, remaining, round, batches, runner.retries(), took);
            publish(new RemediationEvent.Finished(runId, report));
            LOG.atInfo().addKeyValue("target", subject).addKeyValue("runId", runId).addKeyValue("outcome", outcome)
                    .addKeyValue("assigned", assigned).addKeyValue("skipped", skipped).addKeyValue("remaining", remaining)
                    .addKeyValue("rounds", round).addKeyValue("batches", batches).addKeyValue("retries", runner.retries())
                    .addKeyValue("rowsPerSecond", rate(assigned, took))
                    .addKeyValue("skippedByReason", skippedByReason.isEmpty() ? "none" : skippedByReason.toString())
                    .log("Remediation of {} finished: {}", subject, report);
            return report;
        }
    }

    /** Blocks (8 kB pages by default) a statement of the end-of-round count reads: 32 MB. */
    static final int COUNT_CHUNK_BLOCKS = 4_096;

    /**
     * Whether the end-of-round count is one {@code count(*)}: with a partial NULL index, or before
     * PostgreSQL 14. Read once, before the run takes its batch connection: a run never holds more
     * than one connection.
     */
    private boolean plainCount() {
        return db.serverVersion().major() < 14 || plan.db().probe(cutover).nullIndex().isPresent();
    }

    /**
     * The NULL rows left after a round, on the run's one connection. With a partial NULL index,
     * or before PostgreSQL 14, one {@code count(*)}; otherwise each relation that holds rows (the
     * table, or each leaf partition of a partitioned table) is read in ranges of
     * {@link #COUNT_CHUNK_BLOCKS} blocks (TID range scans), one short statement each, so that no
     * statement scans a large table whole or holds one snapshot for as long as that takes.
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
            if (Thread.currentThread().isInterrupted()) {
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
