package dev.cutover.core;

import dev.cutover.core.internal.Catalog;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Identifiers;
import dev.cutover.core.internal.Masking;
import dev.cutover.core.internal.Sql;
import dev.cutover.core.internal.Target;
import dev.cutover.core.internal.Values;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.SortField;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link NullProbe} on PostgreSQL. */
final class PostgresNullProbe implements NullProbe {

    private static final Logger LOG = LoggerFactory.getLogger(NullProbe.class);
    private static final long BIG_TABLE_ROWS = 1_000_000;
    private static final int MAX_SAMPLE = 10_000;
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private static final String VALIDATED_NOT_NULL = """
            select a.attnotnull
               and coalesce((select bool_and(con.convalidated) from pg_catalog.pg_constraint con
                             where con.conrelid = a.attrelid and con.contype = 'n' and con.conkey = array[a.attnum]), true)
            from pg_catalog.pg_attribute a
            join pg_catalog.pg_class c on c.oid = a.attrelid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where n.nspname = ? and c.relname = ? and a.attname = ? and not a.attisdropped""";

    private static final String NULL_INDEX = """
            select ic.relname::text as name, i.indisvalid as valid
            from pg_catalog.pg_index i
            join pg_catalog.pg_class ic on ic.oid = i.indexrelid
            join pg_catalog.pg_class c on c.oid = i.indrelid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where n.nspname = ? and c.relname = ? and i.indpred is not null
              and pg_catalog.pg_get_expr(i.indpred, i.indrelid) = '(' || pg_catalog.quote_ident(?) || ' IS NULL)'
            order by i.indisvalid desc, ic.relname""";

    private final DatabaseHandle db;
    private final Target target;

    PostgresNullProbe(DatabaseHandle db, Target target) {
        this.db = db;
        this.target = target;
    }

    private String subject() {
        return target.cutover().subject();
    }

    @Override
    public long count() {
        return Sql.inTransaction(db.dataSource(), db.settings().probeTimeout(), "count NULL rows of " + subject(), dsl -> {
            if (catalogShowsValidatedNotNull(dsl)) {
                return 0L;
            }
            warnOnceWithoutIndex(dsl);
            return dsl.selectCount().from(target.table()).where(target.column().isNull()).fetchOne(0, Long.class);
        });
    }

    @Override
    public boolean exists() {
        return Sql.inTransaction(db.dataSource(), db.settings().probeTimeout(), "look for NULL rows of " + subject(),
                dsl -> !catalogShowsValidatedNotNull(dsl)
                        && dsl.fetchExists(DSL.selectOne().from(target.table()).where(target.column().isNull())));
    }

    @Override
    public List<NullRow> sample(int limit) {
        if (limit < 1 || limit > MAX_SAMPLE) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_SAMPLE + ", but was " + limit);
        }
        List<String> shown = target.shownColumns();
        List<Field<Object>> fields = shown.stream().map(target::field).toList();
        List<SortField<Object>> order = new ArrayList<>();
        target.cutover().newestFirstBy().ifPresent(c -> order.add(target.field(c).desc().nullsLast()));
        target.keyFields().forEach(k -> order.add(k.desc()));
        return Sql.inTransaction(db.dataSource(), db.settings().probeTimeout(), "sample NULL rows of " + subject(), dsl -> {
            List<NullRow> rows = new ArrayList<>();
            for (Record r : dsl.select(fields).from(target.table()).where(target.column().isNull())
                    .orderBy(order).limit(limit).fetch()) {
                rows.add(toRow(r, shown));
            }
            return rows;
        });
    }

    private NullRow toRow(Record r, List<String> shown) {
        Map<String, Object> key = new LinkedHashMap<>();
        Map<String, Object> columns = new LinkedHashMap<>();
        Set<String> sensitive = target.cutover().sensitive();
        for (int i = 0; i < shown.size(); i++) {
            String name = shown.get(i);
            Object value = Values.readable(r.get(i));
            Object visible = sensitive.contains(name) ? Masking.mask(value) : value;
            if (target.keyColumns().contains(name)) {
                key.put(name, visible);
            }
            if (target.inspectColumns().contains(name)) {
                columns.put(name, visible);
            }
        }
        return new NullRow(key, columns);
    }

    @Override
    public Optional<String> nullIndex() {
        return Sql.inTransaction(db.dataSource(), db.settings().probeTimeout(), "look for the NULL index of " + subject(),
                this::validNullIndex);
    }

    private Optional<String> validNullIndex(DSLContext dsl) {
        return dsl.fetch(NULL_INDEX, target.cutover().schema(), target.cutover().table(), target.cutover().column()).stream()
                .filter(r -> r.get("valid", Boolean.class))
                .map(r -> r.get("name", String.class))
                .findFirst();
    }

    @Override
    public String createNullIndex() {
        return createNullIndex(Duration.ofHours(1));
    }

    @Override
    public String createNullIndex(Duration timeout) {
        String name = indexName();
        // CREATE INDEX CONCURRENTLY refuses a transaction: the timeout is set for the session and set back after.
        return Sql.autocommit(db.dataSource(), Sql.Timeouts.statement(timeout), "create the NULL index of " + subject(), dsl -> {
            Optional<String> existing = validNullIndex(dsl);
            if (existing.isPresent()) {
                return existing.get();
            }
            // An interrupted CREATE INDEX CONCURRENTLY leaves an invalid index behind; IF NOT EXISTS would keep it.
            dsl.query("drop index concurrently if exists {0}", DSL.name(target.cutover().schema(), name)).execute();
            dsl.query("create index concurrently if not exists {0} on {1} ({2}) where {3} is null",
                    DSL.name(name), target.tableName(),
                    DSL.list(target.keyColumns().stream().map(DSL::name).toList()),
                    DSL.name(target.cutover().column())).execute();
            LOG.atInfo().addKeyValue("target", subject()).addKeyValue("index", name)
                    .log("Created partial index {} on {} WHERE {} IS NULL", name, target.cutover().qualifiedTable(),
                            Identifiers.display(target.cutover().column()));
            return name;
        });
    }

    /** {@code cutover_<table>_<column>_null}, shortened with a hash when it would pass 63 bytes. */
    String indexName() {
        return Identifiers.fit("cutover_" + target.cutover().table() + "_" + target.cutover().column() + "_null");
    }

    private boolean catalogShowsValidatedNotNull(DSLContext dsl) {
        Record r = dsl.fetchOne(VALIDATED_NOT_NULL, target.cutover().schema(), target.cutover().table(), target.cutover().column());
        return r != null && Boolean.TRUE.equals(r.get(0, Boolean.class));
    }

    private void warnOnceWithoutIndex(DSLContext dsl) {
        if (WARNED.contains(subject())) {
            return;
        }
        long rows = Catalog.table(dsl, target.cutover().schema(), target.cutover().table())
                .map(Catalog.TableInfo::estimatedRows).orElse(0L);
        if (rows >= BIG_TABLE_ROWS && validNullIndex(dsl).isEmpty() && WARNED.add(subject())) {
            LOG.atWarn().addKeyValue("target", subject()).addKeyValue("estimatedRows", rows)
                    .log("Counting NULLs of {} scans about {} rows: create the partial index with NullProbe.createNullIndex() "
                            + "(CREATE INDEX CONCURRENTLY ... WHERE {} IS NULL) so monitoring stays cheap",
                            subject(), rows, Identifiers.display(target.cutover().column()));
        }
    }
}
