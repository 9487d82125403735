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
    /** The journal as users read it: a view with one row per changed row. */
    static final String JOURNAL = "cutover_journal";
    /** Where the journal is kept: one row per batch and value, the keys as a JSON array. */
    static final String JOURNAL_BATCHES = "cutover_journal_batch";

    /** How long the check of a constant waits for the table's catalog lock. */
    private static final Duration CHECK_LOCK_TIMEOUT = Duration.ofSeconds(1);

    private final RemediationSettings plan;
    private final DatabaseHandle db;
    private final Target target;
    private final NotNullCutover cutover;
    private final UUID runId = UUID.randomUUID();
    private final List<String> shown;
    /** Set when every row gets the same value: each batch is then a single statement. */
    private final PolicyTree.Constant constant;
    private long currentBatch;
    private long lastProgressLog = System.nanoTime();
    private static final long PROGRESS_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

    public RemediationEngine(RemediationSettings plan) {
        this.plan = plan;
        this.db = DatabaseHandle.of(plan.db());
        this.target = db.target(plan.cutover());
        this.cutover = plan.cutover();
        this.shown = target.shownColumns();
        this.constant = plan.dryRun() ? null : PolicyTree.constantOf(plan.policy()).orElse(null);
    }

    // ---------------------------------------------------------------- checks before any change

    /**
     * Checks a plan against the database, reading only.
     *
     * @throws CutoverConfigurationException naming the lookup parameter or constant that does not fit
     */
    public static void check(RemediationSettings plan) {
        DatabaseHandle db = DatabaseHandle.of(plan.db());
        Target target = db.target(plan.cutover());
        List<String> columns = target.shownColumns();
        List<Object> constants = new ArrayList<>();
        PolicyTree.visit(plan.policy(), p -> {
            if (p instanceof LookupPolicy lookup) {
                for (String parameter : lookup.sql().parameters()) {
                    if (!columns.contains(parameter)) {
                        throw new CutoverConfigurationException("Lookup parameter :" + parameter + " is not a column of the rows of "
                                + plan.cutover().subject() + "; parameters are bound from the key and inspect columns ("
                                + String.join(", ", columns) + "); add the column with NotNullCutover.builder(...).inspect(...). "
                                + "SQL: " + lookup.sql().sql());
                    }
                }
            } else if (p instanceof PolicyTree.Constant constant) {
                constants.add(constant.value());
            }
        });
        for (Object value : constants) {
            checkFits(db, target, value);
        }
    }

    private static void checkFits(DatabaseHandle db, Target target, Object value) {
        NotNullCutover cutover = target.cutover();
        String shownValue = cutover.sensitive().contains(cutover.column()) ? Masking.mask(value) : String.valueOf(value);
        try {
            Sql.inTransaction(db.dataSource(), Sql.Timeouts.statement(db.settings().probeTimeout()).lock(CHECK_LOCK_TIMEOUT),
                    "check a constant against " + cutover.subject(), dsl -> {
                return dsl.resultQuery("select coalesce((null::{0}).{1}, {2})::text", target.tableName(),
                        DSL.name(cutover.column()), DSL.inline(literal(value))).fetchOne(0, String.class);
            });
        } catch (CutoverDatabaseException e) {
            String state = e.sqlState().orElse("");
            if (state.startsWith("22") || state.startsWith("42")) {
                boolean sensitive = cutover.sensitive().contains(cutover.column());
                String server = sensitive ? serverMessage(e).replace(literal(value), shownValue) : serverMessage(e);
                String message = "RemediationPolicies.constant(" + shownValue + ") does not fit " + cutover.subject() + " of type "
                        + target.columnType() + ": " + server + ". Give a value of type " + target.columnType() + ".";
                // The cause quotes the value; leave it out when the column is sensitive.
                throw sensitive ? new CutoverConfigurationException(message) : new CutoverConfigurationException(message, e);
            }
            throw e;
        }
    }

    private static String serverMessage(CutoverDatabaseException e) {
        Throwable t = e.getCause();
        while (t != null && !(t instanceof SQLException) && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t == null || t.getMessage() == null ? e.getMessage() : t.getMessage();
        if (m.startsWith("ERROR: ")) {
            m = m.substring("ERROR: ".length());
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m.strip() : m.substring(0, nl).strip();
    }

    /** The text PostgreSQL receives for a value: the column type's input function converts it. */
    static String literal(Object value) {
        if (value instanceof BigDecimal d) {
            return d.toPlainString();
        }
        return value.toString();
    }

    // ---------------------------------------------------------------- the loop

    /** One row read in a batch. */
    private record Read(List<Object> key, RemediationRow row) {
    }

    /**
     * What one batch transaction did: the NULL rows it read, the last key read, how many rows it
     * assigned (per value), the first of those changes for the report, and the rows skipped.
     */
    private record BatchResult(int rows, List<Object> lastKey, int assigned, Map<String, Integer> assignedByValue,
                               List<RemediationReport.Change> changes, List<RemediationReport.SkippedRow> skipped) {
    }

    public RemediationReport run() {
        long start = System.nanoTime();
        String subject = cutover.subject();
        if (!plan.dryRun()) {
            ensureJournal(db, cutover);
        }
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
                    BatchRunner.Done<BatchResult> done;
                    try {
                        // Each batch changes data with a single statement: its own transaction.
                        done = runner.inAutocommit((connection, dsl) -> constant != null
                                ? constantBatch(dsl, after, changes.size()) : batch(connection, dsl, after, changes.size()));
                    } catch (RemediationException | CutoverConfigurationException e) {
                        throw e;
                    } catch (Exception e) {
                        throw failure(e, batchNumber, assigned, runner.retries());
                    }
                    batches++;
                    BatchResult result = done.value();
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
                    if (result.rows() < plan.batchSize()) {
                        break;
                    }
                    last = result.lastKey();
                }
                try {
                    remaining = remaining(runner);
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
     * The NULL rows left after a round. With a partial NULL index, or before PostgreSQL 14, one
     * {@code count(*)}; otherwise the table is read in ranges of {@link #COUNT_CHUNK_BLOCKS}
     * blocks (TID range scans), one short statement each, so that no statement scans a large
     * table whole or holds one snapshot for as long as that takes.
     */
    private long remaining(BatchRunner runner) throws Exception {
        NullProbe probe = plan.db().probe(cutover);
        if (db.serverVersion().major() < 14 || probe.nullIndex().isPresent()) {
            return probe.count();
        }
        return countNullsByBlockRanges(runner, target, COUNT_CHUNK_BLOCKS);
    }

    /** Counts the target's NULL rows in block ranges of {@code chunkBlocks}, each range in its own statement. */
    static long countNullsByBlockRanges(BatchRunner runner, Target target, int chunkBlocks) throws Exception {
        long total = 0;
        long from = 0;
        while (true) {
            long start = from;
            long[] counted = runner.inAutocommit((connection, dsl) -> {
                Record r = dsl.resultQuery("""
                        select (select count(*) from {0} where ctid >= {1}::tid and ctid < {2}::tid and {3} is null) as nulls,
                               pg_catalog.pg_relation_size({4}::regclass) / current_setting('block_size')::bigint as blocks""",
                        target.tableName(), DSL.val("(" + start + ",0)"), DSL.val("(" + (start + chunkBlocks) + ",0)"),
                        target.column(), DSL.val(dsl.render(target.tableName()))).fetchOne();
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
        LookupPolicy.LookupFailedException lookup = find(e, LookupPolicy.LookupFailedException.class);
        if (lookup != null) {
            String state = Sql.sqlState(lookup);
            return new CutoverDatabaseException("Lookup policy failed while remediating " + cutover.subject() + " in batch " + batch
                    + (state == null ? "" : " (SQLSTATE " + state + ")") + ": " + firstLine(lookup.getMessage()) + ". SQL: "
                    + lookup.sql() + "." + committed, state, e);
        }
        if (e instanceof PolicyFailedException p) {
            return new RemediationException(p.getMessage() + "." + committed, p.getCause());
        }
        String attempts = retries > 0 ? " after " + retries + " retries" : "";
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

    /** A policy threw; carries the row (masked) in the message. */
    static final class PolicyFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PolicyFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    // ---------------------------------------------------------------- one batch

    /** The next NULL rows after {@code after}, in key order: {@code ... WHERE col IS NULL AND key > after ORDER BY key LIMIT n}. */
    private Condition nullAfter(List<Object> after) {
        List<Field<Object>> keys = target.keyFields();
        Condition condition = target.column().isNull();
        if (after != null) {
            condition = condition.and(keys.size() == 1 ? keys.get(0).gt(DSL.val(after.get(0)))
                    : DSL.row(keys).gt(DSL.row(after.stream().map(DSL::val).toList())));
        }
        return condition;
    }

    /** A row read from the table: its key, and the shown columns made readable. */
    private Read read(Record r, int offset) {
        List<Object> key = new ArrayList<>(target.keyColumns().size());
        Map<String, Object> keyMap = new LinkedHashMap<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < shown.size(); i++) {
            String name = shown.get(i);
            Object readable = Values.readable(r.get(offset + i));
            values.put(name, readable);
            if (target.keyColumns().contains(name)) {
                keyMap.put(name, readable);
            }
        }
        for (String k : target.keyColumns()) {
            key.add(r.get(offset + shown.indexOf(k)));
        }
        return new Read(key, new RemediationRow(keyMap, values));
    }

    /** Reads a batch, asks the policy about every row, then updates each value's rows in one statement. */
    private BatchResult batch(Connection connection, DSLContext dsl, List<Object> after, int reported) throws SQLException {
        List<Field<Object>> keys = target.keyFields();
        List<Field<Object>> fields = shown.stream().map(target::field).toList();
        Result<Record> records = dsl.select(fields).from(target.table()).where(nullAfter(after))
                .orderBy(keys.stream().map(Field::asc).toList()).limit(DSL.inline(plan.batchSize())).fetch();
        List<Read> reads = new ArrayList<>(records.size());
        for (Record r : records) {
            reads.add(read(r, 0));
        }

        // Decide every row first, on this transaction; lookups run before any UPDATE.
        Map<List<String>, List<Read>> groups = new LinkedHashMap<>();
        List<RemediationReport.SkippedRow> skipped = new ArrayList<>();
        try (LookupPolicy.Scope scope = LookupPolicy.Scope.open(connection)) {
            for (Read read : reads) {
                PolicyTree.Traced traced;
                try {
                    traced = PolicyTree.decide(plan.policy(), read.row());
                } catch (LookupPolicy.LookupFailedException e) {
                    throw e.masking(sensitiveValues(read.row()));
                } catch (RuntimeException e) {
                    throw new PolicyFailedException("Policy " + PolicyTree.describe(plan.policy()) + " failed on row "
                            + masked(read.row().key()) + " of " + cutover.subject() + ": " + e, e);
                }
                if (traced.decision() instanceof RemediationDecision.Assign assign) {
                    groups.computeIfAbsent(List.of(literal(assign.value()), traced.policy()), g -> new ArrayList<>()).add(read);
                } else {
                    RemediationDecision.Skip skip = (RemediationDecision.Skip) traced.decision();
                    skipped.add(new RemediationReport.SkippedRow(masked(read.row().key()), maskedColumns(read.row()), skip.reason()));
                }
            }
        }

        int assigned = 0;
        Map<String, Integer> byValue = new LinkedHashMap<>();
        List<RemediationReport.Change> changes = new ArrayList<>();
        List<Set<List<Object>>> changedByGroup = plan.dryRun() || groups.isEmpty() ? null : update(dsl, groups);
        int g = 0;
        for (Map.Entry<List<String>, List<Read>> group : groups.entrySet()) {
            String value = group.getKey().get(0);
            String policy = group.getKey().get(1);
            Set<List<Object>> changed = changedByGroup == null ? null : changedByGroup.get(g);
            g++;
            String shownValue = shownValue(value);
            for (Read read : group.getValue()) {
                if (changed == null || changed.contains(read.key())) {
                    assigned++;
                    byValue.merge(shownValue, 1, Integer::sum);
                    if (reported + changes.size() < plan.reportLimit()) {
                        changes.add(new RemediationReport.Change(masked(read.row().key()), maskedColumns(read.row()), shownValue,
                                policy));
                    }
                }
            }
        }
        List<Object> lastKey = reads.isEmpty() ? after : reads.get(reads.size() - 1).key();
        return new BatchResult(reads.size(), lastKey, assigned, byValue, changes, skipped);
    }

    private String shownValue(String value) {
        return cutover.sensitive().contains(cutover.column()) ? Masking.mask(value) : value;
    }

    /**
     * One statement for the whole batch: per value, {@code UPDATE ... WHERE key IN (...) AND col
     * IS NULL} and its journal entry, each in its own CTE (the groups' rows are disjoint); returns
     * the keys changed, per group in the order given.
     */
    private List<Set<List<Object>>> update(DSLContext dsl, Map<List<String>, List<Read>> groups) {
        List<Field<Object>> keys = target.keyFields();
        List<QueryPart> ctes = new ArrayList<>();
        List<QueryPart> selects = new ArrayList<>();
        int g = 0;
        for (Map.Entry<List<String>, List<Read>> group : groups.entrySet()) {
            String value = group.getKey().get(0);
            String policy = group.getKey().get(1);
            List<Read> rows = group.getValue();
            Condition in;
            Object[] array = keys.size() == 1 ? keyArray(rows) : null;
            if (array != null) {
                // One array parameter instead of one per row: less to render, send and parse.
                in = keys.get(0).eq(DSL.any(DSL.val(array)));
            } else if (keys.size() == 1) {
                in = keys.get(0).in(rows.stream().map(r -> DSL.val(r.key().get(0))).toList());
            } else {
                in = DSL.row(keys).in(rows.stream().map(r -> DSL.row(r.key().stream().map(DSL::val).toList())).toList());
            }
            Name u = DSL.name("u" + g);
            ctes.add(DSL.sql("""
                    {0} as (
                      update {1} set {2} = {3} where {4} and {5} is null
                      returning {6}, jsonb_build_object({7}) as cutover_key
                    ), {8} as ({9})""",
                    u, target.tableName(), DSL.name(cutover.column()), DSL.inline(value), in, target.column(),
                    DSL.list(keyAliases(true)), keyObject(), DSL.name("j" + g), journalInsert(value, policy, u)));
            selects.add(DSL.sql("select {0} as cutover_g, {1} from {2}", DSL.inline(g), DSL.list(keyAliases(false)), u));
            g++;
        }
        QueryPart union = selects.get(0);
        for (int i = 1; i < selects.size(); i++) {
            union = DSL.sql("{0} union all {1}", union, selects.get(i));
        }
        Result<Record> result = dsl.resultQuery("with {0} {1}", DSL.list(ctes), union).fetch();
        List<Set<List<Object>>> changed = new ArrayList<>();
        for (int i = 0; i < groups.size(); i++) {
            changed.add(new HashSet<>());
        }
        for (Record r : result) {
            List<Object> key = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                key.add(r.get(i + 1));
            }
            changed.get(r.get(0, Integer.class)).add(key);
        }
        return changed;
    }

    /** The rows' single-column keys as a typed array, when they are of one common, array-friendly type. */
    private static Object[] keyArray(List<Read> rows) {
        Object sample = rows.get(0).key().get(0);
        Class<?> type = sample == null ? null : sample.getClass();
        if (!(type == Long.class || type == Integer.class || type == String.class || type == UUID.class)) {
            return null;
        }
        Object[] array = (Object[]) java.lang.reflect.Array.newInstance(type, rows.size());
        for (int i = 0; i < array.length; i++) {
            Object key = rows.get(i).key().get(0);
            if (key == null || key.getClass() != type) {
                return null;
            }
            array[i] = key;
        }
        return array;
    }

    /**
     * The whole batch in one statement, for a policy that gives every row the same value: read
     * the next NULL keys, update those rows where still NULL, journal them, and return how many
     * were read and changed, the last key read, and the first changed rows for the report.
     */
    private BatchResult constantBatch(DSLContext dsl, List<Object> after, int reported) {
        List<Field<Object>> keys = target.keyFields();
        int k = keys.size();
        String value = literal(constant.value());
        String policy = PolicyTree.describe(plan.policy());
        int show = Math.max(0, plan.reportLimit() - reported);
        List<QueryPart> join = new ArrayList<>();
        List<QueryPart> lastDesc = new ArrayList<>();
        List<QueryPart> lastAliases = new ArrayList<>();
        List<QueryPart> shownFromU = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            join.add(DSL.condition("{0} = {1}", keys.get(i), DSL.field(DSL.name("b", "cutover_k" + i))));
            lastDesc.add(DSL.field(DSL.name("cutover_k" + i)).desc());
            lastAliases.add(DSL.field("{0} as {1}", DSL.name("cutover_k" + i), DSL.name("cutover_last" + i)));
        }
        List<QueryPart> returning = new ArrayList<>(keyAliases(true));
        returning.add(DSL.field("jsonb_build_object({0}) as cutover_key", keyObject()));
        for (int i = 0; i < shown.size(); i++) {
            returning.add(DSL.field("{0} as {1}", target.field(shown.get(i)), DSL.name("cutover_s" + i)));
            shownFromU.add(DSL.name("cutover_s" + i));
        }
        List<QueryPart> ascU = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            ascU.add(DSL.field(DSL.name("cutover_k" + i)).asc());
        }
        Result<Record> result = dsl.resultQuery("""
                with b as (
                  select {0} from {1} where {2} order by {3} limit {4}
                ), u as (
                  update {1} set {5} = {6} from b where {7} and {8} is null
                  returning {9}
                ), j as ({10})
                select (select count(*) from b)::int as cutover_read, (select count(*) from u)::int as cutover_changed, l.*, r.*
                from (select 1) one
                left join lateral (select {11} from b order by {12} limit 1) l on true
                left join lateral (select {13} from u order by {14} limit {15}) r on true""",
                DSL.list(keyAliases(true)), target.tableName(), nullAfter(after),
                DSL.list(keys.stream().map(Field::asc).toList()), DSL.inline(plan.batchSize()),
                DSL.name(cutover.column()), DSL.inline(value), DSL.and(join.stream().map(c -> (Condition) c).toList()),
                target.column(), DSL.list(returning), journalInsert(value, policy, DSL.name("u")), DSL.list(lastAliases),
                DSL.list(lastDesc), DSL.list(shownFromU), DSL.list(ascU), DSL.inline(show)).fetch();
        Record first = result.get(0);
        int read = first.get("cutover_read", Integer.class);
        int changed = first.get("cutover_changed", Integer.class);
        List<Object> lastKey = after;
        if (read > 0) {
            lastKey = new ArrayList<>(k);
            for (int i = 0; i < k; i++) {
                lastKey.add(first.get("cutover_last" + i));
            }
        }
        String shownValue = shownValue(value);
        List<RemediationReport.Change> changes = new ArrayList<>();
        int offset = 2 + k;
        for (Record r : result) {
            if (changes.size() < show && r.get(offset) != null) {
                Read row = read(r, offset);
                changes.add(new RemediationReport.Change(masked(row.row().key()), maskedColumns(row.row()), shownValue, policy));
            }
        }
        return new BatchResult(read, lastKey, changed, changed > 0 ? Map.of(shownValue, changed) : Map.of(), changes, List.of());
    }

    /** The key columns as {@code cutover_k0, cutover_k1...}: with the columns ({@code col as cutover_k0}) or the names alone. */
    private List<QueryPart> keyAliases(boolean withColumns) {
        List<Field<Object>> keys = target.keyFields();
        List<QueryPart> out = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            out.add(withColumns ? DSL.field("{0} as {1}", keys.get(i), DSL.name("cutover_k" + i)) : DSL.name("cutover_k" + i));
        }
        return out;
    }

    /** The arguments of {@code jsonb_build_object} for a row's key: {@code 'id', "s"."t"."id", ...}. */
    private QueryPart keyObject() {
        List<QueryPart> pairs = new ArrayList<>();
        List<Field<Object>> keys = target.keyFields();
        for (int i = 0; i < keys.size(); i++) {
            pairs.add(DSL.inline(target.keyColumns().get(i)));
            pairs.add(keys.get(i));
        }
        return DSL.list(pairs);
    }

    /** One journal entry for the rows of CTE {@code u} (nothing when {@code u} is empty). */
    private QueryPart journalInsert(String value, String policy, Name u) {
        return DSL.query("""
                insert into {0} (run_id, action, table_schema, table_name, column_name, keys, key_count, old_value, new_value, policy)
                select {1}, 'assign', {2}, {3}, {4}, jsonb_agg(cutover_key), count(*), null, {5}, {6} from {7} having count(*) > 0""",
                journalBatchName(db, cutover), DSL.val(runId), DSL.val(cutover.schema()), DSL.val(cutover.table()),
                DSL.val(cutover.column()), DSL.val(value), DSL.val(policy), u);
    }

    private List<String> sensitiveValues(RemediationRow row) {
        List<String> values = new ArrayList<>();
        for (String c : cutover.sensitive()) {
            Object v = row.values().get(c);
            if (v != null) {
                values.add(v.toString());
            }
        }
        return values;
    }

    private Map<String, Object> masked(Map<String, Object> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, cutover.sensitive().contains(k) ? Masking.mask(v) : v));
        return out;
    }

    private Map<String, Object> maskedColumns(RemediationRow row) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String c : target.inspectColumns()) {
            Object v = row.values().get(c);
            out.put(c, cutover.sensitive().contains(c) ? Masking.mask(v) : v);
        }
        return out;
    }

    // ---------------------------------------------------------------- journal

    static Name journalBatchName(DatabaseHandle db, NotNullCutover cutover) {
        return DSL.name(db.stateSchema(cutover), JOURNAL_BATCHES);
    }

    static void ensureJournal(DatabaseHandle db, NotNullCutover cutover) {
        db.ensureStateTable(db.stateSchema(cutover), JOURNAL_BATCHES, RemediationEngine::journalDdl);
    }

    /** The journal's DDL, run when it is missing and rendered into the state tables' script. */
    static void journalDdl(org.jooq.DSLContext dsl, String schema) {
        String kind = dsl.fetchOptional("""
                select c.relkind::text from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                where n.nspname = ? and c.relname = ?""", schema, JOURNAL).map(r -> r.get(0, String.class)).orElse(null);
        if (kind != null && !kind.equals("v")) {
            throw new CutoverConfigurationException(Identifiers.display(schema, JOURNAL) + " exists and is not a view. The "
                    + "remediation journal is kept in " + Identifiers.display(schema, JOURNAL_BATCHES) + ", with a view "
                    + JOURNAL + " over it; rename the existing relation (ALTER TABLE ... RENAME TO ...) to keep what it "
                    + "holds, then run again.");
        }
        dsl.query("""
                create table if not exists {0} (
                  id bigint generated always as identity,
                  run_id uuid not null,
                  action text not null check (action in ('assign', 'undo')),
                  table_schema text not null,
                  table_name text not null,
                  column_name text not null,
                  keys jsonb not null check (jsonb_typeof(keys) = 'array'),
                  key_count integer not null check (key_count > 0),
                  old_value text,
                  new_value text,
                  policy text not null,
                  at timestamptz not null default clock_timestamp(),
                  primary key (run_id, id)
                )""", DSL.name(schema, JOURNAL_BATCHES)).execute();
        if (kind == null) {
            dsl.query("""
                    create view {0} as
                    select b.id as batch_id, b.run_id, b.action, b.table_schema, b.table_name, b.column_name, k.key,
                           b.old_value, b.new_value, b.policy, b.at
                    from {1} b cross join lateral jsonb_array_elements(b.keys) as k(key)""",
                    DSL.name(schema, JOURNAL), DSL.name(schema, JOURNAL_BATCHES)).execute();
        }
    }

    // ---------------------------------------------------------------- undo

    public static UndoReport undo(CutoverDatabase database, UUID runId) {
        return new Undo(DatabaseHandle.of(database), runId).run();
    }

    private static final class Undo {
        private final DatabaseHandle db;
        private final UUID runId;

        Undo(DatabaseHandle db, UUID runId) {
            this.db = db;
            this.runId = runId;
        }

        UndoReport run() {
            long start = System.nanoTime();
            String schema = findJournal();
            Name journal = DSL.name(schema, JOURNAL_BATCHES);
            Record meta = Sql.inTransaction(db.dataSource(), db.settings().probeTimeout(), "read run " + runId + " from the journal",
                    dsl -> dsl.resultQuery("""
                            select table_schema, table_name, column_name,
                                   array(select jsonb_object_keys(keys -> 0)) as key_columns,
                                   (select sum(key_count) from {0} a where a.run_id = j.run_id and a.action = 'assign')::bigint
                                     as assigned
                            from {0} j where run_id = {1} and action = 'assign' order by id limit 1""",
                            journal, DSL.val(runId)).fetchOne());
            if (meta == null) {
                throw new CutoverConfigurationException("Run " + runId + " assigned no rows in " + Identifiers.display(schema, JOURNAL_BATCHES)
                        + "; nothing to undo (a dry run is not journaled).");
            }
            String[] keyColumns = meta.get("key_columns", String[].class);
            NotNullCutover cutover = NotNullCutover.builder(meta.get("table_name", String.class), meta.get("column_name", String.class))
                    .schema(meta.get("table_schema", String.class)).key(keyColumns).build();
            Target target = db.target(cutover);
            long assigned = meta.get("assigned", Long.class);
            long restored = 0;
            long last = 0;
            int batch = 1_000;
            try (BatchRunner runner = new BatchRunner(db.dataSource(), "cutover undo " + runId, Duration.ofMillis(100),
                    Duration.ofSeconds(30), 10, Duration.ofMinutes(1), cutover.subject(), (attempt, state, wait) -> { })) {
                while (true) {
                    long from = last;
                    BatchRunner.Done<long[]> done;
                    try {
                        done = runner.inTransaction((connection, dsl) -> undoBatch(dsl, target, journal, from, batch));
                    } catch (Exception e) {
                        throw Sql.translate("undo run " + runId + " on " + cutover.subject() + " (" + restored
                                + " rows restored so far; undo again to continue)", e);
                    }
                    if (done.value()[0] == 0) {
                        break;
                    }
                    restored += done.value()[1];
                    last = done.value()[2];
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            UndoReport report = new UndoReport(runId, cutover.subject(), restored, assigned - restored, took);
            LOG.atInfo().addKeyValue("target", cutover.subject()).addKeyValue("runId", runId).addKeyValue("restored", restored)
                    .addKeyValue("unchanged", assigned - restored).log("Undo of run {}: {}", runId, report);
            return report;
        }

        /**
         * Undoes the next journal entries after id {@code after}, about {@code batch} keys; returns
         * {entries read, rows restored, last entry id}.
         */
        private long[] undoBatch(DSLContext dsl, Target target, Name journal, long after, int batch) {
            Record range = dsl.resultQuery("""
                    select count(*) as n, max(id) as last from (
                      select id, sum(key_count) over (order by id) - key_count as before from (
                        select id, key_count from {0} where run_id = {1} and action = 'assign' and id > {2} order by id limit {3}
                      ) e
                    ) s where before < {3}""",
                    journal, DSL.val(runId), DSL.val(after), DSL.inline(batch)).fetchOne();
            long n = range.get("n", Long.class);
            if (n == 0) {
                return new long[] {0, 0, after};
            }
            long last = range.get("last", Long.class);
            List<QueryPart> match = new ArrayList<>();
            for (String k : target.keyColumns()) {
                match.add(DSL.condition("{0} = (jsonb_populate_record(null::{1}, j.key)).{2}", target.field(k), target.tableName(),
                        DSL.name(k)));
            }
            NotNullCutover cutover = target.cutover();
            Integer restored = dsl.resultQuery("""
                    with j as (
                      select e.key, b.new_value from {0} b cross join lateral jsonb_array_elements(b.keys) as e(key)
                      where b.run_id = {1} and b.action = 'assign' and b.id > {2} and b.id <= {3}
                    ), u as (
                      update {4} set {5} = null from j where {6} and {7}::text = j.new_value
                      returning j.key, j.new_value
                    ), ins as (
                      insert into {0} (run_id, action, table_schema, table_name, column_name, keys, key_count, old_value, new_value,
                                       policy)
                      select {1}, 'undo', {8}, {9}, {10}, jsonb_agg(u.key), count(*), u.new_value, null, 'undo' from u
                      group by u.new_value
                    )
                    select count(*)::int from u""",
                    journal, DSL.val(runId), DSL.val(after), DSL.val(last), target.tableName(), DSL.name(cutover.column()),
                    DSL.and(match.stream().map(c -> (Condition) c).toList()), target.column(), DSL.val(cutover.schema()),
                    DSL.val(cutover.table()), DSL.val(cutover.column())).fetchOne(0, Integer.class);
            return new long[] {n, restored, last};
        }

        private String findJournal() {
            List<String> schemas = Sql.inTransaction(db.dataSource(), db.settings().probeTimeout(), "find the remediation journal",
                    dsl -> {
                        List<String> candidates = db.settings().stateSchema().map(List::of).orElseGet(() -> dsl.fetch("""
                                select n.nspname::text from pg_catalog.pg_class c
                                join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                                where c.relname = ? and c.relkind in ('r', 'p') order by 1""", JOURNAL_BATCHES).getValues(0, String.class));
                        List<String> holding = new ArrayList<>();
                        for (String s : candidates) {
                            boolean exists = dsl.fetchOne("""
                                    select 1 from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                                    where n.nspname = ? and c.relname = ?""", s, JOURNAL_BATCHES) != null;
                            if (exists && dsl.fetchExists(DSL.selectOne().from(DSL.table(DSL.name(s, JOURNAL_BATCHES)))
                                    .where(DSL.field(DSL.name("run_id")).eq(DSL.val(runId))))) {
                                holding.add(s);
                            }
                        }
                        return holding;
                    });
            if (schemas.isEmpty()) {
                throw new CutoverConfigurationException("No remediation journal holds run " + runId
                        + (db.settings().stateSchema().isPresent() ? " in schema " + db.settings().stateSchema().get() : "")
                        + "; check the run id (RemediationReport.runId()) and the database's stateSchema.");
            }
            if (schemas.size() > 1) {
                throw new CutoverConfigurationException("Run " + runId + " appears in the journals of several schemas " + schemas
                        + "; set CutoverDatabase.builder(...).stateSchema(...) to the one to undo.");
            }
            return schemas.get(0);
        }
    }
}
