package dev.cutover.core.remediation;

import dev.cutover.core.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The application writing to a {@link PropertyCase}'s table while a run goes on, for part of
 * the run: sets the column, sets it again to the value it holds, changes an inspected column and
 * another column, deletes rows and inserts new NULL rows. Each statement commits on its own. Its
 * connection marks its changes ({@code proptest.actor = 'app'}) for the case's audit trigger.
 */
final class ApplicationTraffic {

    /** Lock timeout, statement timeout, deadlock: the statement is dropped and the application goes on. */
    private static final Set<String> WAITED_TOO_LONG = Set.of("55P03", "57014", "40P01");

    private ApplicationTraffic() {
    }

    /** Runs until {@code runOver} or a number of statements drawn from the case's seed; returns the statements run. */
    static int run(PropertyCase c, TestDatabase database, AtomicBoolean runOver) {
        SplittableRandom random = new SplittableRandom(~c.seed);
        int budget = 50 + random.nextInt(400);
        List<Object[]> keys = new ArrayList<>(c.keys);
        int done = 0;
        try (Connection conn = database.dataSource().getConnection()) {
            try (Statement s = conn.createStatement()) {
                s.execute("set proptest.actor = 'app'; set lock_timeout = '30s'; set statement_timeout = '60s'");
            }
            while (!runOver.get() && done < budget) {
                try {
                    Object[] inserted = step(conn, c, random, keys, done);
                    if (inserted != null) {
                        keys.add(inserted);
                    }
                } catch (SQLException e) {
                    if (!WAITED_TOO_LONG.contains(e.getSQLState())) {
                        throw e;
                    }
                }
                done++;
                Thread.sleep(random.nextInt(3));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("application traffic failed after " + done + " statements", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return done;
    }

    /** One statement of the application; returns the key of a row it inserted, else {@code null}. */
    private static Object[] step(Connection conn, PropertyCase c, SplittableRandom random, List<Object[]> keys, int done)
            throws SQLException {
        String table = c.schema + ".t";
        int op = random.nextInt(100);
        Object[] key = keys.get(random.nextInt(keys.size()));
        if (op < 30) {
            update(conn, c, "update " + table + " set val = ? where " + c.keyWhere(), key,
                    c.typed(c.values().get(random.nextInt(c.values().size()))));
        } else if (op < 40) {
            update(conn, c, "update " + table + " set val = val where val is not null and " + c.keyWhere(), key, null);
        } else if (op < 55) {
            update(conn, c, "update " + table + " set grp = ? where " + c.keyWhere(), key,
                    random.nextInt(PropertyCase.GROUPS));
        } else if (op < 70) {
            update(conn, c, "update " + table + " set payload = ? where " + c.keyWhere(), key, "changed " + done);
        } else if (op < 82) {
            update(conn, c, "delete from " + table + " where " + c.keyWhere(), key, null);
        } else {
            Object[] fresh = c.newKey(done, random);
            try (PreparedStatement ps = conn.prepareStatement("insert into " + table + " (" + c.keyColumns()
                    + ", grp, payload) values (" + (fresh.length == 2 ? "?, ?" : "?") + ", ?, ?)")) {
                int p = c.bind(ps, 1, fresh);
                ps.setInt(p++, random.nextInt(PropertyCase.GROUPS));
                ps.setString(p, "inserted " + done);
                ps.executeUpdate();
            }
            return fresh;
        }
        return null;
    }

    /** {@code value} first when given, then the key. */
    private static void update(Connection conn, PropertyCase c, String sql, Object[] key, Object value) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            int p = 1;
            if (value != null) {
                ps.setObject(p++, value);
            }
            c.bind(ps, p, key);
            ps.executeUpdate();
        }
    }
}
