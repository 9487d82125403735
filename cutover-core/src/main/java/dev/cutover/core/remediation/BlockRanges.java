package dev.cutover.core.remediation;

import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Sql;
import dev.cutover.core.internal.Target;
import java.util.List;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

/**
 * The block ranges a constant policy's round walks on a plain table from PostgreSQL 14 on, where a range of
 * {@code ctid}s is a TID range scan: each batch reads the NULL rows of the next blocks, in
 * physical order, instead of walking the key's index and fetching every row it points to.
 * The number of blocks adapts after each batch so that a batch finds about {@code batchSize}
 * NULL rows, between 1 and {@link #MAX_SPAN} blocks, and takes no more than about
 * {@link #TARGET_NANOS}. A round ends at the relation's last block,
 * read again when the walk gets there (rows the application appends meanwhile extend it).
 *
 * <p>Which rows a batch changes never depends on the ranges: every statement still tests
 * {@code col IS NULL} on the row it locks. A row the application moves to a block the round
 * has passed (an update of another column) is left to the end-of-round count and the next round,
 * as a row moved behind a key cursor would be.
 *
 * <p>Each batch first takes the ctids of at most {@code batchSize} NULL rows of its range, in
 * physical order, without locking them, then updates those rows by ctid (a TID scan), where
 * still NULL. A batch's cursor ({@link BatchStatements.BatchResult#lastKey()}) is the
 * position after which the next batch starts, {@code [block, offset]}: the last row taken when
 * the batch took {@code batchSize} of them, else the start of the next range; {@code null}
 * starts a round.
 */
final class BlockRanges {

    /** The most blocks one batch reads: 32 MiB of 8 kB pages. */
    static final int MAX_SPAN = 4_096;
    /** The first batch's blocks, before anything is known of where the NULL rows are. */
    static final int FIRST_SPAN = 8;
    /**
     * The time a batch's statement should take at most: a batch that took longer makes the next
     * range smaller in proportion, so that a batch over sparse NULL rows (few rows, many blocks)
     * stays short too.
     */
    static final long TARGET_NANOS = java.time.Duration.ofMillis(50).toNanos();

    private final Target target;
    private final int batchSize;
    /** The relation's blocks when last read. */
    private long end;
    private int span = FIRST_SPAN;

    BlockRanges(Target target, int batchSize) {
        this.target = target;
        this.batchSize = batchSize;
    }

    /**
     * Whether a run on this target walks block ranges: PostgreSQL 14 or later, a plain table
     * (a partitioned one has no blocks of its own) without inheritance children ({@link #inherited}), and no partial
     * index of the NULL rows (which finds them without reading the others). Read before the run
     * takes its batch connection.
     */
    static boolean suit(DatabaseHandle db, Target target, boolean nullIndex, boolean inherited) {
        if (nullIndex || inherited || db.serverVersion().major() < 14) {
            return false;
        }
        String kind = Sql.inTransaction(db.dataSource(), db.stateTimeouts(), "read the kind of relation " + target.cutover().subject(),
                dsl -> dsl.resultQuery("select c.relkind::text from pg_catalog.pg_class c where c.oid = {0}::regclass",
                        DSL.val(dsl.render(target.tableName()))).fetchOne(0, String.class));
        return "r".equals(kind);
    }

    /**
     * Whether the target is a plain table with inheritance children: a statement on it reaches
     * their rows too, in blocks its own size does not cover, so neither its block ranges nor its
     * size bound what the statement reads.
     */
    static boolean inherited(DatabaseHandle db, Target target) {
        return Sql.inTransaction(db.dataSource(), db.stateTimeouts(), "look for inheritance children of " + target.cutover().subject(),
                dsl -> dsl.resultQuery("""
                        select exists (select 1 from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhparent
                                       where i.inhparent = {0}::regclass and c.relkind = 'r')""",
                        DSL.val(dsl.render(target.tableName()))).fetchOne(0, Boolean.class));
    }

