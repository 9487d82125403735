package dev.cutover.core.remediation;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.internal.Target;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.QueryPart;
import org.jooq.Record;
import org.jooq.Result;
import org.jooq.impl.DSL;

/**
 * The batches that are one statement each: a {@linkplain RemediationPolicies#constant constant}
 * (read the next NULL keys, update, journal) and a {@linkplain RemediationPolicies#sql SQL
 * policy} (the same, with each value computed by PostgreSQL over the locked row).
 */
final class OneStatementBatches {

    private final BatchStatements owner;
    private final RemediationSettings plan;
    private final Target target;
    private final NotNullCutover cutover;
    private final List<String> shown;
    /** Rows per NULL row in a key range above which a batch reads the NULL keys instead of walking the range. */
    static final int SPARSE_SPREAD = 20;
    /** Whether the last batch found NULL rows sparse (see {@link #isSparse}). */
    private boolean sparse;
    /** Set when the round walks block ranges instead of the key. */
    private BlockRanges blocks;

    OneStatementBatches(BatchStatements owner, RemediationSettings plan, Target target) {
        this.owner = owner;
        this.plan = plan;
        this.target = target;
        this.cutover = plan.cutover();
        this.shown = target.shownColumns();
    }

    /** From now on, rounds walk block ranges ({@link BlockRanges}) instead of the key. */
    void walkBlocks(BlockRanges ranges) {
        this.blocks = ranges;
    }

    /** Whether the next batch of a constant policy is a single statement. */
    boolean constantIsOneStatement() {
        return blocks != null || target.keyFields().size() == 1;
    }

    /**
     * A constant policy's batch over the next block range, in one statement: take the ctids of
     * up to {@code batchSize} NULL rows of the range, update those rows where still NULL (a TID
     * scan), journal them, and return how many were taken and changed, the last ctid taken and
     * the first changed rows for the report.
     */
    private BatchStatements.BatchResult constantBlocksBatch(Connection connection, DSLContext dsl, QueryPart settings,
                                                           PolicyTree.Constant constant, List<Object> after, int reported)
            throws java.sql.SQLException {
        BlockRanges.Range range = blocks.next(dsl, after);
        if (range == null) {
            return new BatchStatements.BatchResult(0, after, 0, Map.of(), List.of(), List.of(), true);
        }
        String value = PlanCheck.literal(constant.value());
        String policy = PolicyTree.describe(plan.policy());
        int show = Math.max(0, plan.reportLimit() - reported);
        if (show == 0 && connection != null) {
            if (prepared == null || prepared.settings() != (settings != null)) {
                prepared = prepare(dsl, settings, constant);
            }
            Object[] r = runPrepared(connection, prepared, range);
            int changed = (Integer) r[2];
            BlockRanges.Step step = blocks.done(dsl, range, (Integer) r[0], (String) r[1]);
            return new BatchStatements.BatchResult((Integer) r[0], step.cursor(), changed,
                    changed > 0 ? Map.of(owner.shownValue(value), changed) : Map.of(), List.of(), List.of(), step.roundOver());
        }
        // The rows' shown columns come back only while the report still wants changed rows.
        List<QueryPart> returning = new ArrayList<>(show > 0 ? owner.keyAliases(true) : List.of());
        returning.add(DSL.field("{0} as cutover_key", owner.journalKey()));
        returning.add(DSL.field("{0}::text as cutover_new", target.column()));
        List<QueryPart> shownFromU = new ArrayList<>();
        List<QueryPart> ascU = new ArrayList<>();
        if (show > 0) {
            for (int i = 0; i < shown.size(); i++) {
                returning.add(DSL.field("{0} as {1}", target.field(shown.get(i)), DSL.name("cutover_s" + i)));
                shownFromU.add(DSL.name("cutover_s" + i));
            }
            for (int i = 0; i < target.keyColumns().size(); i++) {
                ascU.add(DSL.field(DSL.name("cutover_k" + i)).asc());
            }
        }
        QueryPart rows = show == 0 ? DSL.sql("")
                : DSL.sql("left join lateral (select {0} from cutover_u order by {1} limit {2}) cutover_r on true",
                        DSL.list(shownFromU), DSL.list(ascU), DSL.inline(show));
        Result<Record> result = owner.fetch(dsl, settings, dsl.resultQuery("""
                with cutover_t as ({0}), cutover_u as (
                  update {1} set {2} = {3} where ctid = any(array(select cutover_tid from cutover_t)) and {4} is null
                  returning {5}
                ), cutover_j as ({6})
                select (select count(*) from cutover_t)::int as cutover_taken,
                       (select cutover_tid from cutover_t order by cutover_tid desc limit 1)::text as cutover_last,
                       (select count(*) from cutover_u)::int as cutover_changed{7}
                from (select 1) cutover_one {8}""",
                taken(range), target.tableName(), DSL.name(cutover.column()), PlanCheck.typedValue(target, value), target.column(),
                DSL.list(returning), owner.journalInsert(policy, DSL.name("cutover_u")),
                DSL.sql(show == 0 ? "" : ", cutover_r.*"), rows));
        Record first = result.get(0);
        int taken = first.get("cutover_taken", Integer.class);
        int changed = first.get("cutover_changed", Integer.class);
        BlockRanges.Step step = blocks.done(dsl, range, taken, first.get("cutover_last", String.class));
        String shownValue = owner.shownValue(value);
        List<RemediationReport.Change> changes = changes(result, 3, show, shownValue, policy);
        return new BatchStatements.BatchResult(taken, step.cursor(), changed, changed > 0 ? Map.of(shownValue, changed) : Map.of(),
                changes, List.of(), step.roundOver());
    }

