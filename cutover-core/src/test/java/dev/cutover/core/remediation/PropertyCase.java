package dev.cutover.core.remediation;

import dev.cutover.core.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * One random case of {@link RemediationPropertyTest}: table {@code t} in a schema of its own,
 * its key, the column's type, where the NULLs are, the policy, and whether the application
 * writes while the run goes on. Everything follows from the seed.
 */
final class PropertyCase {

    enum KeyType { BIGINT, UUID, TEXT, COMPOSITE }

    enum Nulls { DENSE, SPARSE, TAIL, SOME_PARTITIONS }

    enum Policy { CONSTANT, LOOKUP, LAMBDA, LOOKUP_THEN_CONSTANT }

    /** Text values that break SQL written by hand: quotes, backslashes, dollar quotes, comments. */
    static final List<String> TEXT_VALUES = List.of("it's", "back\\slash", "\\'); update t set val = 'x'; --", "$$dollar$$",
            "two''quotes", "E'\\x41'", "semi;colon -- not a comment", "ünïcødé \"quoted\"");
    static final List<String> BIGINT_VALUES = List.of("1", "22", "333", "-4", "9000000000", "6", "7", "8");
    /** Groups 0..5; the lookup table knows 0..4, the lambda skips 3. */
    static final int GROUPS = 6;

    final long seed;
    final String schema;
    final KeyType keyType;
    final boolean textColumn;
    final boolean partitioned;
    final Nulls nulls;
    final Policy policy;
    final boolean lambdaThrows;
    final boolean traffic;
    final boolean standardStringsOff;
    final int rows;
    final int batchSize;
    final int constantIndex;
    final int lookupOffset;
    /** What happens to the run after its first batch; drawn apart so that the other draws stay as they were for a seed. */
    final Fault fault;
    private final SplittableRandom random;
    final List<Object[]> keys = new ArrayList<>();
    private TestDatabase database;

    private PropertyCase(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.schema = "prop_" + Long.toUnsignedString(seed);
        this.keyType = KeyType.values()[random.nextInt(KeyType.values().length)];
        this.textColumn = random.nextBoolean();
        this.partitioned = (keyType == KeyType.BIGINT || keyType == KeyType.COMPOSITE) && random.nextBoolean();
        this.nulls = Nulls.values()[random.nextInt(Nulls.values().length)];
        this.policy = Policy.values()[random.nextInt(Policy.values().length)];
        this.lambdaThrows = policy == Policy.LAMBDA && random.nextInt(3) == 0;
        this.traffic = random.nextInt(5) < 3;
        this.rows = 300 + random.nextInt(1_300);
        this.batchSize = List.of(3, 17, 100, 1_000).get(random.nextInt(4));
        this.constantIndex = random.nextInt(TEXT_VALUES.size());
        this.lookupOffset = random.nextInt(TEXT_VALUES.size());
        this.standardStringsOff = textColumn && random.nextBoolean();
        this.fault = Fault.values()[new SplittableRandom(seed ^ 0x5DEECE66DL).nextInt(Fault.values().length)];
    }

    /** A fault the run meets after its first batch. */
    enum Fault {
        NONE,
        /** Its connection is terminated ({@code pg_terminate_backend}) between batches. */
        TERMINATED_BACKEND,
        /** It is cancelled, then resumed by its run id. */
        CANCELLED_AND_RESUMED,
        /** It is paused, then resumed through its handle. */
        PAUSED_AND_RESUMED
    }

    static PropertyCase random(long seed) {
        return new PropertyCase(seed);
    }

    // ---------------------------------------------------------------- values and policies

    List<String> values() {
        return textColumn ? TEXT_VALUES : BIGINT_VALUES;
    }

    String sqlType() {
        return textColumn ? "text" : "bigint";
    }

    Object typed(String text) {
        return textColumn ? text : (Object) Long.parseLong(text);
    }

    String constantValue() {
        return values().get(constantIndex);
    }

    /** The lookup table's value for a group, or null when the table has no row for it. */
    String lookupValue(int grp) {
        return grp <= 4 ? values().get((grp + lookupOffset) % values().size()) : null;
    }

    String lambdaValue(int grp) {
        return values().get((grp * 3 + 1) % values().size());
    }

