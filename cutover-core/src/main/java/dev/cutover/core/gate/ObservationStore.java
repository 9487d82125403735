package dev.cutover.core.gate;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Identifiers;
import dev.cutover.core.internal.Sql;
import dev.cutover.core.internal.Texts;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.NotNullCutover;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.impl.DSL;

/**
 * The monitor's observations in table {@code cutover_observation} (in the cutover's state
 * schema): written by the monitor, read by the preflight's "null baseline stable" check.
 * Times are the database's ({@code clock_timestamp()} when written, {@code now()} when read),
 * so clocks of different machines never mix.
 */
final class ObservationStore {

    /** The table's name. */
    public static final String TABLE = "cutover_observation";

    private static final int FETCH_SIZE = 1_000;

    private final DatabaseHandle db;
    private final Map<String, Boolean> instanceColumn = new ConcurrentHashMap<>();

    private ObservationStore(DatabaseHandle db) {
        this.db = db;
    }

    /** The store of a database made by {@link CutoverDatabase#of}. */
    public static ObservationStore of(CutoverDatabase db) {
        return new ObservationStore(DatabaseHandle.of(db));
    }

    /** {@code schema.cutover_observation} for people. */
    public String displayTable(NotNullCutover cutover) {
        return Identifiers.display(db.stateSchema(cutover), TABLE);
    }

    private Name table(NotNullCutover cutover) {
        return DSL.name(db.stateSchema(cutover), TABLE);
    }

    /**
     * Creates the observation and gate tables (and their schema) if missing; when they exist,
     * as the migration role's script left them ({@link dev.cutover.core.StateTables}), runs no DDL.
     */
    public void ensureTable(NotNullCutover cutover) {
        String schema = db.stateSchema(cutover);
        try {
            db.ensureStateTable(schema, TABLE, ObservationStore::ddl);
            db.ensureStateTable(schema, SharedLatch.TABLE, SharedLatch::ddl);
            ensureInstanceColumn(schema);
        } catch (CutoverDatabaseException e) {
            if (!e.sqlState().filter(s -> s.equals("42501")).isPresent()) {
                throw e;
            }
            throw new CutoverDatabaseException("The monitor's state tables in schema " + Identifiers.display(schema)
                    + " are missing and this role may not create them (SQLSTATE 42501: " + Texts.message(e) + "). Create them "
                    + "ahead as the migration role with StateTables.script(\"" + schema + "\") and grant this role "
                    + "StateTables.grants(...).", "42501", e);
        }
    }

    /** Forgets that the tables exist, after one was found missing, so that the next use creates them again. */
    void forget(NotNullCutover cutover) {
        db.forgetStateTable(db.stateSchema(cutover), TABLE);
        db.forgetStateTable(db.stateSchema(cutover), SharedLatch.TABLE);
    }

    /** The observation table's DDL, run when it is missing and rendered into the state tables' script. */
    static void ddl(DSLContext dsl, String schema) {
        dsl.query("""
                create table if not exists {0} (
                    id bigint generated always as identity primary key,
                    target text not null,
                    observed_at timestamptz not null default clock_timestamp(),
                    null_count bigint,
                    baseline bigint not null,
                    verdict text not null,
                    latched boolean not null,
                    reason text not null,
                    error text,
                    instance text,
                    constraint {1} check (verdict in ('GO', 'NO_GO', 'UNKNOWN'))
                )""", DSL.name(schema, TABLE), DSL.name(TABLE + "_verdict_check")).execute();
        dsl.query("create index if not exists {0} on {1} (target, observed_at)",
                DSL.name(TABLE + "_target_observed_at_idx"), DSL.name(schema, TABLE)).execute();
    }

    /** Tables of versions before the instance column get it (DDL only when it is missing). */
    private void ensureInstanceColumn(String schema) {
        String key = schema + "\0" + TABLE + ".instance";
        if (instanceColumn.containsKey(key)) {
            return;
        }
        Sql.inTransaction(db.dataSource(), db.stateTimeouts(), "add column instance to " + Identifiers.display(schema, TABLE),
                dsl -> {
            boolean has = dsl.fetchOne("""
                    select count(*) from pg_catalog.pg_attribute a join pg_catalog.pg_class c on c.oid = a.attrelid
                    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = ? and c.relname = ? and a.attname = 'instance' and not a.attisdropped""",
                    schema, TABLE).get(0, Long.class) > 0;
            if (!has) {
                dsl.query("alter table {0} add column if not exists instance text", DSL.name(schema, TABLE)).execute();
            }
            return null;
        });
        instanceColumn.put(key, Boolean.TRUE);
    }