    /**
     * The first {@code show} changed rows of a constant policy's batch, read from column
     * {@code offset} on (a row whose key is NULL there is the empty side of an outer join).
     */
    private List<RemediationReport.Change> changes(Result<Record> result, int offset, int show, String shownValue, String policy) {
        List<RemediationReport.Change> changes = new ArrayList<>();
        int key = offset + shown.indexOf(target.keyColumns().get(0));
        for (Record r : result) {
            if (changes.size() < show && r.get(key) != null) {
                BatchStatements.Read row = owner.read(r, offset);
                changes.add(new RemediationReport.Change(owner.masked(row.row().key()), owner.maskedColumns(row.row()), shownValue,
                        policy));
            }
        }
        return changes;
    }

    /** The ctids of up to {@code batchSize} NULL rows of {@code range}, in physical order, as {@code cutover_tid}. */
    QueryPart taken(BlockRanges.Range range) {
        return taken(range.condition(DSL.field(DSL.name("ctid"))));
    }

    private QueryPart taken(Condition range) {
        return DSL.sql("select ctid as cutover_tid from {0} where {1} and {2} is null limit {3}", target.tableName(), range,
                target.column(), DSL.inline(plan.batchSize()));
    }

    /**
     * A constant policy's block-range statement once the report holds all the changed rows it
     * shows, with its settings in front: rendered by jOOQ once per run, then only its two range
     * bounds change from batch to batch, so a batch costs the client a few bind values.
     */
    private record Prepared(String sql, List<Object> binds, int from, int to, boolean settings) {
    }

    private Prepared prepared;

    private Prepared prepare(DSLContext dsl, QueryPart settings, PolicyTree.Constant constant) {
        String from = "cutover-from-" + java.util.UUID.randomUUID();
        String to = "cutover-to-" + java.util.UUID.randomUUID();
        org.jooq.ResultQuery<Record> batch = dsl.resultQuery("""
                with cutover_t as ({0}), cutover_u as (
                  update {1} set {2} = {3} where ctid = any(array(select cutover_tid from cutover_t)) and {4} is null
                  returning {5} as cutover_key, {4}::text as cutover_new
                ), cutover_j as ({6})
                select (select count(*) from cutover_t)::int as cutover_taken,
                       (select cutover_tid from cutover_t order by cutover_tid desc limit 1)::text as cutover_last,
                       (select count(*) from cutover_u)::int as cutover_changed""",
                taken(BlockRanges.Range.condition(DSL.field(DSL.name("ctid")), from, to)), target.tableName(),
                DSL.name(cutover.column()), PlanCheck.typedValue(target, PlanCheck.literal(constant.value())), target.column(),
                owner.journalKey(), owner.journalInsert(PolicyTree.describe(plan.policy()), DSL.name("cutover_u")));
        org.jooq.Query whole = settings == null ? batch : dsl.resultQuery("{0};\n{1}", settings, batch);
        List<Object> binds = dsl.extractBindValues(whole);
        return new Prepared(dsl.render(whole), binds, binds.indexOf(from), binds.indexOf(to), settings != null);
    }

