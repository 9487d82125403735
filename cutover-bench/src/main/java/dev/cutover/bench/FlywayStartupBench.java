package dev.cutover.bench;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.ReferentialAction;
import dev.cutover.core.migrate.NotNullMigration;
import dev.cutover.flyway.CutoverCallback;
import dev.cutover.runbook.RunbookSchema;
import dev.cutover.testkit.db.PostgresServers;
import dev.cutover.testkit.db.ScratchDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Start-up overhead of {@link CutoverCallback}: Flyway {@code configure().load().migrate()} on a
 * database that is already up to date (the cutover applied long ago), with and without the
 * callback, in the same run, interleaved so that drift hits both alike.
 *
 * <pre>{@code
 * mvn -B -q -pl cutover-bench -am package -DskipTests
 * java -cp cutover-bench/target/classes:$(cat cutover-bench/target/classpath.txt) \
 *     dev.cutover.bench.FlywayStartupBench --runs 500 --warmup 50 \
 *     --jdbc-url 'jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres'
 * }</pre>
 *
 * Options: {@code --runs} (measured runs per variant, default 300), {@code --warmup} (default 30),
 * {@code --migrations} (versioned migrations in the history, default 30, the cutover is V17),
 * {@code --users} (rows in {@code "user"}, default 100000), {@code --jdbc-url} (a server the
 * benchmark may create a scratch database on; default {@code CUTOVER_BENCH_JDBC_URL}, else the
 * local server). Prints a Markdown table.
 */
public final class FlywayStartupBench {

    static final String CUTOVER_VERSION = "17";

