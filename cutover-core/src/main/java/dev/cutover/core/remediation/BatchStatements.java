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

/**
 * The statements of one batch: read the next NULL rows, decide, update and journal, each batch
 * in its own short transaction. Values a policy returns are bind parameters, converted by the
 * column type's input function on the server ({@link PlanCheck#typedValue}).
 */
final class BatchStatements {

    /** Why a row whose value holds U+0000 is skipped: PostgreSQL cannot take that value. */
    static final String NUL_REASON = "the value contains a NUL character (U+0000), which PostgreSQL cannot store in text";

    private final RemediationSettings plan;
    private final DatabaseHandle db;
    private final Target target;
    private final NotNullCutover cutover;
    private final UUID runId;
    private final List<String> shown;
    /** Set when every row gets the same value: each batch is then a single statement. */
    private final PolicyTree.Constant constant;
    /** Set when PostgreSQL computes each row's value: each batch is then a single statement. */
    private final SqlPolicy sqlPolicy;
    private final OneStatementBatches oneStatement;

    BatchStatements(RemediationSettings plan, DatabaseHandle db, Target target, UUID runId) {
        this.plan = plan;
        this.db = db;
        this.target = target;
        this.cutover = plan.cutover();
        this.runId = runId;
        this.shown = target.shownColumns();
        this.constant = plan.dryRun() ? null : PolicyTree.constantOf(plan.policy()).orElse(null);
        this.sqlPolicy = PolicyTree.sqlOf(plan.policy()).orElse(null);
        this.oneStatement = new OneStatementBatches(this, plan, target);
    }

    /**
     * From now on, the rounds of a constant policy walk block ranges ({@link BlockRanges})
     * instead of the key. The other policies keep to the key: their batches read the rows back
     * and join them to the table by key anyway, and measured slower over block ranges.
     */
    void walkBlocks() {
        if (constant != null) {
            oneStatement.walkBlocks(new BlockRanges(target, plan.batchSize()));
        }
    }

    /**
     * Whether each batch is one statement, to be sent with its settings in one round trip
     * ({@link BatchRunner#inOneRoundTrip}) instead of in a transaction of its own.
     */
    boolean oneStatement() {
        return sqlPolicy != null || (constant != null && oneStatement.constantIsOneStatement());
    }

    /**
     * The next batch after {@code after}, with the statements that fit the policy; with
     * {@code settings} (when {@link #oneStatement()}) its one statement is sent together with them.
     */
    BatchResult next(Connection connection, DSLContext dsl, List<Object> after, int reported, QueryPart settings)
            throws SQLException {
        if (sqlPolicy != null) {
            return oneStatement.sqlBatch(dsl, settings, sqlPolicy, after, reported);
        }
        return constant != null ? oneStatement.constantBatch(connection, dsl, settings, constant, after, reported)
                : batch(connection, dsl, after, reported);
    }

    /**
     * Runs {@code query}; after {@code settings} in the same round trip when given (one
     * implicit transaction), returning the query's rows.
     */
    Result<Record> fetch(DSLContext dsl, QueryPart settings, org.jooq.ResultQuery<Record> query) {
        if (settings == null) {
            return query.fetch();
        }
        return dsl.resultQuery("{0};\n{1}", settings, query).fetchMany().get(1);
    }

    /** One row read in a batch. */
    record Read(List<Object> key, RemediationRow row) {
    }

    /**
     * What one batch transaction did: the NULL rows it read, the cursor for the next batch (the
     * last key read, or the next block range's start), how many rows it assigned (per value), the
     * first of those changes for the report, the rows skipped, and whether the round is over.
     */
    record BatchResult(int rows, List<Object> lastKey, int assigned, Map<String, Integer> assignedByValue,
                               List<RemediationReport.Change> changes, List<RemediationReport.SkippedRow> skipped,
                               boolean roundOver) {
    }