    /** A constant policy's batch over {@code range} with the {@link Prepared} statement: taken, last ctid taken, changed. */
    private Object[] runPrepared(Connection connection, Prepared p, BlockRanges.Range range) throws java.sql.SQLException {
        try (java.sql.PreparedStatement statement = connection.prepareStatement(p.sql())) {
            for (int i = 0; i < p.binds().size(); i++) {
                statement.setObject(i + 1, i == p.from() ? range.from() : i == p.to() ? range.to() : p.binds().get(i));
            }
            statement.execute();
            if (p.settings()) {
                statement.getMoreResults();
            }
            try (java.sql.ResultSet rs = statement.getResultSet()) {
                rs.next();
                return new Object[] {rs.getInt(1), rs.getString(2), rs.getInt(3)};
            }
        }
    }

    /**
     * A batch of a policy that gives every row the same value, as a key range: find the key of
     * the {@code batchSize}-th NULL row after {@code after} (the range's upper bound; none when
     * fewer are left, and the range then runs to the end of the table), then update the range's
     * rows where still NULL, journal them, and return how many changed, the last key changed,
     * and the first changed rows for the report. The update walks the key's index over the range
     * once, as a hand-written id-range loop does, instead of joining the rows read back to the
     * table one by one. With a key of one column it is all one statement (the bound in a CTE,
     * the table's greatest key when there is none); a key of several columns takes a statement
     * for the bound first. The first batch of a round, and every batch after one that found the
     * NULL rows sparse ({@link #isSparse}), reads the NULL keys and updates those instead.
     */
    BatchStatements.BatchResult constantBatch(Connection connection, DSLContext dsl, QueryPart settings, PolicyTree.Constant constant,
                                              List<Object> after, int reported) throws java.sql.SQLException {
        if (blocks != null) {
            return constantBlocksBatch(connection, dsl, settings, constant, after, reported);
        }
        BatchStatements.BatchResult result = after == null || sparse ? joinBatch(dsl, settings, constant, after, reported)
                : rangeBatch(dsl, settings, constant, after, reported);
        sparse = isSparse(after, result.lastKey());
        return result;
    }

    /**
     * Whether the last batch's key range held more than {@link #SPARSE_SPREAD} rows per NULL row
     * it read, as far as an integer key tells (the first batch's range counted from 0); the next
     * batch then reads the NULL keys and updates them one by one instead of walking the range a
     * second time. Only the speed depends on this guess, never what a batch changes.
     */
    private boolean isSparse(List<Object> after, List<Object> last) {
        if (last == null || last.size() != 1 || !isInteger(last.get(0)) || (after != null && !isInteger(after.get(0)))) {
            return false;
        }
        long from = after == null ? 0 : ((Number) after.get(0)).longValue();
        return ((Number) last.get(0)).longValue() - from > (long) SPARSE_SPREAD * plan.batchSize();
    }

    private static boolean isInteger(Object key) {
        return key instanceof Long || key instanceof Integer || key instanceof Short;
    }

