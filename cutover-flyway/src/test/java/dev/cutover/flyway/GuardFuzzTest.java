package dev.cutover.flyway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A seeded, randomized search for ways past the callback: generated migrations (versions as
 * numbers, with leading zeros and with dots; matched by version or script name), generated
 * histories (several runs, {@code target}, {@code outOfOrder}, {@code baselineOnMigrate},
 * {@code repair}, {@code group}, {@code mixed}, {@code executeInTransaction=false}, repeatable
 * migrations, placeholders, one or two cutovers in one project), and the callback given by the
 * API, by properties or by Flyway's own {@code flyway.callbacks}; real Flyway on real
 * PostgreSQL, one schema per case.
 *
 * <p>The invariant, checked on the schema history after every case: a migration that takes a
 * validated NOT NULL (or its foreign key) away again never ends as a successful row unless an
 * incident override is configured and {@code cutover_audit} names the migration; and the
 * cutover migration never ends as a successful row from a run that started with NULL rows.
 *
 * <p>{@code -Dcutover.flyguard.cases=N} (default 30) runs more cases, {@code
 * -Dcutover.flyguard.seed=S} replays the cases of a seed, {@code -Dcutover.flyguard.case=I}
 * only case I of it. The seed is printed first, a failure names the seed and each broken case.
 */
class GuardFuzzTest {

    private static final long SEED = Long.getLong("cutover.flyguard.seed", new SecureRandom().nextLong());
    private static final int CASES = Integer.getInteger("cutover.flyguard.cases", 30);
    private static final Integer ONLY = Integer.getInteger("cutover.flyguard.case");

    private static TestDatabase db;
    private static Path root;

    @BeforeAll
    static void database() throws IOException {
        db = TestDatabase.create();
        root = Files.createTempDirectory("cutover-flyguard");
    }