    /** What the policy gives a row with these values: a value as text, {@code null} for skip. */
    String expected(int grp, boolean poison) {
        return switch (policy) {
            case CONSTANT -> constantValue();
            case LOOKUP -> lookupValue(grp);
            case LOOKUP_THEN_CONSTANT -> lookupValue(grp) != null ? lookupValue(grp) : constantValue();
            case LAMBDA -> grp == 3 || (poison && lambdaThrows) ? null : lambdaValue(grp);
        };
    }

    RemediationPolicy policy() {
        RemediationPolicy lookup = RemediationPolicies.lookup("select v from " + schema + ".grp_value where grp = :grp");
        RemediationPolicy constant = RemediationPolicies.constant(typed(constantValue()));
        return switch (policy) {
            case CONSTANT -> constant;
            case LOOKUP -> lookup;
            case LOOKUP_THEN_CONSTANT -> RemediationPolicies.firstOf(lookup, constant);
            case LAMBDA -> RemediationPolicies.named("by group", row -> {
                int grp = ((Number) row.value("grp")).intValue();
                if (grp == 3) {
                    return RemediationDecision.skip("group three waits");
                }
                if (lambdaThrows && Boolean.TRUE.equals(row.value("poison"))) {
                    throw new IllegalStateException("this row cannot be decided");
                }
                return RemediationDecision.assign(typed(lambdaValue(grp)));
            });
        };
    }

    // ---------------------------------------------------------------- the table

    String keyColumns() {
        return keyType == KeyType.COMPOSITE ? "tenant, code" : "id";
    }

    String keyWhere() {
        return keyType == KeyType.COMPOSITE ? "tenant = ? and code = ?" : "id = ?";
    }

    /** The key as the audit and the journal reading show it. */
    String keyText(String row) {
        return keyType == KeyType.COMPOSITE ? row + ".tenant::text || '|' || " + row + ".code" : row + ".id::text";
    }

    String journalKeyText() {
        return keyType == KeyType.COMPOSITE ? "(key->>'tenant') || '|' || (key->>'code')" : "key->>'id'";
    }

    Object[] key(int i) {
        return switch (keyType) {
            case BIGINT -> new Object[] {(long) i};
            case UUID -> new Object[] {new UUID(random.nextLong(), random.nextLong())};
            case TEXT -> new Object[] {"r'" + i + "\\x"};
            case COMPOSITE -> new Object[] {i % 4, "c" + i};
        };
    }

    /** A key no initial row has, for rows the application inserts. */
    Object[] newKey(int n, SplittableRandom r) {
        return switch (keyType) {
            case BIGINT -> new Object[] {1_000_000L + n};
            case UUID -> new Object[] {new UUID(r.nextLong(), r.nextLong())};
            case TEXT -> new Object[] {"new'" + n};
            case COMPOSITE -> new Object[] {n % 4, "new" + n};
        };
    }

    int bind(PreparedStatement ps, int from, Object[] key) throws SQLException {
        for (Object k : key) {
            ps.setObject(from++, k);
        }
        return from;
    }

    private boolean nullAt(int i) {
        return switch (nulls) {
            case DENSE -> random.nextInt(10) < 7;
            case SPARSE -> random.nextInt(100) < 3 || i == rows / 2;
            case TAIL -> i > rows * 4 / 5;
            case SOME_PARTITIONS -> keyType == KeyType.COMPOSITE && partitioned ? i % 4 == 1 : i > rows / 3 && i <= rows * 2 / 3;
        };
    }