    /** A batch of a constant policy as a key range (see {@link #constantBatch}). */
    private BatchStatements.BatchResult rangeBatch(DSLContext dsl, QueryPart settings, PolicyTree.Constant constant,
                                                   List<Object> after, int reported) {
        List<Field<Object>> keys = target.keyFields();
        boolean inline = keys.size() == 1;
        List<Object> upper = inline ? null : upperBound(dsl, after);
        String value = PlanCheck.literal(constant.value());
        String policy = PolicyTree.describe(plan.policy());
        int show = Math.max(0, plan.reportLimit() - reported);
        Condition range = target.column().isNull();
        if (after != null) {
            range = range.and(compare(keys, after, true));
        }
        if (upper != null) {
            range = range.and(compare(keys, upper, false));
        }
        if (inline) {
            range = range.and(keys.get(0).le(DSL.field("(select coalesce(cutover_hi, cutover_max) from cutover_h)")));
        }
        List<QueryPart> returning = new ArrayList<>(owner.keyAliases(true));
        returning.add(DSL.field("{0} as cutover_key", owner.journalKey()));
        returning.add(DSL.field("{0}::text as cutover_new", target.column()));
        List<QueryPart> shownFromU = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            returning.add(DSL.field("{0} as {1}", target.field(shown.get(i)), DSL.name("cutover_s" + i)));
            shownFromU.add(DSL.name("cutover_s" + i));
        }
        List<QueryPart> lastDesc = new ArrayList<>();
        List<QueryPart> lastAliases = new ArrayList<>();
        List<QueryPart> ascU = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            lastDesc.add(DSL.field(DSL.name("cutover_k" + i)).desc());
            lastAliases.add(DSL.field("{0} as {1}", DSL.name("cutover_k" + i), DSL.name("cutover_last" + i)));
            ascU.add(DSL.field(DSL.name("cutover_k" + i)).asc());
        }
        Result<Record> result = owner.fetch(dsl, upper == null ? settings : null, dsl.resultQuery("""
                with cutover_h as ({11}), cutover_u as (
                  update {0} set {1} = {2} where {3}
                  returning {4}
                ), cutover_j as ({5})
                select (select count(*) from cutover_u)::int as cutover_changed, cutover_h.cutover_hi, cutover_l.*, cutover_r.*
                from cutover_h
                left join lateral (select {6} from cutover_u order by {7} limit 1) cutover_l on true
                left join lateral (select {8} from cutover_u order by {9} limit {10}) cutover_r on true""",
                target.tableName(), DSL.name(cutover.column()), PlanCheck.typedValue(target, value), range, DSL.list(returning),
                owner.journalInsert(policy, DSL.name("cutover_u")), DSL.list(lastAliases), DSL.list(lastDesc),
                DSL.list(shownFromU), DSL.list(ascU), DSL.inline(show), bounds(inline, after)));
        if (inline && result.get(0).get("cutover_hi") != null) {
            upper = List.of(result.get(0).get("cutover_hi"));
        }
        return constantResult(result, after, upper, value, policy, show);
    }

    /**
     * The CTE {@code cutover_h} of a batch: with a key of one column, the key of the
     * {@code batchSize}-th NULL row after {@code after} ({@code cutover_hi}, NULL when fewer are
     * left) and the table's greatest key ({@code cutover_max}); otherwise one empty row.
     */
    private QueryPart bounds(boolean inline, List<Object> after) {
        if (!inline) {
            return DSL.sql("select null as cutover_hi");
        }
        Field<Object> key = target.keyFields().get(0);
        return DSL.sql("select ({0}) as cutover_hi, ({1}) as cutover_max",
                DSL.select(key).from(target.table()).where(owner.nullAfter(after)).orderBy(key.asc())
                        .offset(DSL.inline(plan.batchSize() - 1)).limit(DSL.inline(1)),
                DSL.select(key).from(target.table()).orderBy(key.desc()).limit(DSL.inline(1)));
    }

    /** The key of the {@code batchSize}-th NULL row after {@code after}, or {@code null} when fewer are left. */
    private List<Object> upperBound(DSLContext dsl, List<Object> after) {
        List<Field<Object>> keys = target.keyFields();
        Record r = dsl.select(owner.keyAliases(true).stream().map(q -> (org.jooq.SelectFieldOrAsterisk) q).toList())
                .from(target.table()).where(owner.nullAfter(after)).orderBy(keys.stream().map(Field::asc).toList())
                .offset(DSL.inline(plan.batchSize() - 1)).limit(DSL.inline(1)).fetchOne();
        if (r == null) {
            return null;
        }
        List<Object> upper = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            upper.add(r.get(i));
        }
        return upper;
    }

    /** {@code key > bound} ({@code above}) or {@code key <= bound}, as a row comparison for a key of several columns. */
    private static Condition compare(List<Field<Object>> keys, List<Object> bound, boolean above) {
        if (keys.size() == 1) {
            Field<Object> value = DSL.val(bound.get(0));
            return above ? keys.get(0).gt(value) : keys.get(0).le(value);
        }
        var row = DSL.row(keys);
        var values = DSL.row(bound.stream().map(DSL::val).toList());
        return above ? row.gt(values) : row.le(values);
    }

    /**
     * The batch's result. With an upper bound, the batch read {@code batchSize} NULL rows and the
     * next starts after that bound; without one it ran to the end of the table, and the next (if
     * rows were inserted meanwhile) starts after the last key it changed.
     */
    private BatchStatements.BatchResult constantResult(Result<Record> result, List<Object> after, List<Object> upper, String value,
                                                       String policy, int show) {
        int k = target.keyColumns().size();
        Record first = result.get(0);
        int changed = first.get("cutover_changed", Integer.class);
        int read = upper != null ? Math.max(plan.batchSize(), changed) : changed;
        List<Object> lastKey = upper;
        if (upper == null) {
            lastKey = after;
            if (changed > 0) {
                lastKey = new ArrayList<>(k);
                for (int i = 0; i < k; i++) {
                    lastKey.add(first.get("cutover_last" + i));
                }
            }
        }
        String shownValue = owner.shownValue(value);
        List<RemediationReport.Change> changes = changes(result, 2 + k, show, shownValue, policy);
        return new BatchStatements.BatchResult(read, lastKey, changed, changed > 0 ? Map.of(shownValue, changed) : Map.of(), changes,
                List.of(), read < plan.batchSize());
    }


    /**
     * A constant policy's batch where NULL rows are sparse, in one statement: read the next NULL
     * keys, update those rows where still NULL (one primary-key probe each), journal them, and
     * return how many were read and changed, the last key read, and the first changed rows for
     * the report. A key range would make the update walk again every row the read walked past.
     */
    private BatchStatements.BatchResult joinBatch(DSLContext dsl, QueryPart settings, PolicyTree.Constant constant,
                                                  List<Object> after, int reported) {
        List<Field<Object>> keys = target.keyFields();
        int k = keys.size();
        String value = PlanCheck.literal(constant.value());
        String policy = PolicyTree.describe(plan.policy());
        int show = Math.max(0, plan.reportLimit() - reported);
        List<QueryPart> join = new ArrayList<>();
        List<QueryPart> lastDesc = new ArrayList<>();
        List<QueryPart> lastAliases = new ArrayList<>();
        List<QueryPart> shownFromU = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            join.add(DSL.condition("{0} = {1}", keys.get(i), DSL.field(DSL.name("cutover_b", "cutover_k" + i))));
            lastDesc.add(DSL.field(DSL.name("cutover_k" + i)).desc());
            lastAliases.add(DSL.field("{0} as {1}", DSL.name("cutover_k" + i), DSL.name("cutover_last" + i)));
        }
        List<QueryPart> returning = new ArrayList<>(owner.keyAliases(true));
        returning.add(DSL.field("{0} as cutover_key", owner.journalKey()));
        returning.add(DSL.field("{0}::text as cutover_new", target.column()));
        for (int i = 0; i < shown.size(); i++) {
            returning.add(DSL.field("{0} as {1}", target.field(shown.get(i)), DSL.name("cutover_s" + i)));
            shownFromU.add(DSL.name("cutover_s" + i));
        }
        List<QueryPart> ascU = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            ascU.add(DSL.field(DSL.name("cutover_k" + i)).asc());
        }
        Result<Record> result = owner.fetch(dsl, settings, dsl.resultQuery("""
                with cutover_b as (
                  select {0} from {1} where {2} order by {3} limit {4}
                ), cutover_u as (
                  update {1} set {5} = {6} from cutover_b where {7} and {8} is null
                  returning {9}
                ), cutover_j as ({10})
                select (select count(*) from cutover_b)::int as cutover_read,
                       (select count(*) from cutover_u)::int as cutover_changed, cutover_l.*, cutover_r.*
                from (select 1) cutover_one
                left join lateral (select {11} from cutover_b order by {12} limit 1) cutover_l on true
                left join lateral (select {13} from cutover_u order by {14} limit {15}) cutover_r on true""",
                DSL.list(owner.keyAliases(true)), target.tableName(), owner.nullAfter(after),
                DSL.list(keys.stream().map(Field::asc).toList()), DSL.inline(plan.batchSize()),
                DSL.name(cutover.column()), PlanCheck.typedValue(target, value),
                DSL.and(join.stream().map(c -> (Condition) c).toList()),
                target.column(), DSL.list(returning), owner.journalInsert(policy, DSL.name("cutover_u")), DSL.list(lastAliases),
                DSL.list(lastDesc), DSL.list(shownFromU), DSL.list(ascU), DSL.inline(show)));
        return joinResult(result, after, value, policy, show);
    }

    private BatchStatements.BatchResult joinResult(Result<Record> result, List<Object> after, String value, String policy,
                                                   int show) {
        int k = target.keyColumns().size();
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
        String shownValue = owner.shownValue(value);
        List<RemediationReport.Change> changes = changes(result, 2 + k, show, shownValue, policy);
        return new BatchStatements.BatchResult(read, lastKey, changed, changed > 0 ? Map.of(shownValue, changed) : Map.of(), changes,
                List.of(), read < plan.batchSize());
    }

    /**
     * A batch of a {@linkplain RemediationPolicies#sql SQL policy}, in one statement: read the
     * next NULL rows after the key {@code after} locked, with the policy's value for each (the
     * row aliased {@code u}), update the rows with a value where still NULL, journal one entry
     * per value, and return every row read with its value and whether it changed. A dry run reads
     * only, without locks.
     */
    BatchStatements.BatchResult sqlBatch(DSLContext dsl, QueryPart settings, SqlPolicy sqlPolicy, List<Object> after, int reported) {
        List<QueryPart> selected = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            selected.add(DSL.field("{0} as {1}", DSL.field(DSL.name("u", shown.get(i))), DSL.name("cutover_s" + i)));
        }
        List<Field<Object>> keys = target.keyColumns().stream().map(k -> DSL.field(DSL.name("u", k))).toList();
        Condition where = DSL.field(DSL.name("u", cutover.column())).isNull();
        if (after != null) {
            where = where.and(keys.size() == 1 ? keys.get(0).gt(DSL.val(after.get(0)))
                    : DSL.row(keys).gt(DSL.row(after.stream().map(DSL::val).toList())));
        }
        QueryPart read = DSL.sql("select {0}, ({1}) as cutover_v from {2} as u where {3} order by {4} limit {5}",
                DSL.list(selected), DSL.sql(sqlPolicy.query()), target.tableName(), where,
                DSL.list(keys.stream().map(Field::asc).toList()), DSL.inline(plan.batchSize()));
        QueryPart order = DSL.list(target.keyColumns().stream().map(k -> DSL.field(DSL.name("cutover_s" + shown.indexOf(k))).asc())
                .toList());
        QueryPart numbered = numbered(order, Math.max(0, plan.reportLimit() - reported));
        // A dry run reads only, without locks; a row would change when the policy gives it a value.
        Result<Record> rows = plan.dryRun()
                ? owner.fetch(dsl, settings, dsl.resultQuery("with cutover_b as ({0}), cutover_c as (select cutover_b.*, "
                        + "cutover_v is not null as cutover_changed, cutover_v::text as cutover_text from cutover_b), {1}", read, numbered))
                : owner.fetch(dsl, settings, dsl.resultQuery(sqlUpdate(), read, target.tableName(), DSL.name(cutover.column()),
                        sqlJoin("cutover_row"), DSL.field(DSL.name("cutover_row", cutover.column())), DSL.list(sqlReturning()),
                        owner.journalInsert(PolicyTree.describe(plan.policy()), DSL.name("cutover_u"), true), sqlJoin("cutover_u"),
                        numbered));
        return sqlResult(rows, after, reported);
    }

    /** A SQL policy's batch statement: read and lock the next rows with their values, update, journal, then {@link #numbered}. */
    private static String sqlUpdate() {
        return """
                with cutover_b as ({0} for no key update of u), cutover_u as (
                  update {1} as cutover_row set {2} = cutover_b.cutover_v from cutover_b
                  where {3} and cutover_b.cutover_v is not null and {4} is null
                  returning {5}
                ), cutover_j as ({6}), cutover_c as (
                  select cutover_b.*, exists (select 1 from cutover_u where {7}) as cutover_changed,
                         cutover_b.cutover_v::text as cutover_text
                  from cutover_b
                ), {8}""";
    }

    /**
     * The end of a SQL policy's batch statement, over CTE {@code cutover_c} (the rows read, whether
     * each changed, its value as text). Of those rows it returns only what the client needs,
     * numbered in key order ({@code order}): every row the policy gave no value (skipped), the
     * first {@code show} changed rows (for the report), the first changed row of each value with
     * the count of that value's changed rows, and the last row read (the next batch's cursor),
     * each with the number of rows read.
     */
    private static QueryPart numbered(QueryPart order, int show) {
        return DSL.sql("""
                cutover_w as (
                  select cutover_c.*, row_number() over (order by {0}) as cutover_i, count(*) over () as cutover_read,
                         row_number() over (partition by cutover_changed order by {0}) as cutover_nth,
                         count(*) over (partition by cutover_changed, cutover_text) as cutover_of_value,
                         row_number() over (partition by cutover_changed, cutover_text order by {0}) as cutover_vth
                  from cutover_c
                )
                select * from cutover_w
                where cutover_text is null or cutover_i = cutover_read or (cutover_changed and (cutover_nth <= {1} or cutover_vth = 1))
                order by cutover_i""", order, DSL.inline(show));
    }

    /** What a SQL policy's batch did (would do, in a dry run), from the rows its statement returned ({@link #numbered}). */
    private BatchStatements.BatchResult sqlResult(Result<Record> rows, List<Object> after, int reported) {
        String policy = PolicyTree.describe(plan.policy());
        int read = 0;
        int assigned = 0;
        Map<String, Integer> byValue = new LinkedHashMap<>();
        List<RemediationReport.Change> changes = new ArrayList<>();
        List<RemediationReport.SkippedRow> skipped = new ArrayList<>();
        List<Object> lastKey = after;
        for (Record r : rows) {
            read = r.get("cutover_read", Integer.class);
            String value = r.get("cutover_text", String.class);
            boolean changed = r.get("cutover_changed", Boolean.class);
            BatchStatements.Read row = owner.read(r, 0);
            if (r.get("cutover_i", Integer.class) == read) {
                lastKey = row.key();
            }
            if (value == null) {
                skipped.add(new RemediationReport.SkippedRow(owner.masked(row.row().key()), owner.maskedColumns(row.row()),
                        SqlPolicy.NULL_REASON));
            } else if (changed) {
                String shownValue = owner.shownValue(value);
                if (r.get("cutover_vth", Integer.class) == 1) {
                    int n = r.get("cutover_of_value", Integer.class);
                    assigned += n;
                    byValue.merge(shownValue, n, Integer::sum);
                }
                if (reported + changes.size() < plan.reportLimit() && r.get("cutover_nth", Integer.class) <= plan.reportLimit() - reported) {
                    changes.add(new RemediationReport.Change(owner.masked(row.row().key()), owner.maskedColumns(row.row()), shownValue,
                            policy));
                }
            }
        }
        return new BatchStatements.BatchResult(read, lastKey, assigned, byValue, changes, skipped, read < plan.batchSize());
    }

    /** The key columns of {@code alias} equal to those read into {@code cutover_b}. */
    private QueryPart sqlJoin(String alias) {
        List<Condition> join = new ArrayList<>();
        for (int i = 0; i < target.keyColumns().size(); i++) {
            String k = target.keyColumns().get(i);
            Field<Object> left = alias.equals("cutover_u") ? DSL.field(DSL.name(alias, "cutover_k" + i)) : DSL.field(DSL.name(alias, k));
            join.add(DSL.condition("{0} = {1}", left, DSL.field(DSL.name("cutover_b", "cutover_s" + shown.indexOf(k)))));
        }
        return DSL.and(join);
    }

    private List<QueryPart> sqlReturning() {
        List<QueryPart> out = new ArrayList<>();
        List<Field<Object>> keys = new ArrayList<>();
        for (int i = 0; i < target.keyColumns().size(); i++) {
            Field<Object> k = DSL.field(DSL.name("cutover_row", target.keyColumns().get(i)));
            out.add(DSL.field("{0} as {1}", k, DSL.name("cutover_k" + i)));
            keys.add(k);
        }
        out.add(DSL.field("{0} as cutover_key", owner.journalKey(keys)));
        out.add(DSL.field("{0}::text as cutover_new", DSL.field(DSL.name("cutover_row", cutover.column()))));
        return out;
    }
}
