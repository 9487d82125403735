package dev.cutover.core.migrate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Record;

/**
 * Who holds locks on a table or on one of its partitions (all {@code pg_inherits} descendants):
 * {@code pg_locks} joined to {@code pg_stat_activity}, other backends only. A role that is not
 * superuser (nor {@code pg_read_all_stats}) sees other roles' sessions without their state,
 * query or start times: their age is then unknown, and their transaction id
 * ({@code virtualtransaction}, visible to all) lets the caller time them itself.
 */
final class TableLocks {

    static final int QUERY_CHARS = 200;

    private static final String HOLDERS = """
            with recursive tables(oid) as (
                select unnest(string_to_array(?, ',')::oid[])
                union
                select i.inhrelid from pg_catalog.pg_inherits i join tables t on i.inhparent = t.oid
            )
            select a.pid::int as pid, coalesce(a.application_name, '') as application_name, coalesce(a.state, '') as state,
                   coalesce(a.query, '') as query, min(l.virtualtransaction) as transaction,
                   (extract(epoch from clock_timestamp()
                       - coalesce(a.xact_start, a.query_start, a.backend_start)) * 1000)::bigint as held_ms,
                   string_agg(distinct l.mode, ', ' order by l.mode) as modes
            from pg_catalog.pg_locks l
            join pg_catalog.pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'relation' and l.granted
              and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = current_database())
              and l.relation in (select oid from tables)
              and l.mode = any(string_to_array(?, ','))
              and l.pid <> pg_backend_pid()
            group by a.pid, a.application_name, a.state, a.query, a.xact_start, a.query_start, a.backend_start
            order by held_ms desc nulls first, a.pid""";

    /** A backend holding a conflicting lock, with its transaction as {@code pg_locks} names it. */
    record Holder(Blocker blocker, String transaction) {
    }

    private TableLocks() {
    }

    /** Backends holding one of {@code modes} on one of the tables or their partitions, longest first, unknown ages first. */
    static List<Holder> holders(DSLContext dsl, Collection<Long> tableOids, Collection<String> modes) {
        String oids = tableOids.stream().map(String::valueOf).collect(Collectors.joining(","));
        String modeList = String.join(",", modes);
        List<Holder> holders = new ArrayList<>();
        for (Record r : dsl.fetch(HOLDERS, oids, modeList)) {
            Long held = r.get("held_ms", Long.class);
            Blocker blocker = new Blocker(r.get("pid", Integer.class), r.get("application_name", String.class),
                    r.get("state", String.class), Optional.ofNullable(held).map(Duration::ofMillis), r.get("modes", String.class),
                    shorten(QueryShape.of(r.get("query", String.class))));
            holders.add(new Holder(blocker, r.get("transaction", String.class)));
        }
        return holders;
    }

    /** One line, at most 200 characters. */
    static String shorten(String query) {
        String line = query.strip().replaceAll("\\s+", " ");
        return line.length() <= QUERY_CHARS ? line : line.substring(0, QUERY_CHARS - 3) + "...";
    }
}