    /** Writes one observation in the caller's transaction; {@code observed_at} is the database's clock. */
    void insert(DSLContext dsl, NotNullCutover cutover, Decision decision, String instance) {
        dsl.query("insert into {0} (target, null_count, baseline, verdict, latched, reason, error, instance) "
                        + "values ({1}, {2}, {3}, {4}, {5}, {6}, {7}, {8})",
                table(cutover), DSL.val(decision.target()),
                DSL.val(decision.nullCount().isPresent() ? decision.nullCount().getAsLong() : null, Long.class),
                DSL.val(decision.baseline()), DSL.val(decision.verdict().name()), DSL.val(decision.latched()),
                DSL.val(decision.reason()), DSL.val(decision.error().orElse(null), String.class), DSL.val(instance)).execute();
    }

    /** Reads and summarises the observations of the last {@code window}, streaming them. */
    ObservationWindow window(NotNullCutover cutover, Duration window, long baseline) {
        Objects.requireNonNull(window, "window");
        String schema = db.stateSchema(cutover);
        return Sql.inTransaction(db.dataSource(), db.settings().probeTimeout(), "read the observations of "
                + cutover.subject() + " from " + displayTable(cutover), dsl -> {
            Instant now = dsl.fetchOne("select now()").get(0, OffsetDateTime.class).toInstant();
            Instant start = now.minus(window);
            boolean exists = dsl.fetchOne("""
                    select count(*) from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = ? and c.relname = ? and c.relkind in ('r', 'p')""", schema, TABLE).get(0, Long.class) > 0;
            Summary summary = new Summary(baseline, start);
            if (exists) {
                Record before = dsl.fetchOne(select(dsl, cutover, "observed_at <= {2} order by observed_at desc, id desc limit 1",
                        DSL.val(start.atOffset(ZoneOffset.UTC))));
                if (before != null) {
                    summary.add(observation(before));
                }
                try (Cursor<Record> inside = dsl.resultQuery(
                                "select id, observed_at, null_count, baseline, verdict, latched, error, instance from {0} "
                                        + "where target = {1} and observed_at > {2} and observed_at <= {3} order by observed_at, id",
                                table(cutover), DSL.val(cutover.subject()), DSL.val(start.atOffset(ZoneOffset.UTC)),
                                DSL.val(now.atOffset(ZoneOffset.UTC)))
                        .fetchSize(FETCH_SIZE).fetchLazy()) {
                    for (Record r : inside) {
                        summary.add(observation(r));
                    }
                }
            }
            GateState gate = SharedLatch.read(dsl, schema, cutover);
            return summary.window(exists, now, gate);
        });
    }

    private ResultQuery<Record> select(DSLContext dsl, NotNullCutover cutover, String condition, Field<?> value) {
        return dsl.resultQuery("select id, observed_at, null_count, baseline, verdict, latched, error, instance from {0} "
                + "where target = {1} and "
                + condition, table(cutover), DSL.val(cutover.subject()), value);
    }

    private static Observation observation(Record r) {
        return new Observation(r.get("id", Long.class), r.get("observed_at", OffsetDateTime.class).toInstant(),
                r.get("null_count", Long.class), r.get("baseline", Long.class), r.get("verdict", String.class),
                r.get("latched", Boolean.class), r.get("error", String.class),
                r.get("instance", String.class));
    }

    /** Folds observations in time order into an {@link ObservationWindow}. */
    private static final class Summary {
        private final long baseline;
        private final Instant start;
        private long count;
        private Observation first;
        private Observation last;
        private ObservationGap largestGap;
        private long failed;
        private Observation firstFailure;
        private long above;
        private Observation peak;
        private long latched;
        private Observation firstLatched;
        private Long latchedPeak;

        Summary(long baseline, Instant start) {
            this.baseline = baseline;
            this.start = start;
        }

        void add(Observation o) {
            count++;
            if (first == null) {
                first = o;
            }
            if (last != null) {
                ObservationGap gap = new ObservationGap(last.observedAt(), o.observedAt());
                if (largestGap == null || gap.length().compareTo(largestGap.length()) > 0) {
                    largestGap = gap;
                }
            }
            last = o;
            if (o.latched()) {
                latched++;
                if (firstLatched == null) {
                    firstLatched = o;
                }
                if (o.nullCount() != null && (latchedPeak == null || o.nullCount() > latchedPeak)) {
                    latchedPeak = o.nullCount();
                }
            }
            if (!o.observedAt().isAfter(start)) {
                return;
            }
            if (o.failed()) {
                failed++;
                if (firstFailure == null) {
                    firstFailure = o;
                }
            } else if (o.nullCount() > baseline) {
                above++;
                if (peak == null || o.nullCount() > peak.nullCount()) {
                    peak = o;
                }
            }
        }

        ObservationWindow window(boolean exists, Instant now, GateState gate) {
            return new ObservationWindow(exists, now, start, count, first, last, largestGap, failed, firstFailure, above, peak,
                    latched, firstLatched, latchedPeak, gate);
        }
    }
}
