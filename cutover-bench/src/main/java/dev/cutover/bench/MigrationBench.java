package dev.cutover.bench;

import static dev.cutover.bench.BenchStats.percentile;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.migrate.MigrationReport;
import dev.cutover.core.migrate.MigrationStep;
import dev.cutover.core.migrate.NotNullMigration;
import dev.cutover.flyway.CutoverCallback;
import dev.cutover.flyway.CutoverMigrationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * How long writers stall while a column becomes NOT NULL: a plain {@code SET NOT NULL}, the
 * textbook CHECK/VALIDATE sequence run without a lock timeout, {@link NotNullMigration}, and a
 * plain SQL migration run by Flyway under {@link CutoverCallback}.
 * Each variant runs on a fresh copy of the same table while writer threads insert
 * continuously; once with no other traffic, once with a reader holding the table in an open
 * transaction when the cutover starts. Prints a Markdown table. Run by hand (see
 * docs/benchmarks/migration.md), never in tests.
 *
 * <pre>{@code
 * java -Xmx256m -cp 'cutover-bench/target/cutover-bench-0.1.0-SNAPSHOT.jar:cutover-bench/target/lib/*' \
 *     dev.cutover.bench.MigrationBench --url 'jdbc:postgresql://127.0.0.1:5432/cutover_bench_migration?user=postgres' \
 *     --rows 5000000 --writers 4 --reader-hold-ms 5000
 * }</pre>
 */
public final class MigrationBench {

    private static final String TABLE = "bench_member";
    private static final String SEED = "bench_member_seed";
    private static final String COLUMN = "organization_id";

    private final PGSimpleDataSource dataSource = new PGSimpleDataSource();
    private final long rows;
    private final int writers;
    private final long readerHoldMillis;
    private final long writerPauseMicros;
    private final long settleMillis;
    private final Duration lockTimeout;

