package dev.cutover.core.migrate;
import dev.cutover.core.internal.Sql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.Record;

/** Who holds locks on a table: {@code pg_locks} joined to {@code pg_stat_activity}, other backends only. */
final class TableLocks {

    static final int QUERY_CHARS = 200;

    private static final String HOLDERS = """
            select a.pid::int as pid, coalesce(a.application_name, '') as application_name, coalesce(a.state, '') as state,
                   coalesce(a.query, '') as query,
                   greatest(0, (extract(epoch from clock_timestamp()
                       - coalesce(a.xact_start, a.query_start, a.backend_start)) * 1000))::bigint as held_ms,
                   string_agg(distinct l.mode, ', ' order by l.mode) as modes
            from pg_catalog.pg_locks l
            join pg_catalog.pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'relation' and l.granted
              and l.database = (select d.oid from pg_catalog.pg_database d where d.datname = current_database())
              and l.relation = any(string_to_array(?, ',')::oid[])
              and l.mode = any(string_to_array(?, ','))
              and l.pid <> pg_backend_pid()
            group by a.pid, a.application_name, a.state, a.query, a.xact_start, a.query_start, a.backend_start
            order by held_ms desc, a.pid""";

    private TableLocks() {
    }

    /** Backends holding one of {@code modes} on one of the tables, longest first. */
    static List<Blocker> holders(DSLContext dsl, Collection<Long> tableOids, Collection<String> modes) {
        String oids = tableOids.stream().map(String::valueOf).collect(Collectors.joining(","));
        String modeList = String.join(",", modes);
        List<Blocker> blockers = new ArrayList<>();
        for (Record r : dsl.fetch(HOLDERS, oids, modeList)) {
            blockers.add(new Blocker(r.get("pid", Integer.class), r.get("application_name", String.class),
                    r.get("state", String.class), Duration.ofMillis(r.get("held_ms", Long.class)), r.get("modes", String.class),
                    shorten(r.get("query", String.class))));
        }
        return blockers;
    }

    /** Those of {@link #holders} whose transaction (or query) is older than {@code longerThan}. */
    static List<Blocker> longHolders(DSLContext dsl, Collection<Long> tableOids, Collection<String> modes, Duration longerThan) {
        return holders(dsl, tableOids, modes).stream().filter(b -> b.heldFor().compareTo(longerThan) > 0).toList();
    }

    /** One line, at most 200 characters. */
    static String shorten(String query) {
        String line = query.strip().replaceAll("\\s+", " ");
        return line.length() <= QUERY_CHARS ? line : line.substring(0, QUERY_CHARS - 3) + "...";
    }
}