    void create(TestDatabase db) throws SQLException {
        this.database = db;
        String keyDdl = switch (keyType) {
            case BIGINT -> "id bigint not null";
            case UUID -> "id uuid not null";
            case TEXT -> "id text not null";
            case COMPOSITE -> "tenant int not null, code text not null";
        };
        String partitioning = !partitioned ? "" : keyType == KeyType.BIGINT ? " partition by range (id)" : " partition by list (tenant)";
        StringBuilder ddl = new StringBuilder("create schema " + schema + ";\n")
                .append("create table ").append(schema).append(".t (").append(keyDdl)
                .append(", grp int not null, poison boolean not null default false, payload text, val ").append(sqlType())
                .append(", primary key (").append(keyColumns()).append("))").append(partitioning).append(";\n");
        if (partitioned && keyType == KeyType.BIGINT) {
            ddl.append("create table ").append(schema).append(".t1 partition of ").append(schema)
                    .append(".t for values from (minvalue) to (").append(rows / 3 + 1).append(");\n")
                    .append("create table ").append(schema).append(".t2 partition of ").append(schema)
                    .append(".t for values from (").append(rows / 3 + 1).append(") to (").append(rows * 2 / 3 + 1).append(");\n")
                    .append("create table ").append(schema).append(".t3 partition of ").append(schema)
                    .append(".t for values from (").append(rows * 2 / 3 + 1).append(") to (maxvalue);\n");
        } else if (partitioned) {
            ddl.append("create table ").append(schema).append(".t0 partition of ").append(schema).append(".t for values in (0);\n")
                    .append("create table ").append(schema).append(".t1 partition of ").append(schema).append(".t for values in (1);\n")
                    .append("create table ").append(schema).append(".t23 partition of ").append(schema)
                    .append(".t for values in (2, 3);\n");
        }
        ddl.append("create table ").append(schema).append(".grp_value (grp int primary key, v ").append(sqlType()).append(");\n");
        db.execute(ddl.toString());
        fill();
        db.execute(auditDdl());
    }

    private void fill() throws SQLException {
        List<Integer> nullRows = new ArrayList<>();
        try (Connection c = database.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("insert into " + schema + ".t (" + keyColumns()
                    + ", grp, payload, val) values (" + (keyType == KeyType.COMPOSITE ? "?, ?" : "?") + ", ?, ?, ?)")) {
                for (int i = 1; i <= rows; i++) {
                    Object[] key = key(i);
                    keys.add(key);
                    int p = bind(ps, 1, key);
                    ps.setInt(p++, i % GROUPS);
                    ps.setString(p++, "payload " + i);
                    boolean isNull = nullAt(i);
                    if (isNull) {
                        nullRows.add(i);
                    }
                    ps.setObject(p, isNull ? null : typed(values().get(i % values().size())),
                            textColumn ? java.sql.Types.VARCHAR : java.sql.Types.BIGINT);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("insert into " + schema + ".grp_value values (?, ?)")) {
                for (int grp = 0; grp < GROUPS; grp++) {
                    if (lookupValue(grp) != null) {
                        ps.setInt(1, grp);
                        ps.setObject(2, typed(lookupValue(grp)));
                        ps.addBatch();
                    }
                }
                ps.executeBatch();
            }
            if (lambdaThrows && !nullRows.isEmpty()) {
                Object[] poisoned = keys.get(nullRows.get(random.nextInt(nullRows.size())) - 1);
                try (PreparedStatement ps = c.prepareStatement("update " + schema + ".t set poison = true, grp = 1 where " + keyWhere())) {
                    bind(ps, 1, poisoned);
                    ps.executeUpdate();
                }
            }
            c.commit();
        }
    }

    /** Every row change from now on, with who made it: {@code actor} is set by the application's connection only. */
    private String auditDdl() {
        return """
                create table {s}.audit (seq bigserial primary key, actor text, op text not null, k text not null,
                  old_val text, new_val text, old_grp int, new_grp int, old_payload text, new_payload text,
                  old_poison boolean, new_poison boolean);
                create function {s}.audit_row() returns trigger language plpgsql as $fn$
                begin
                  if tg_op = 'INSERT' then
                    insert into {s}.audit (actor, op, k, new_val, new_grp, new_payload, new_poison)
                    values (nullif(current_setting('proptest.actor', true), ''), tg_op, {newKey}, new.val::text, new.grp,
                            new.payload, new.poison);
                  elsif tg_op = 'UPDATE' then
                    insert into {s}.audit (actor, op, k, old_val, new_val, old_grp, new_grp, old_payload, new_payload,
                                           old_poison, new_poison)
                    values (nullif(current_setting('proptest.actor', true), ''), tg_op, {newKey}, old.val::text, new.val::text,
                            old.grp, new.grp, old.payload, new.payload, old.poison, new.poison);
                  else
                    insert into {s}.audit (actor, op, k, old_val, old_grp, old_payload, old_poison)
                    values (nullif(current_setting('proptest.actor', true), ''), tg_op, {oldKey}, old.val::text, old.grp,
                            old.payload, old.poison);
                  end if;
                  return null;
                end $fn$;
                create trigger audit_row after insert or update or delete on {s}.t
                for each row execute function {s}.audit_row();
                """.replace("{s}", schema).replace("{newKey}", keyText("new")).replace("{oldKey}", keyText("old"));
    }