    private MigrationBench(Map<String, String> args) {
        dataSource.setURL(args.getOrDefault("url", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres"));
        rows = Long.parseLong(args.getOrDefault("rows", "5000000"));
        writers = Integer.parseInt(args.getOrDefault("writers", "4"));
        readerHoldMillis = Long.parseLong(args.getOrDefault("reader-hold-ms", "5000"));
        writerPauseMicros = Long.parseLong(args.getOrDefault("writer-pause-us", "0"));
        settleMillis = Long.parseLong(args.getOrDefault("settle-ms", "2000"));
        lockTimeout = Duration.ofMillis(Long.parseLong(args.getOrDefault("lock-timeout-ms", "50")));
        if (rows < 1 || writers < 1) {
            throw new IllegalArgumentException("need rows >= 1 and writers >= 1");
        }
    }

    public static void main(String[] argv) throws Exception {
        new MigrationBench(BenchArgs.parse(argv)).run(String.join(" ", argv));
    }

    /** One variant in one scenario. */
    private record Result(String scenario, String variant, double seconds, double maxMillis, double maxAtSeconds,
                          double p99Millis, double maxBeforeMillis, long inserts, String note) {
    }

    @FunctionalInterface
    private interface Cutover {
        /** Makes the column NOT NULL; returns a note for the table. */
        String run() throws Exception;
    }

    private void run(String argLine) throws Exception {
        String server;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select version()")) {
            rs.next();
            server = rs.getString(1);
        }
        warmUp();
        System.err.printf(Locale.ROOT, "Seeding %,d rows...%n", rows);
        seed();
        List<Result> results = new ArrayList<>();
        for (boolean reader : new boolean[] {false, true}) {
            String scenario = reader ? "reader holds the table " + readerHoldMillis / 1000.0 + " s" : "no other traffic";
            results.add(measure(scenario, "plain SET NOT NULL", reader, this::naive));
            results.add(measure(scenario, "CHECK/VALIDATE sequence, no lock_timeout", reader, this::textbook));
            results.add(measure(scenario, "NotNullMigration (lock_timeout " + lockTimeout.toMillis() + " ms)", reader,
                    this::library));
            results.add(measure(scenario, "plain SQL V17 guarded by CutoverCallback (Flyway)", reader,
                    () -> guardedPlainSql(null)));
        }
        print(argLine, server, results);
    }

    private String naive() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("alter table " + TABLE + " alter column " + COLUMN + " set not null");
        }
        return "";
    }

    /** The library's own plan, each statement in autocommit, waiting in the lock queue as long as it takes. */
    private String textbook() throws SQLException {
        List<MigrationStep> steps = NotNullMigration.builder(CutoverDatabase.of(dataSource), cutover()).build().plan().steps();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("set lock_timeout = 0");
            for (MigrationStep step : steps) {
                s.execute(step.sql());
            }
        }
        return steps.size() + " statements";
    }

    private String library() {
        MigrationReport report = NotNullMigration.builder(CutoverDatabase.of(dataSource), cutover())
                .lockTimeout(lockTimeout).build().run();
        System.err.println(report.render());
        long waited = report.steps().stream().mapToLong(s -> s.waited().toMillis()).sum();
        return report.attempts() + " attempts over " + report.steps().size() + " steps, waited " + waited + " ms";
    }

    /**
     * What a team that keeps a plain SQL migration gets: Flyway with {@link CutoverCallback} runs
     * {@code V17__bench_member_not_null.sql} ({@code SET NOT NULL}, transactional); the callback
     * refuses it before it runs and prints its replacement; the replacement, written as printed,
     * is run by Flyway again. Both runs count as the cutover. {@code blockingScriptLimit} null
     * keeps the callback's default.
     */
    private String guardedPlainSql(Long blockingScriptLimit) throws Exception {
        Path location = Files.createTempDirectory("cutover-bench-flyway");
        try {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("drop table if exists bench_flyway_history");
            }
            Files.writeString(location.resolve("V17__bench_member_not_null.sql"),
                    "ALTER TABLE " + TABLE + " ALTER COLUMN " + COLUMN + " SET NOT NULL;\n");
            CutoverMigrationException refused;
            try {
                flyway(location, blockingScriptLimit).migrate();
                throw new IllegalStateException("the plain V17 was not refused");
            } catch (FlywayException e) {
                refused = refusal(e);
            }
            Files.delete(location.resolve("V17__bench_member_not_null.sql"));
            Matcher files = Pattern.compile("\n\n----- (\\S+) -----\n").matcher(refused.getMessage());
            String message = refused.getMessage();
            List<int[]> bounds = new ArrayList<>();
            List<String> names = new ArrayList<>();
            while (files.find()) {
                names.add(files.group(1));
                bounds.add(new int[] {files.start(), files.end()});
            }
            for (int i = 0; i < names.size(); i++) {
                int end = i + 1 < names.size() ? bounds.get(i + 1)[0] : message.length();
                Files.writeString(location.resolve(names.get(i)), message.substring(bounds.get(i)[1], end));
            }
            int applied = flyway(location, blockingScriptLimit).migrate().migrationsExecuted;
            return "refused (" + refused.reason() + "), then the printed " + String.join(" + ", names) + ": " + applied
                    + " migration applied";
        } finally {
            try (var files = Files.list(location)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(location);
        }
    }

    /** Flyway with the callback; {@code blockingScriptLimit} null keeps the callback's default. */
    private Flyway flyway(Path location, Long blockingScriptLimit) {
        CutoverCallback.Builder callback = CutoverCallback.forMigration("17", cutover());
        if (blockingScriptLimit != null) {
            callback.blockingScriptLimit(blockingScriptLimit);
        }
        return Flyway.configure().dataSource(dataSource).locations("filesystem:" + location).table("bench_flyway_history")
                .baselineOnMigrate(true).baselineVersion("1").callbacks(callback.build()).load();
    }

    private static CutoverMigrationException refusal(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof CutoverMigrationException e && e.reason() == CutoverMigrationException.Reason.BLOCKING_SCRIPT) {
                return e;
            }
        }
        throw new IllegalStateException("the plain V17 failed, but not by the callback's refusal", thrown);
    }

    private static NotNullCutover cutover() {
        return NotNullCutover.builder(TABLE, COLUMN).build();
    }

    /** Runs the library on a small table first, so the measured runs do not pay for class loading and JIT. */
    private void warmUp() throws Exception {
        System.err.println("Warming up the JVM...");
        for (int i = 0; i < 5; i++) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("drop table if exists " + TABLE);
                s.execute("create table " + TABLE + " (id bigint generated by default as identity primary key, email text not null, "
                        + "created_at timestamptz not null default now(), " + COLUMN + " bigint)");
                s.execute("insert into " + TABLE + " (email, " + COLUMN + ") select 'w' || i, 1 from generate_series(1, 10000) i");
            }
            library();
        }
        // Flyway and the callback too: the small table is below the refusal's default limit, so the limit is 0 here.
        for (int i = 0; i < 3; i++) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("drop table if exists " + TABLE);
                s.execute("create table " + TABLE + " (id bigint generated by default as identity primary key, email text not null, "
                        + "created_at timestamptz not null default now(), " + COLUMN + " bigint)");
                s.execute("insert into " + TABLE + " (email, " + COLUMN + ") select 'w' || i, 1 from generate_series(1, 10000) i");
            }
            guardedPlainSql(0L);
        }
    }

    private Result measure(String scenario, String variant, boolean reader, Cutover cutover) throws Exception {
        fresh();
        System.err.println("Running: " + variant + ", " + scenario);
        AtomicBoolean stop = new AtomicBoolean();
        List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < writers; i++) {
            Thread t = new Thread(() -> {
                try {
                    write(stop, samples);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "writer-" + i);
            t.start();
            threads.add(t);
        }
        Thread.sleep(settleMillis);
        long start = System.nanoTime();
        CountDownLatch readerHolds = new CountDownLatch(1);
        Thread readerThread = null;
        if (reader) {
            readerThread = new Thread(() -> {
                try {
                    hold(readerHolds);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    readerHolds.countDown();
                }
            }, "reader");
            readerThread.start();
            readerHolds.await();
        }
        String note;
        long end;
        try {
            note = cutover.run();
            end = System.nanoTime();
            Thread.sleep(settleMillis / 4);
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(60_000);
            }
            if (readerThread != null) {
                readerThread.join(60_000);
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a writer or the reader failed", failure.get());
        }
        requireNotNull();
        List<Long> during = new ArrayList<>();
        List<Long> before = new ArrayList<>();
        long maxAt = 0;
        long maxSeen = -1;
        synchronized (samples) {
            for (long[] sample : samples) {
                long began = sample[0];
                long finished = sample[0] + sample[1];
                if (finished > start && began < end) {
                    during.add(sample[1]);
                    if (sample[1] > maxSeen) {
                        maxSeen = sample[1];
                        maxAt = began - start;
                    }
                } else if (finished <= start && began > start - settleMillis / 2 * 1_000_000) {
                    before.add(sample[1]);
                }
            }
        }
        Result result = new Result(scenario, variant, (end - start) / 1e9, max(during) / 1e6, maxAt / 1e9,
                percentile(during, 0.99) / 1e6,
                max(before) / 1e6, during.size(), note);
        System.err.printf(Locale.ROOT, "%s, %s: %.2f s, writer max %.1f ms, p99 %.1f ms (%s)%n", variant, scenario,
                result.seconds(), result.maxMillis(), result.p99Millis(), note);
        return result;
    }

    /** Inserts rows one at a time on its own connection (autocommit) until told to stop: {start nanos, latency nanos} each. */
    private void write(AtomicBoolean stop, List<long[]> samples) throws Exception {
        List<long[]> mine = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement insert = c.prepareStatement("insert into " + TABLE + " (email, " + COLUMN
                     + ") values ('writer@bench.test', 1)")) {
            while (!stop.get()) {
                long began = System.nanoTime();
                insert.executeUpdate();
                mine.add(new long[] {began, System.nanoTime() - began});
                if (writerPauseMicros > 0) {
                    Thread.sleep(writerPauseMicros / 1000, (int) (writerPauseMicros % 1000) * 1000);
                }
            }
        }
        samples.addAll(mine);
    }

    /** Opens a transaction that reads the table, holds it, then commits. */
    private void hold(CountDownLatch holding) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from " + TABLE
                    + " where id <= 1000")) {
                rs.next();
            }
            holding.countDown();
            Thread.sleep(readerHoldMillis);
            c.commit();
        }
    }

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(0);
    }

    private void seed() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop table if exists " + SEED);
            s.execute("create table " + SEED + " as select i as id, 'user' || i || '@example.test' as email, "
                    + "timestamptz '2026-01-01' + i * interval '1 second' as created_at, (1 + i % 7)::bigint as " + COLUMN
                    + " from generate_series(1, " + rows + ") i");
        }
    }

    /** A fresh copy of the seed: same rows, nullable column, primary key, analyzed. */
    private void fresh() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop table if exists " + TABLE);
            s.execute("create table " + TABLE + " (id bigint generated by default as identity primary key, email text not null, "
                    + "created_at timestamptz not null default now(), " + COLUMN + " bigint)");
            s.execute("insert into " + TABLE + " overriding system value select * from " + SEED);
            s.execute("select setval(pg_get_serial_sequence('" + TABLE + "', 'id'), (select max(id) from " + TABLE + "))");
            s.execute("vacuum analyze " + TABLE);
            s.execute("checkpoint");
        }
    }

    private void requireNotNull() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select attnotnull from pg_attribute where attrelid = '" + TABLE
                     + "'::regclass and attname = '" + COLUMN + "'")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                throw new IllegalStateException(TABLE + "." + COLUMN + " is still nullable after the cutover");
            }
        }
    }

    private void print(String argLine, String server, List<Result> results) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%n%,d rows; %d writers inserting continuously; %s%n%n", rows, writers, server));
        out.append("| scenario | variant | cutover seconds | writer max stall (ms) | max stall began at (s) | writer p99 (ms) "
                + "| writer max before (ms) | inserts during | notes |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Result r : results) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.1f | %.2f | %.1f | %.1f | %,d | %s |%n", r.scenario(),
                    r.variant(), r.seconds(), r.maxMillis(), r.maxAtSeconds(), r.p99Millis(), r.maxBeforeMillis(), r.inserts(),
                    r.note()));
        }
        out.append(String.format(Locale.ROOT, "%nArguments: %s; JVM max heap %,d MiB%n", argLine,
                Runtime.getRuntime().maxMemory() / (1024 * 1024)));
        System.out.println(out);
    }
}