    /** A policy threw; carries the row (masked) in the message. */
    static final class PolicyFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PolicyFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }



    /** The next NULL rows after {@code after}, in key order: {@code ... WHERE col IS NULL AND key > after ORDER BY key LIMIT n}. */
    Condition nullAfter(List<Object> after) {
        List<Field<Object>> keys = target.keyFields();
        Condition condition = target.column().isNull();
        if (after != null) {
            condition = condition.and(keys.size() == 1 ? keys.get(0).gt(DSL.val(after.get(0)))
                    : DSL.row(keys).gt(DSL.row(after.stream().map(DSL::val).toList())));
        }
        return condition;
    }

    /** A row read from the table: its key, and the shown columns made readable. */
    Read read(Record r, int offset) {
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
        List<Read> reads = readAfter(dsl, after);

        // Decide every row first, on this transaction; lookups run before any UPDATE.
        Map<List<String>, List<Read>> groups = new LinkedHashMap<>();
        List<RemediationReport.SkippedRow> skipped = new ArrayList<>();
        decide(connection, reads, groups, skipped);
        return assign(dsl, groups, skipped, reads, after, reported);
    }

    /** The next NULL rows after key {@code after}, in key order, locked (unless a dry run). */
    private List<Read> readAfter(DSLContext dsl, List<Object> after) {
        List<Field<Object>> keys = target.keyFields();
        List<Field<Object>> fields = shown.stream().map(target::field).toList();
        var query = dsl.select(fields).from(target.table()).where(nullAfter(after))
                .orderBy(keys.stream().map(Field::asc).toList()).limit(DSL.inline(plan.batchSize()));
        // The rows stay locked until the batch commits: the policy decides on the values the UPDATE commits against.
        Result<Record> records = plan.dryRun() ? query.fetch() : query.forNoKeyUpdate().fetch();
        List<Read> reads = new ArrayList<>(records.size());
        for (Record r : records) {
            reads.add(read(r, 0));
        }
        return reads;
    }

    /** Asks the policy about each row read: rows to assign go into {@code groups} by value and policy, the others into {@code skipped}. */
    private void decide(Connection connection, List<Read> reads, Map<List<String>, List<Read>> groups,
                        List<RemediationReport.SkippedRow> skipped) {
        try (LookupPolicy.Scope scope = LookupPolicy.Scope.open(connection)) {
            for (Read read : reads) {
                PolicyTree.Traced traced;
                try {
                    traced = PolicyTree.decide(plan.policy(), read.row());
                } catch (LookupPolicy.LookupFailedException e) {
                    throw cutover.sensitive().isEmpty() ? e : e.redacted(sensitiveValues(read.row()), cutover);
                } catch (RuntimeException e) {
                    throw policyFailed(read, e);
                }
                if (traced.decision() instanceof RemediationDecision.Assign assign
                        && PlanCheck.holdsNul(PlanCheck.literal(assign.value()))) {
                    skipped.add(new RemediationReport.SkippedRow(masked(read.row().key()), maskedColumns(read.row()), NUL_REASON));
                } else if (traced.decision() instanceof RemediationDecision.Assign assign) {
                    groups.computeIfAbsent(List.of(PlanCheck.literal(assign.value()), traced.policy()), g -> new ArrayList<>())
                            .add(read);
                } else {
                    RemediationDecision.Skip skip = (RemediationDecision.Skip) traced.decision();
                    skipped.add(new RemediationReport.SkippedRow(masked(read.row().key()), maskedColumns(read.row()), skip.reason()));
                }
            }
        }
    }

    /** Updates each group's rows (unless a dry run) and counts what changed. */
    private BatchResult assign(DSLContext dsl, Map<List<String>, List<Read>> groups, List<RemediationReport.SkippedRow> skipped,
                               List<Read> reads, List<Object> after, int reported) {
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
        return new BatchResult(reads.size(), lastKey, assigned, byValue, changes, skipped, reads.size() < plan.batchSize());
    }

    String shownValue(String value) {
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
            Name u = DSL.name("cutover_u" + g);
            ctes.add(DSL.sql("""
                    {0} as (
                      update {1} set {2} = {3} where {4} and {5} is null
                      returning {6}, {7} as cutover_key, {5}::text as cutover_new
                    ), {8} as ({9})""",
                    u, target.tableName(), DSL.name(cutover.column()), PlanCheck.typedValue(target, value), in, target.column(),
                    DSL.list(keyAliases(true)), journalKey(), DSL.name("cutover_j" + g), journalInsert(policy, u)));
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

    /** The key columns as {@code cutover_k0, cutover_k1...}: with the columns ({@code col as cutover_k0}) or the names alone. */
    List<QueryPart> keyAliases(boolean withColumns) {
        List<Field<Object>> keys = target.keyFields();
        List<QueryPart> out = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            out.add(withColumns ? DSL.field("{0} as {1}", keys.get(i), DSL.name("cutover_k" + i)) : DSL.name("cutover_k" + i));
        }
        return out;
    }

    /**
     * Whether this run's journal entries hold the key column's bare values ({@link Journal}):
     * the key has one column and the journal has {@code key_column}. Set before the first batch.
     */
    private boolean bareKeys;

    /** Sets whether the journal may hold bare key values ({@link Journal#hasKeyColumn}); before the first batch. */
    void journalMayHoldBareKeys(boolean mayHold) {
        this.bareKeys = mayHold && target.keyColumns().size() == 1;
    }

    /** A row's key as its journal entry keeps it: see {@link #journalKey(List)}. */
    QueryPart journalKey() {
        return journalKey(target.keyFields());
    }

    /**
     * A row's key, the columns {@code keys} (in the order of the key's columns), as its journal
     * entry aggregates it ({@link #journalInsert}): the column itself when the journal holds bare
     * values; otherwise the text of a JSON object, {@code '{"id":' || to_json(id)::text || '}'},
     * the same object {@code jsonb_build_object} makes once cast to {@code jsonb}, each value
     * written by {@code to_json}, so that an entry joins its rows' objects into one array and casts
     * that once, which costs PostgreSQL a fraction of aggregating {@code jsonb} objects row by row.
     */
    QueryPart journalKey(List<Field<Object>> keys) {
        if (bareKeys) {
            return keys.get(0);
        }
        QueryPart json = null;
        for (int i = 0; i < keys.size(); i++) {
            String name = (i == 0 ? "{" : ",") + jsonString(target.keyColumns().get(i)) + ":";
            QueryPart pair = DSL.sql("{0}::text || to_json({1})::text", DSL.val(name), keys.get(i));
            json = json == null ? pair : DSL.sql("{0} || {1}", json, pair);
        }
        return DSL.sql("({0} || '}')", json);
    }

    /** {@code s} as a JSON string literal. */
    static String jsonString(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    /**
     * The most keys one journal entry holds: a batch of more rows writes several entries, as
     * turning one long JSON array into {@code jsonb} costs PostgreSQL more per key than several
     * short ones.
     */
    static final int JOURNAL_ENTRY_KEYS = 1_000;

    /**
     * The journal entries for the rows of CTE {@code u} (nothing when {@code u} is empty), all set
     * to one value, {@link #JOURNAL_ENTRY_KEYS} keys at most each: that value as the column's
     * text, and the id of this batch's transaction, which every row version the batch wrote
     * carries as its {@code xmin} (see {@link Journal}).
     */
    QueryPart journalInsert(String policy, Name u) {
        return journalInsert(policy, u, false);
    }

    /** The same, one entry per value when {@code perValue} (the rows of {@code u} may hold several values). */
    QueryPart journalInsert(String policy, Name u, boolean perValue) {
        // A sensitive column's value is not kept: undo then relies on the row version alone.
        boolean sensitive = cutover.sensitive().contains(cutover.column());
        QueryPart value = sensitive ? DSL.inline((String) null) : DSL.field(DSL.name("cutover_v"));
        QueryPart byValue = perValue ? DSL.sql("group by cutover_new") : DSL.sql("");
        if (bareKeys) {
            // The keys of each value as one typed array, cut into entries by slices: no per-row JSON.
            return DSL.query("""
                    insert into {0} (run_id, action, table_schema, table_name, column_name, keys, key_count, old_value, new_value, policy,
                                     xact, key_column)
                    select {1}, 'assign', {2}, {3}, {4}, to_jsonb(cutover_a.cutover_k[cutover_s : cutover_s + {9} - 1]),
                           least({9}, cardinality(cutover_a.cutover_k) - cutover_s + 1), null, {7}, {5}, txid_current(), {10}
                    from (select array_agg(cutover_key) as cutover_k, min(cutover_new) as cutover_v from {6} {8}) cutover_a
                    cross join lateral generate_series(1, cardinality(cutover_a.cutover_k), {9}) as cutover_s""",
                    Journal.batchTable(db, cutover), DSL.val(runId), DSL.val(cutover.schema()), DSL.val(cutover.table()),
                    DSL.val(cutover.column()), DSL.val(policy), u, value, byValue, DSL.inline(JOURNAL_ENTRY_KEYS),
                    DSL.val(target.keyColumns().get(0)));
        }
        return DSL.query("""
                insert into {0} (run_id, action, table_schema, table_name, column_name, keys, key_count, old_value, new_value, policy,
                                 xact)
                select {1}, 'assign', {2}, {3}, {4}, ('[' || string_agg(cutover_key, ',') || ']')::jsonb, count(*), null, {7}, {5},
                       txid_current()
                from (select cutover_key, cutover_new, (row_number() over () - 1) / {9} as cutover_chunk from {6}) cutover_c
                group by cutover_chunk {8}""",
                Journal.batchTable(db, cutover), DSL.val(runId), DSL.val(cutover.schema()), DSL.val(cutover.table()),
                DSL.val(cutover.column()), DSL.val(policy), u, sensitive ? value : DSL.field("min(cutover_new)"),
                perValue ? DSL.sql(", cutover_new") : DSL.sql(""), DSL.inline(JOURNAL_ENTRY_KEYS));
    }

    /**
     * A policy threw. Its message may quote the row, or something derived from it: with sensitive
     * columns, the message and the exception are left out and only its class is named.
     */
    private PolicyFailedException policyFailed(Read read, RuntimeException e) {
        String prefix = "Policy " + PolicyTree.describe(plan.policy()) + " failed on row " + masked(read.row().key()) + " of "
                + cutover.subject() + ": ";
        if (cutover.sensitive().isEmpty()) {
            return new PolicyFailedException(prefix + e, e);
        }
        return new PolicyFailedException(prefix + e.getClass().getName() + " (its message is left out: "
                + String.join(", ", cutover.sensitive()) + " " + (cutover.sensitive().size() == 1 ? "is" : "are")
                + " sensitive)", null);
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

    Map<String, Object> masked(Map<String, Object> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, cutover.sensitive().contains(k) ? Masking.mask(v) : v));
        return out;
    }

    Map<String, Object> maskedColumns(RemediationRow row) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String c : target.inspectColumns()) {
            Object v = row.values().get(c);
            out.put(c, cutover.sensitive().contains(c) ? Masking.mask(v) : v);
        }
        return out;
    }

}