    // ---------------------------------------------------------------- reading what happened

    long queryLong(String sql) {
        return database.queryLong(sql);
    }

    List<String> strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = database.dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** The first rows of a query that lists violations; {@code {s}} is the schema, {@code {end}} the audit position. */
    List<String> violations(String sql, long end) throws SQLException {
        return strings("select * from (" + sql.replace("{s}", schema).replace("{end}", Long.toString(end)).strip()
                + ") v limit 10");
    }

    /** {@code key=value} of every row the engine (no actor) changed in this audit range: the new value, or for undo the old one. */
    List<String> engineChanges(long after, long upTo) throws SQLException {
        return strings("select k || '=' || coalesce(new_val, old_val) from " + schema + ".audit where actor is null and seq > "
                + after + " and seq <= " + upTo);
    }

    /** {@code key=value} of the run's changes that nothing changed since. */
    List<String> unchangedSince(long runEnd) throws SQLException {
        return strings("select a.k || '=' || a.new_val from " + schema + ".audit a where a.actor is null and a.seq <= " + runEnd
                + " and not exists (select 1 from " + schema + ".audit b where b.k = a.k and b.seq > a.seq)");
    }

    /** Changes of the run that do not match what the policy gives the row's values at the moment of the UPDATE. */
    List<String> wrongDecisions(long runEnd) throws SQLException {
        List<String> wrong = new ArrayList<>();
        try (Connection c = database.dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select k, new_val, old_grp, old_poison from " + schema
                     + ".audit where actor is null and op = 'UPDATE' and new_val is not null and seq <= " + runEnd)) {
            while (rs.next() && wrong.size() < 10) {
                String want = expected(rs.getInt(3), rs.getBoolean(4));
                if (!rs.getString(2).equals(want)) {
                    wrong.add(rs.getString(1) + " got " + rs.getString(2) + ", its group " + rs.getInt(3) + " gives "
                            + (want == null ? "skip" : want));
                }
            }
        }
        return wrong;
    }

    /** NULL rows the policy would assign: a run without concurrent writes must leave none. */
    List<String> assignableLeftNull() throws SQLException {
        List<String> left = new ArrayList<>();
        try (Connection c = database.dataSource().getConnection();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select " + keyText("t") + ", grp, poison from " + schema + ".t where val is null")) {
            while (rs.next() && left.size() < 10) {
                if (expected(rs.getInt(2), rs.getBoolean(3)) != null) {
                    left.add(rs.getString(1));
                }
            }
        }
        return left;
    }

    List<UUID> journalRuns() throws SQLException {
        if (queryLong("select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = '"
                + schema + "' and c.relname = 'cutover_journal'") == 0) {
            return List.of();
        }
        return strings("select distinct run_id::text from " + schema + ".cutover_journal").stream().map(UUID::fromString).toList();
    }

    /** {@code key=value} per journal row of this action: the new value for assign, the old for undo. */
    List<String> journalEntries(UUID runId, String action) throws SQLException {
        return strings("select " + journalKeyText() + " || '=' || coalesce(" + ("assign".equals(action) ? "new_value" : "old_value")
                + ", 'NULL') from " + schema + ".cutover_journal where run_id = '" + runId + "' and action = '" + action + "'");
    }

    @Override
    public String toString() {
        return "key " + keyType + ", column " + sqlType() + (partitioned ? ", partitioned" : "") + ", NULLs " + nulls
                + ", policy " + policy + (lambdaThrows ? " throwing for one row" : "") + ", " + rows + " rows, batch " + batchSize
                + (traffic ? ", with application traffic" : "") + (standardStringsOff ? ", standard_conforming_strings off" : "")
                + (fault == Fault.NONE ? "" : ", " + fault.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    }
}