    /**
     * The range after cursor {@code after} (a round's start when {@code null}): up to
     * {@code span} blocks from the cursor's block; {@code null} when the round is over.
     */
    Range next(DSLContext dsl, List<Object> after) {
        long block = after == null ? 0 : ((Number) after.get(0)).longValue();
        int offset = after == null ? 0 : ((Number) after.get(1)).intValue();
        if (after == null) {
            span = FIRST_SPAN;
            end = blocks(dsl);
        }
        if (block >= end) {
            end = blocks(dsl);
            if (block >= end) {
                return null;
            }
        }
        started = System.nanoTime();
        return new Range(block, offset, block + span);
    }

    /** When the last range was handed out. */
    private long started;

    /**
     * Learns from a batch over {@code range} whose read took {@code taken} NULL rows, the last of
     * them at {@code lastTid} ({@code "(block,offset)"}, {@code null} when none), and gives the
     * cursor of the next batch and whether the round ends with this one. When the read took
     * {@code batchSize} rows it may have stopped inside the range: the next batch goes on right
     * after its last row. Otherwise it read the range whole, and the round ends when the range
     * reached the relation's end (read again).
     */
    Step done(DSLContext dsl, Range range, int taken, String lastTid) {
        long took = System.nanoTime() - started;
        if (taken >= batchSize && lastTid != null) {
            long[] last = parse(lastTid);
            long spanned = Math.max(1, last[0] - range.fromBlock() + 1);
            span = bounded(spanned * batchSize / Math.max(1, taken), spanned, took);
            return new Step(List.of(last[0], last[1]), false);
        }
        long wanted = taken == 0 ? (long) span * 4
                : Math.max(span / 4, Math.min((long) span * 4, (long) span * batchSize / taken));
        span = bounded(wanted, span, took);
        List<Object> cursor = List.of(range.toBlock(), 0);
        if (range.toBlock() < end) {
            return new Step(cursor, false);
        }
        end = blocks(dsl);
        return new Step(cursor, range.toBlock() >= end);
    }

    /**
     * {@code wanted} blocks, at most {@link #MAX_SPAN}, and no more than {@code walked} blocks
     * taking {@code took} say fit in {@link #TARGET_NANOS}: a range grows where NULL rows are
     * sparse, but never past what the last batch's pace predicts for the target.
     */
    private static int bounded(long wanted, long walked, long took) {
        long span = Math.min(MAX_SPAN, Math.min(wanted, walked * TARGET_NANOS / Math.max(1, took)));
        return (int) Math.max(1, span);
    }

    private static long[] parse(String tid) {
        String inner = tid.substring(tid.indexOf('(') + 1, tid.indexOf(')'));
        int comma = inner.indexOf(',');
        return new long[] {Long.parseLong(inner.substring(0, comma).strip()), Long.parseLong(inner.substring(comma + 1).strip())};
    }

    /** The next batch's cursor, and whether the round is over. */
    record Step(List<Object> cursor, boolean roundOver) {
    }

    /** The blocks of the relation now. */
    private long blocks(DSLContext dsl) {
        return dsl.resultQuery("select pg_catalog.pg_relation_size({0}::regclass) / current_setting('block_size')::bigint",
                DSL.val(dsl.render(target.tableName()))).fetchOne(0, Long.class);
    }

    /** The rows after {@code (fromBlock, fromOffset)} and before block {@code toBlock}. */
    record Range(long fromBlock, int fromOffset, long toBlock) {

        /** {@code ctid > '(fromBlock,fromOffset)' AND ctid < '(toBlock,0)'} on {@code ctid}: a TID range scan. */
        Condition condition(Field<Object> ctid) {
            return condition(ctid, from(), to());
        }

        /** {@code ctid > from AND ctid < to}, both bind parameters. */
        static Condition condition(Field<Object> ctid, String from, String to) {
            return DSL.condition("{0} > {1}::tid and {0} < {2}::tid", ctid, DSL.val(from), DSL.val(to));
        }

        /** The lower bound (excluded), as a {@code tid}'s text. */
        String from() {
            return "(" + fromBlock + "," + fromOffset + ")";
        }

        /** The upper bound (excluded), as a {@code tid}'s text. */
        String to() {
            return "(" + toBlock + ",0)";
        }
    }
}