    @AfterAll
    static void drop() throws IOException {
        if (db != null) {
            db.close();
        }
        if (root != null) {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void noMigrationTakesTheNotNullAwayUnaudited() {
        System.out.println("GuardFuzzTest seed " + SEED + " (replay: -Dcutover.flyguard.seed=" + SEED + "), " + CASES + " cases");
        Random seeds = new Random(SEED);
        List<String> broken = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            long caseSeed = seeds.nextLong();
            if (ONLY != null && ONLY != i) {
                continue;
            }
            Case c = Case.generate(i, new Random(caseSeed));
            try {
                List<String> violations = c.run();
                if (!violations.isEmpty()) {
                    broken.add("case " + i + " (-Dcutover.flyguard.seed=" + SEED + " -Dcutover.flyguard.case=" + i + "): "
                            + String.join("; ", violations) + "\n" + c.describe());
                }
            } catch (RuntimeException | SQLException | IOException e) {
                throw new AssertionError("case " + i + " of seed " + SEED + " could not run: " + e + "\n" + c.describe(), e);
            }
        }
        assertThat(broken).as("seed " + SEED).isEmpty();
    }

    /** What a generated migration does. */
    enum Kind {
        BASE, DATA, NULLS, CUTOVER, HARMLESS, DROP_NOT_NULL, DROP_FK;

        boolean takesAway() {
            return this == DROP_NOT_NULL || this == DROP_FK;
        }
    }

    /** One migration file: version {@code null} for a repeatable one. */
    record Migration(Kind kind, String version, String file, String sql, boolean nonTransactional, int target) {
    }

    /** One cutover of the project: the table, its column and the foreign key. */
    record Target(String table, String column, String fk, String version, String script) {

        String quotedTable() {
            return "\"" + table + "\"";
        }

        NotNullCutover cutover(String schema) {
            return NotNullCutover.builder(table, column).schema(schema).references("organizations", "id")
                    .onDelete(ReferentialAction.RESTRICT).foreignKey(fk).build();
        }
    }

    /** A generated project, its history of Flyway runs and how the callback is given. */
    static final class Case {
        private final int index;
        private final Random random;
        private final String schema;
        private final Path dir;
        private final List<Target> targets = new ArrayList<>();
        private final List<Migration> migrations = new ArrayList<>();
        private final List<String> log = new ArrayList<>();
        private final Map<String, String> placeholders = new LinkedHashMap<>();
        private String scheme;
        private String provision;
        private boolean override;
        private boolean baseline;
        private boolean byScript;

        private Case(int index, Random random) {
            this.index = index;
            this.random = random;
            this.schema = "fz" + index;
            this.dir = root.resolve("case" + index);
        }

        static Case generate(int index, Random random) {
            Case c = new Case(index, random);
            c.plan();
            return c;
        }

        private void plan() {
            scheme = pick("int", "zeros", "dots");
            byScript = random.nextInt(4) == 0;
            provision = pick("api", "api", "properties", "flyway.callbacks");
            override = random.nextInt(5) == 0;
            baseline = random.nextInt(6) == 0;
            boolean two = !"flyway.callbacks".equals(provision) && random.nextInt(3) == 0;
            add(Kind.BASE, 10, 0, false, """
                    create table organizations (id bigint generated by default as identity primary key, name text);
                    create table "user" (id bigint generated by default as identity primary key, organization_id bigint);
                    create table "team" (id bigint generated by default as identity primary key, org_id bigint);
                    """);
            add(Kind.DATA, 20, 0, false, """
                    insert into organizations (name) values ('a'), ('b');
                    insert into "user" (organization_id) select 1 + i % 2 from generate_series(1, 20) i;
                    insert into "team" (org_id) values (1), (2);
                    """);
            if (random.nextInt(4) == 0) {
                add(Kind.NULLS, 25, 0, random.nextBoolean(), "insert into \"user\" (organization_id) values (null);\n");
            }
            targets.add(new Target("user", "organization_id", "user_org_fk", null, null));
            if (two) {
                targets.add(new Target("team", "org_id", "team_org_fk", null, null));
            }
            for (int k = 0; k < targets.size(); k++) {
                Target t = targets.get(k);
                Migration m = add(Kind.CUTOVER, 30 + 10 * k, k, random.nextInt(3) == 0, "ALTER TABLE " + t.quotedTable()
                        + " ALTER COLUMN " + t.column() + " SET NOT NULL;\nALTER TABLE " + t.quotedTable() + " ADD CONSTRAINT "
                        + t.fk() + " FOREIGN KEY (" + t.column() + ") REFERENCES organizations (id) ON DELETE RESTRICT;\n");
                targets.set(k, new Target(t.table(), t.column(), t.fk(), configuredVersion(m.version()), m.file()));
            }
            int later = 1 + random.nextInt(3);
            for (int j = 0; j < later; j++) {
                laterMigration(60 + 10 * j);
            }
        }

        private void laterMigration(int slot) {
            int k = random.nextInt(targets.size());
            int roll = random.nextInt(10);
            if (roll < 3) {
                add(Kind.HARMLESS, slot, k, random.nextBoolean(), "create table later_" + slot + " (id int);\n");
            } else if (roll < 7) {
                add(Kind.DROP_NOT_NULL, slot, k, random.nextBoolean(), dropNotNull(targets.get(k)));
            } else {
                add(Kind.DROP_FK, slot, k, random.nextBoolean(), dropForeignKey(targets.get(k)));
            }
        }

        private String dropNotNull(Target t) {
            return switch (random.nextInt(7)) {
                case 0 -> "ALTER TABLE " + t.quotedTable() + " ALTER COLUMN " + t.column() + " DROP NOT NULL;\n";
                case 1 -> "alter table " + schema + "." + t.quotedTable() + " alter " + t.column() + " drop not null;\n";
                case 2 -> "ALTER TABLE ONLY " + t.quotedTable() + " ADD COLUMN extra_" + random.nextInt(1000)
                        + " int, ALTER COLUMN \"" + t.column() + "\" DROP NOT NULL;\n";
                case 3 -> {
                    placeholders.put("tbl" + t.table(), t.quotedTable());
                    placeholders.put("col" + t.table(), t.column());
                    yield "ALTER TABLE ${tbl" + t.table() + "} ALTER COLUMN ${col" + t.table() + "} DROP NOT NULL;\n";
                }
                case 4 -> "DO $$ BEGIN ALTER TABLE " + t.quotedTable() + " ALTER COLUMN " + t.column() + " DROP NOT NULL; END $$;\n";
                case 5 -> "DO $body$ BEGIN EXECUTE 'ALTER TABLE " + t.quotedTable() + " ALTER COLUMN ' || '" + t.column()
                        + " DROP NOT NULL'; END $body$;\n";
                default -> "-- a comment: ALTER TABLE x ALTER COLUMN y SET NOT NULL;\nALTER TABLE IF EXISTS " + t.quotedTable()
                        + "\n  ALTER COLUMN " + t.column() + "\n  DROP NOT NULL;\n";
            };
        }

        private String dropForeignKey(Target t) {
            return switch (random.nextInt(4)) {
                case 0 -> "ALTER TABLE " + t.quotedTable() + " DROP CONSTRAINT " + t.fk() + ";\n";
                case 1 -> "ALTER TABLE organizations DROP CONSTRAINT organizations_pkey CASCADE;\n";
                case 2 -> "ALTER TABLE " + t.quotedTable() + " DROP CONSTRAINT " + t.fk() + ";\nALTER TABLE " + t.quotedTable()
                        + " ADD CONSTRAINT " + t.fk() + " FOREIGN KEY (" + t.column() + ") REFERENCES organizations (id) NOT VALID;\n";
                default -> "DROP TABLE organizations CASCADE;\n";
            };
        }

        private Migration add(Kind kind, int slot, int target, boolean nonTransactional, String sql) {
            String version = version(slot);
            String file = "V" + (random.nextInt(3) == 0 && "dots".equals(scheme) ? version : version.replace('.', '_')) + "__"
                    + kind.name().toLowerCase() + "_" + slot + ".sql";
            Migration m = new Migration(kind, version, file, sql, nonTransactional, target);
            migrations.add(m);
            return m;
        }

        private Migration repeatable(Kind kind, int target, boolean nonTransactional, String sql) {
            Migration m = new Migration(kind, null, "R__" + kind.name().toLowerCase() + "_" + migrations.size() + ".sql", sql,
                    nonTransactional, target);
            migrations.add(m);
            return m;
        }

        private String version(int slot) {
            return switch (scheme) {
                case "zeros" -> String.format("%03d", slot);
                case "dots" -> "1." + slot;
                default -> Integer.toString(slot);
            };
        }

        /** The version as configured: as written, or another spelling Flyway reads as the same version. */
        private String configuredVersion(String version) {
            if (random.nextBoolean()) {
                return version;
            }
            return switch (scheme) {
                case "zeros" -> Integer.toString(Integer.parseInt(version));
                case "int" -> "0" + version;
                default -> version.replace("1.", "01.");
            };
        }

        private String pick(String... options) {
            return options[random.nextInt(options.length)];
        }

        List<String> run() throws SQLException, IOException {
            db.execute("drop schema if exists " + schema + " cascade; create schema " + schema);
            Files.createDirectories(dir);
            List<Migration> first = new ArrayList<>(migrations);
            write(first);
            if (baseline) {
                existingDatabase();
            }
            List<String> violations = new ArrayList<>();
            migrate(violations, firstRun());
            if (random.nextBoolean() && exists("user")) {
                step("remediate the NULL rows");
                db.execute("update " + schema + ".\"user\" set organization_id = 1 where organization_id is null");
            }
            if (random.nextInt(3) == 0) {
                Migration extra = random.nextBoolean()
                        ? add(Kind.DROP_NOT_NULL, 35 + 10 * (targets.size() - 1), 0, random.nextBoolean(), dropNotNull(targets.get(0)))
                        : repeatable(Kind.DROP_NOT_NULL, 0, random.nextBoolean(), dropNotNull(targets.get(0)));
                write(List.of(extra));
                step("added " + extra.file() + " after the first run");
            }
            if (random.nextBoolean()) {
                repair();
            }
            migrate(violations, random.nextBoolean() ? Map.of("outOfOrder", "true") : Map.of());
            if (random.nextBoolean()) {
                repair();
                migrate(violations, Map.of("outOfOrder", Boolean.toString(random.nextBoolean())));
            }
            violations.addAll(takenAwayUnaudited());
            violations.addAll(committedAlthoughReadable());
            return violations;
        }

        private Map<String, String> firstRun() {
            Map<String, String> options = new LinkedHashMap<>();
            if (random.nextInt(4) == 0) {
                options.put("target", version(random.nextBoolean() ? 30 : 20));
            }
            if (random.nextInt(3) == 0) {
                options.put("group", "true");
            }
            if (random.nextInt(4) == 0) {
                options.put("mixed", "true");
            }
            if (random.nextInt(4) == 0) {
                options.put("validateOnMigrate", "false");
            }
            if (baseline) {
                options.put("baselineOnMigrate", "true");
                options.put("baselineVersion", version(30 + 10 * (targets.size() - 1)));
            }
            return options;
        }

        /** The tables as they would be after the cutover, made outside Flyway (for baselineOnMigrate). */
        private void existingDatabase() {
            step("existing database: tables with the NOT NULL and the foreign keys, no history");
            StringBuilder sql = new StringBuilder("set search_path = " + schema + ";\n");
            migrations.stream().filter(m -> m.kind() == Kind.BASE || m.kind() == Kind.DATA || m.kind() == Kind.CUTOVER)
                    .forEach(m -> sql.append(m.sql()));
            sql.append("reset search_path;");
            db.execute(sql.toString());
        }

        private void write(List<Migration> list) throws IOException {
            for (Migration m : list) {
                Files.writeString(dir.resolve(m.file()), m.sql());
                if (m.nonTransactional()) {
                    Files.writeString(dir.resolve(m.file() + ".conf"), "executeInTransaction=false\n");
                }
            }
        }

        private void repair() {
            step("repair");
            try {
                configure(Map.of()).load().repair();
            } catch (RuntimeException e) {
                step("  repair failed: " + firstLine(e));
            }
        }

        private void migrate(List<String> violations, Map<String, String> options) throws SQLException {
            Map<String, Long> nullsBefore = new LinkedHashMap<>();
            for (Target t : targets) {
                nullsBefore.put(t.table(), nulls(t));
            }
            int rankBefore = maxRank();
            step("migrate " + options);
            ClassLoader previous = Thread.currentThread().getContextClassLoader();
            try {
                FluentConfiguration flyway = configure(options);
                Thread.currentThread().setContextClassLoader(flyway.getClassLoader());
                flyway.load().migrate();
                step("  succeeded");
            } catch (RuntimeException e) {
                step("  failed: " + firstLine(e));
            } finally {
                Thread.currentThread().setContextClassLoader(previous);
            }
            for (Target t : targets) {
                for (HistoryRow row : history()) {
                    if (row.rank() > rankBefore && row.success() && t.script().equals(row.script()) && nullsBefore.get(t.table()) > 0) {
                        violations.add(row.script() + " applied by a run that started with " + nullsBefore.get(t.table())
                                + " NULL rows in " + t.table());
                    }
                }
            }
        }

        private FluentConfiguration configure(Map<String, String> options) {
            ClassLoader loader = GuardFuzzTest.class.getClassLoader();
            Map<String, String> conf = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : options.entrySet()) {
                conf.put("flyway." + e.getKey(), e.getValue());
            }
            FluentConfiguration flyway;
            if ("flyway.callbacks".equals(provision)) {
                loader = propertiesLoader();
                conf.put("flyway.callbacks", CutoverCallback.class.getName());
                flyway = Flyway.configure(loader);
            } else {
                flyway = Flyway.configure(loader);
            }
            flyway.configuration(conf).dataSource(db.dataSource()).schemas(schema).locations("filesystem:" + dir)
                    .placeholders(placeholders).cleanDisabled(true);
            if (!"flyway.callbacks".equals(provision)) {
                List<CutoverCallback> callbacks = new ArrayList<>();
                for (Target t : targets) {
                    callbacks.add("properties".equals(provision) ? CutoverCallback.fromProperties(properties(t)) : api(t));
                }
                flyway.callbacks(callbacks.toArray(new CutoverCallback[0]));
            }
            return flyway;
        }

        private CutoverCallback api(Target t) {
            CutoverCallback.Builder b = byScript ? CutoverCallback.forScript(t.script(), t.cutover(schema))
                    : CutoverCallback.forMigration(t.version(), t.cutover(schema));
            if (override) {
                b.incidentOverride("INC-" + index, "generated case " + index).actor("fuzz");
            }
            return b.build();
        }

        private Properties properties(Target t) {
            Properties p = new Properties();
            p.setProperty(byScript ? "cutover.migration.script" : "cutover.migration.version", byScript ? t.script() : t.version());
            p.setProperty("cutover.schema", schema);
            p.setProperty("cutover.table", t.table());
            p.setProperty("cutover.column", t.column());
            p.setProperty("cutover.references.table", "organizations");
            p.setProperty("cutover.references.column", "id");
            p.setProperty("cutover.foreign-key", t.fk());
            p.setProperty("cutover.on-delete", "RESTRICT");
            if (override) {
                p.setProperty("cutover.incident.id", "INC-" + index);
                p.setProperty("cutover.incident.reason", "generated case " + index);
            }
            return p;
        }

        /** A class loader whose {@code cutover.properties} describes this case's first cutover. */
        private ClassLoader propertiesLoader() {
            Path resources = dir.resolveSibling("case" + index + "-resources");
            try {
                Files.createDirectories(resources);
                try (var out = Files.newBufferedWriter(resources.resolve(CutoverCallback.PROPERTIES_RESOURCE))) {
                    properties(targets.get(0)).store(out, null);
                }
                return new URLClassLoader(new URL[] {resources.toUri().toURL()}, GuardFuzzTest.class.getClassLoader());
            } catch (MalformedURLException e) {
                throw new IllegalStateException(e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Successful rows of migrations that took a validated NOT NULL away after its cutover was applied, unaudited. */
        private List<String> takenAwayUnaudited() throws SQLException {
            List<String> violations = new ArrayList<>();
            List<HistoryRow> rows = history();
            for (HistoryRow row : rows) {
                Migration m = migrations.stream().filter(x -> x.file().equals(row.script())).findFirst().orElse(null);
                if (m == null || !m.kind().takesAway() || !row.success()) {
                    continue;
                }
                Target t = targets.get(m.target());
                boolean applied = rows.stream().anyMatch(r -> r.rank() < row.rank() && r.success()
                        && (t.script().equals(r.script()) || baseline && "BASELINE".equals(r.type())));
                if (applied && !(override && audited(row.script()))) {
                    violations.add(row.script() + " took the NOT NULL of " + t.table() + " away and is recorded as successful"
                            + (override ? " without an audit row" : " with no override configured"));
                }
            }
            return violations;
        }

        /**
         * Without an override, a validated NOT NULL (or foreign key) that is gone after its cutover was applied may only
         * have been taken by a non-transactional migration whose SQL hides it from a reader (dynamic SQL in a block):
         * every other one is refused before it runs.
         */
        private List<String> committedAlthoughReadable() throws SQLException {
            List<HistoryRow> rows = history();
            List<String> violations = new ArrayList<>();
            for (int k = 0; k < targets.size() && !override; k++) {
                Target t = targets.get(k);
                boolean applied = rows.stream().anyMatch(r -> r.success() && (t.script().equals(r.script())
                        || baseline && "BASELINE".equals(r.type())));
                String lost = applied ? new RollbackGuard(t.cutover(schema), null, schema).lostBy(db.cutoverDatabase()) : null;
                // Flyway on PostgreSQL records no row for a failed migration, so any such migration of the case may have run.
                boolean hidden = migrations.stream().anyMatch(m -> m.nonTransactional() && m.sql().contains("EXECUTE"));
                if (lost != null && !hidden) {
                    violations.add(t.table() + " lost its validated NOT NULL or foreign key (" + lost + ") to a migration the "
                            + "guard could read before it ran");
                }
            }
            return violations;
        }

        private boolean audited(String script) throws SQLException {
            try (Connection c = db.dataSource().getConnection();
                 PreparedStatement s = c.prepareStatement("select count(*) from pg_tables where schemaname = ? and tablename = ?")) {
                s.setString(1, schema);
                s.setString(2, "cutover_audit");
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return false;
                    }
                }
            }
            return db.queryLong("select count(*) from " + schema + ".cutover_audit where script = '" + script + "'") > 0;
        }

        record HistoryRow(int rank, String version, String script, boolean success, String type) {
        }

        private List<HistoryRow> history() throws SQLException {
            List<HistoryRow> rows = new ArrayList<>();
            if (!exists("flyway_schema_history")) {
                return rows;
            }
            try (Connection c = db.dataSource().getConnection();
                 PreparedStatement s = c.prepareStatement("select installed_rank, version, script, success, type from " + schema
                         + ".flyway_schema_history order by installed_rank");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(new HistoryRow(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getString(5)));
                }
            }
            return rows;
        }

        private int maxRank() throws SQLException {
            return history().stream().mapToInt(HistoryRow::rank).max().orElse(0);
        }

        private long nulls(Target t) throws SQLException {
            return exists(t.table()) && columnExists(t)
                    ? db.queryLong("select count(*) from " + schema + "." + t.quotedTable() + " where " + t.column() + " is null") : 0;
        }

        private boolean columnExists(Target t) {
            return db.queryLong("select count(*) from information_schema.columns where table_schema = '" + schema
                    + "' and table_name = '" + t.table() + "' and column_name = '" + t.column() + "'") > 0;
        }

        private boolean exists(String table) {
            return db.queryLong("select count(*) from pg_tables where schemaname = '" + schema + "' and tablename = '" + table + "'") > 0;
        }

        private void step(String what) {
            log.add(what);
        }

        private static String firstLine(Throwable e) {
            Throwable t = e;
            while (t.getCause() != null && !(t instanceof CutoverMigrationException)) {
                t = t.getCause();
            }
            String message = String.valueOf(t.getMessage()).strip();
            int nl = message.indexOf('\n');
            return t.getClass().getSimpleName() + ": " + (nl < 0 ? message : message.substring(0, nl));
        }

        String describe() {
            StringBuilder s = new StringBuilder("  scheme " + scheme + ", callback by " + provision + (byScript ? " (script)" : " (version)")
                    + ", override " + override + ", baseline " + baseline + ", targets " + targets + ", placeholders " + placeholders
                    + "\n");
            for (Migration m : migrations) {
                s.append("  ").append(m.file()).append(m.nonTransactional() ? " (executeInTransaction=false)" : "").append(": ")
                        .append(m.sql().strip().replace("\n", " ")).append('\n');
            }
            for (String step : log) {
                s.append("  > ").append(step).append('\n');
            }
            return s.toString();
        }
    }
}