    private FlywayStartupBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = 300;
        int warmup = 30;
        int migrations = 30;
        long users = 100_000;
        int springRuns = 20;
        int springWarmup = 3;
        String url = System.getenv().getOrDefault("CUTOVER_BENCH_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(require(args[i], value));
                case "--warmup" -> warmup = Integer.parseInt(require(args[i], value));
                case "--migrations" -> migrations = Integer.parseInt(require(args[i], value));
                case "--users" -> users = Long.parseLong(require(args[i], value));
                case "--jdbc-url" -> url = require(args[i], value);
                case "--spring-runs" -> springRuns = Integer.parseInt(require(args[i], value));
                case "--spring-warmup" -> springWarmup = Integer.parseInt(require(args[i], value));
                default -> throw new IllegalArgumentException("Unknown option " + args[i]
                        + "; known: --runs, --warmup, --migrations, --users, --jdbc-url, --spring-runs, --spring-warmup");
            }
            i++;
        }
        if (runs < 1 || warmup < 0 || migrations < 17 || users < 0 || springRuns < 0 || springWarmup < 0) {
            throw new IllegalArgumentException("need --runs >= 1, --warmup >= 0, --migrations >= 17, --users >= 0, "
                    + "--spring-runs >= 0, --spring-warmup >= 0");
        }

        Path dir = Files.createTempDirectory("cutover-bench-migrations");
        try (ScratchDatabase db = PostgresServers.jdbcUrl(url).createDatabase()) {
            writeMigrations(dir, migrations);
            String location = "filesystem:" + dir.toAbsolutePath();
            NotNullCutover cutover = cutover();

            Flyway.configure().dataSource(db.dataSource()).locations(location).target("16").load().migrate();
            db.execute("insert into organizations (name) values ('Acme');"
                    + "insert into \"user\" (email, organization_id) select 'u' || g || '@acme.example', 1 "
                    + "from generate_series(1, " + users + ") g; analyze");
            // V17 is the zero-downtime sequence rendered as Flyway files, as teams write it (a plain SET NOT NULL is refused).
            NotNullMigration.builder(CutoverDatabase.of(db.dataSource()), cutover).build().plan()
                    .flywayFiles(CUTOVER_VERSION, "user_org_not_null").forEach(file -> file.writeTo(dir));
            MigrateResult first = migrate(db.dataSource(), location, CutoverCallback.forMigration(CUTOVER_VERSION, cutover).build());
            if (first.migrationsExecuted != migrations - 16) {
                throw new IllegalStateException("expected " + (migrations - 16) + " migrations, ran " + first.migrationsExecuted);
            }

            for (int i = 0; i < warmup; i++) {
                timeWithout(db.dataSource(), location);
                timeWith(db.dataSource(), location, cutover);
            }
            long[] without = new long[runs];
            long[] with = new long[runs];
            long[] paired = new long[runs];
            for (int i = 0; i < runs; i++) {
                if (i % 2 == 0) {
                    without[i] = timeWithout(db.dataSource(), location);
                    with[i] = timeWith(db.dataSource(), location, cutover);
                } else {
                    with[i] = timeWith(db.dataSource(), location, cutover);
                    without[i] = timeWithout(db.dataSource(), location);
                }
                paired[i] = with[i] - without[i];
            }

            String server = serverVersion(db.dataSource());
            String flyway = flywayVersion();
            System.out.printf(Locale.ROOT, "%n### Flyway start-up on an up-to-date database (%d migrations, %,d users)%n%n", migrations, users);
            System.out.printf(Locale.ROOT, "PostgreSQL %s, Flyway %s, Java %s, %d runs per variant after %d warm-up runs, interleaved.%n%n",
                    server, flyway, System.getProperty("java.version"), runs, warmup);
            System.out.println("| variant | median ms | p95 ms | mean ms | min ms |");
            System.out.println("|---|---:|---:|---:|---:|");
            row("without callback", without);
            row("with CutoverCallback", with);
            System.out.println();
            System.out.printf(Locale.ROOT, "| overhead | median ms | p95 ms |%n|---|---:|---:|%n");
            System.out.printf(Locale.ROOT, "| difference of the variants' medians / p95s | %.3f | %.3f |%n",
                    ms(percentile(with, 50) - percentile(without, 50)), ms(percentile(with, 95) - percentile(without, 95)));
            System.out.printf(Locale.ROOT, "| paired difference (with - without, same iteration) | %.3f | %.3f |%n",
                    ms(percentile(paired, 50)), ms(percentile(paired, 95)));
            if (springRuns > 0) {
                springSection(new SpringStartups(db, location).measure(springRuns, springWarmup), springRuns, springWarmup);
            }
            System.out.println();
            System.out.println("Command: java -cp cutover-bench/target/classes:$(cat cutover-bench/target/classpath.txt) "
                    + "dev.cutover.bench.FlywayStartupBench " + String.join(" ", args));
        } finally {
            deleteTree(dir);
        }
    }

    /** The runbook's cutover, as V17 makes it. */
    static NotNullCutover cutover() {
        return NotNullCutover.builder("user", "organization_id")
                .references("organizations", "id").onDelete(ReferentialAction.RESTRICT)
                .foreignKey("user_organization_id_organizations_id_fk")
                .inspect("id", "email", "created_at").newestFirstBy("created_at").sensitive("email")
                .build();
    }

    private static void springSection(java.util.Map<SpringStartups.Variant, long[]> times, int runs, int warmup) {
        System.out.printf(Locale.ROOT, "%n### Spring Boot %s start-up on the same database%n%n",
                org.springframework.boot.SpringBootVersion.getVersion());
        System.out.printf(Locale.ROOT, "%d starts per variant after %d warm-up rounds, the variants' order rotated each round; "
                + "from run() to a ready context (DataSource, Flyway and cutover auto-configuration, no web server).%n%n",
                runs, warmup);
        System.out.println("| variant | median ms | p90 ms | min ms |");
        System.out.println("|---|---:|---:|---:|");
        times.forEach((variant, nanos) -> System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n", variant.label,
                ms(percentile(nanos, 50)), ms(percentile(nanos, 90)), ms(Arrays.stream(nanos).min().orElse(0))));
        long alone = percentile(times.get(SpringStartups.Variant.FLYWAY_ALONE), 50);
        long bean = percentile(times.get(SpringStartups.Variant.CALLBACK_BEAN), 50);
        long starter = percentile(times.get(SpringStartups.Variant.STARTER), 50);
        System.out.println();
        System.out.printf(Locale.ROOT, "| difference of medians | ms |%n|---|---:|%n");
        System.out.printf(Locale.ROOT, "| callback bean - Flyway alone (the callback's own) | %.1f |%n", ms(bean - alone));
        System.out.printf(Locale.ROOT, "| starter - callback bean (what the starter adds) | %.1f |%n", ms(starter - bean));
        System.out.printf(Locale.ROOT, "| starter - Flyway alone | %.1f |%n", ms(starter - alone));
    }

    /** From the jar's name (flyway-core-13.12.1.jar); Flyway's manifest does not say. */
    private static String flywayVersion() {
        String location = String.valueOf(Flyway.class.getProtectionDomain().getCodeSource().getLocation());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("flyway-core-([^/]+)\\.jar$").matcher(location);
        return m.find() ? m.group(1) : "(unknown)";
    }

    private static String serverVersion(DataSource ds) throws java.sql.SQLException {
        try (java.sql.Connection c = ds.getConnection()) {
            return c.getMetaData().getDatabaseProductVersion();
        }
    }

    private static long timeWithout(DataSource ds, String location) {
        long start = System.nanoTime();
        MigrateResult r = migrate(ds, location);
        long elapsed = System.nanoTime() - start;
        upToDate(r);
        return elapsed;
    }

    private static long timeWith(DataSource ds, String location, NotNullCutover cutover) {
        long start = System.nanoTime();
        MigrateResult r = migrate(ds, location, CutoverCallback.forMigration(CUTOVER_VERSION, cutover).build());
        long elapsed = System.nanoTime() - start;
        upToDate(r);
        return elapsed;
    }

    private static MigrateResult migrate(DataSource ds, String location, Callback... callbacks) {
        return Flyway.configure().dataSource(ds).locations(location).callbacks(callbacks).load().migrate();
    }

    private static void upToDate(MigrateResult r) {
        if (r.migrationsExecuted != 0) {
            throw new IllegalStateException("database was not up to date: " + r.migrationsExecuted + " migrations ran");
        }
    }

    private static void writeMigrations(Path dir, int count) throws IOException {
        for (int v = 1; v <= count; v++) {
            String sql;
            String name;
            if (v == 16) {
                name = "runbook_tables";
                sql = RunbookSchema.DDL;
            } else if (v == 17) {
                continue; // rendered by MigrationPlan.flywayFiles once V16's tables exist
            } else {
                name = "table_" + v;
                sql = "create table table_" + v + " (id bigint primary key, payload text);\n";
            }
            Files.writeString(dir.resolve("V" + v + "__" + name + ".sql"), sql);
        }
    }

    private static void row(String name, long[] nanos) {
        System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f |%n", name, ms(percentile(nanos, 50)),
                ms(percentile(nanos, 95)), ms((long) Arrays.stream(nanos).average().orElse(0)), ms(Arrays.stream(nanos).min().orElse(0)));
    }

    /** Nearest-rank percentile. */
    private static long percentile(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }

    private static String require(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
