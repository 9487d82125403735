package dev.cutover.bench;

import static dev.cutover.bench.BenchStats.percentile;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.remediation.Remediation;
import dev.cutover.core.remediation.RemediationDecision;
import dev.cutover.core.remediation.RemediationEvent;
import dev.cutover.core.remediation.RemediationPolicies;
import dev.cutover.core.remediation.RemediationPolicy;
import dev.cutover.core.remediation.RemediationReport;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The remediation engine against the ceiling: one {@code UPDATE ... WHERE col IS NULL}.
 * Each runs on a fresh copy of the same table while a writer inserts rows one at a time;
 * prints a Markdown table. Run by hand (see docs/benchmarks/remediation.md), never in tests.
 *
 * <pre>{@code
 * java -Xmx128m -cp "cutover-bench/target/classes:$(cat cutover-bench/target/classpath.txt)" \
 *     dev.cutover.bench.RemediationBenchmark --url 'jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres' \
 *     --rows 5000000 --nulls 1000000 --batch 1000,2500,250 --rate 20000,40000 --rate-batch 100
 * }</pre>
 */
public final class RemediationBenchmark {

    private static final String TABLE = "bench_user";
    private static final String SEED = "bench_user_seed";

    private final PGSimpleDataSource dataSource = new PGSimpleDataSource();
    private final long rows;
    private final long nulls;
    private final List<Integer> batches = new ArrayList<>();
    private final List<Integer> rates = new ArrayList<>();
    private final int writerIntervalMillis;
    private final long idleMillis;
    private final boolean nullIndex;
    private final boolean perRow;
    private final int rateBatch;
    private final int warmupRuns;
    private ConcurrentWriter writer;

    private RemediationBenchmark(Map<String, String> args) {
        dataSource.setURL(args.getOrDefault("url", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres"));
        rows = Long.parseLong(args.getOrDefault("rows", "5000000"));
        nulls = Long.parseLong(args.getOrDefault("nulls", "1000000"));
        for (String b : args.getOrDefault("batch", "1000").split(",")) {
            batches.add(Integer.parseInt(b.strip()));
        }
        for (String r : args.getOrDefault("rate", "").split(",")) {
            if (!r.isBlank()) {
                rates.add(Integer.parseInt(r.strip()));
            }
        }
        writerIntervalMillis = Integer.parseInt(args.getOrDefault("writer-interval-ms", "5"));
        idleMillis = Long.parseLong(args.getOrDefault("idle-ms", "5000"));
        nullIndex = Boolean.parseBoolean(args.getOrDefault("null-index", "false"));
        perRow = Boolean.parseBoolean(args.getOrDefault("per-row", "true"));
        warmupRuns = Integer.parseInt(args.getOrDefault("warmup-runs", "20"));
        rateBatch = Integer.parseInt(args.getOrDefault("rate-batch", Integer.toString(batches.get(0))));
        if (nulls > rows || rows < 1 || batches.stream().anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("need 1 <= nulls <= rows and every batch >= 1");
        }
    }

    public static void main(String[] argv) throws Exception {
        new RemediationBenchmark(BenchArgs.parse(argv)).run(String.join(" ", argv));
    }

    /** One measured variant. */
    private record Result(String name, long changed, double seconds, double p99BatchMillis, long batches,
                          double writerP99Millis, double writerIdleP99Millis, long writes, double clientCpuSeconds) {
        double rowsPerSecond() {
            return changed / seconds;
        }
    }

    private void run(String argLine) throws Exception {
        String server;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select version()")) {
            rs.next();
            server = rs.getString(1);
        }
        warmUp();
        System.err.printf(Locale.ROOT, "Seeding %,d rows, %,d NULL...%n", rows, nulls);
        seed();

        try (ConcurrentWriter w = ConcurrentWriter.start(dataSource.getURL(),
                "insert into " + TABLE + " (email, organization_id) values ('writer@bench.test', 1)", writerIntervalMillis)) {
            writer = w;
            runVariants(argLine, server);
        }
    }

    private void runVariants(String argLine, String server) throws Exception {
        fresh();
        Result single = measure("one UPDATE ... WHERE col IS NULL", () -> {
            long start = System.nanoTime();
            long changed;
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                changed = s.executeUpdate("update " + TABLE + " set organization_id = 3 where organization_id is null");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new long[] {changed, (long) (seconds * 1e9), (long) (seconds * 1e9), 1};
        });

        fresh();
        Result peer = measure(PEER, this::handWrittenIdRanges);
        verifyNoNulls();

        List<Result> results = new ArrayList<>(List.of(single, peer));
        for (int batch : batches) {
            results.add(engine(batch, 0));
        }
        for (int rate : rates) {
            results.add(engine(rateBatch, rate));
        }
        if (perRow) {
            results.add(engine(batches.get(0), 0, true));
        }
        print(argLine, server, results);
    }

    private static final String PEER = "peer: hand-written id ranges of 10,000, autocommit, no journal";
    private static final int PEER_RANGE = 10_000;

    /**
     * What a team would write by hand (the primary-key batching of GitLab's and strong_migrations'
     * recipes): walk the key in ranges of 10,000 ids, one autocommit UPDATE each, nothing journaled.
     */
    private long[] handWrittenIdRanges() throws SQLException {
        long start = System.nanoTime();
        long changed = 0;
        List<Long> batchNanos = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            long max;
            try (ResultSet rs = s.executeQuery("select coalesce(max(id), 0) from " + TABLE)) {
                rs.next();
                max = rs.getLong(1);
            }
            try (var update = c.prepareStatement("update " + TABLE + " set organization_id = 3 "
                    + "where id >= ? and id < ? and organization_id is null")) {
                for (long from = 1; from <= max; from += PEER_RANGE) {
                    long batchStart = System.nanoTime();
                    update.setLong(1, from);
                    update.setLong(2, from + PEER_RANGE);
                    changed += update.executeUpdate();
                    batchNanos.add(System.nanoTime() - batchStart);
                }
            }
        }
        return new long[] {changed, System.nanoTime() - start, percentile(batchNanos, 0.99), batchNanos.size()};
    }

    private Result engine(int batch, int rate) throws Exception {
        return engine(batch, rate, false);
    }

    /**
     * The engine with {@code constant(3L)} (one statement per batch), or, {@code perRow}, with a
     * lambda giving the same value, which the engine must ask row by row.
     */
    private Result engine(int batch, int rate, boolean perRow) throws Exception {
        fresh();
        String name = "Remediation, batch " + batch + (rate > 0 ? String.format(Locale.ROOT, ", maxRowsPerSecond %,d", rate) : "")
                + (perRow ? ", per-row policy (a lambda)" : "");
        RemediationPolicy policy = perRow ? row -> RemediationDecision.assign(3L) : RemediationPolicies.constant(3L);
        Result engine = measure(name, () -> {
            CutoverDatabase db = CutoverDatabase.of(dataSource);
            NotNullCutover cutover = NotNullCutover.builder(TABLE, "organization_id").inspect("id", "email").sensitive("email").build();
            if (nullIndex) {
                db.probe(cutover).createNullIndex();
            }
            List<Long> batchNanos = new ArrayList<>();
            long start = System.nanoTime();
            Remediation.Builder builder = Remediation.builder(db, cutover);
            if (rate > 0) {
                builder.maxRowsPerSecond(rate);
            }
            RemediationReport report = builder
                    .policy(policy)
                    .batchSize(batch)
                    .reportLimit(10)
                    .onEvent(e -> {
                        if (e instanceof RemediationEvent.BatchDone b) {
                            batchNanos.add(b.took().toNanos());
                        }
                    })
                    .build().run();
            long took = System.nanoTime() - start;
            System.err.println(report);
            return new long[] {report.assigned(), took, percentile(batchNanos, 0.99), batchNanos.size()};
        });

        verifyNoNulls();
        return engine;
    }

    /** Runs the engine on a small table first, so the measured runs do not pay for class loading and JIT. */
    private void warmUp() throws SQLException {
        System.err.println("Warming up the JVM...");
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop table if exists bench_warmup");
            s.execute("create table bench_warmup (id bigint primary key, email text not null, organization_id bigint)");
        }
        CutoverDatabase db = CutoverDatabase.of(dataSource);
        NotNullCutover cutover = NotNullCutover.builder("bench_warmup", "organization_id").inspect("id", "email").build();
        for (int i = 0; i < warmupRuns; i++) {
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("truncate bench_warmup");
                s.execute("insert into bench_warmup select i, 'w' || i, case when i % 5 = 0 then null else 1 end "
                        + "from generate_series(1, 50000) i");
            }
            Remediation.builder(db, cutover).policy(RemediationPolicies.constant(3L)).batchSize(batches.get(0)).reportLimit(10)
                    .build().run();
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop table bench_warmup");
        }
    }

    @FunctionalInterface
    private interface Variant {
        /** {rows changed, nanos, p99 batch nanos, batches}. */
        long[] run() throws Exception;
    }

    private Result measure(String name, Variant variant) throws Exception {
        System.err.println("Idle writer before: " + name);
        List<Long> idle = writer.measure(() -> Thread.sleep(idleMillis));
        System.err.println("Running: " + name);
        long[][] r = new long[1][];
        long cpuBefore = processCpuNanos();
        long mainBefore = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        List<Long> during = writer.measure(() -> r[0] = variant.run());
        long cpu = processCpuNanos() - cpuBefore;
        System.err.printf(Locale.ROOT, "%s: JVM CPU %.2f s, of which the engine's thread %.2f s%n", name, cpu / 1e9,
                (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - mainBefore) / 1e9);
        Result result = new Result(name, r[0][0], r[0][1] / 1e9, r[0][2] / 1e6, r[0][3], percentile(during, 0.99) / 1e6,
                percentile(idle, 0.99) / 1e6, during.size(), cpu / 1e9);
        System.err.printf(Locale.ROOT, "%s: %,d rows in %.2f s%n", name, result.changed(), result.seconds());
        return result;
    }

    /** CPU time of this JVM (the engine's side; the server's backends and the writer are other processes). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private void seed() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop table if exists " + SEED);
            // Every (rows / nulls)-th row is NULL, spread over the whole table.
            s.execute("create table " + SEED + " as select i as id, 'user' || i || '@example.test' as email, "
                    + "timestamptz '2026-01-01' + i * interval '1 second' as created_at, "
                    + "case when i % " + Math.max(1, rows / nulls) + " = 0 and i / " + Math.max(1, rows / nulls) + " <= " + nulls
                    + " then null else 1 + i % 7 end::bigint as organization_id from generate_series(1, " + rows + ") i");
        }
    }

    /** A fresh copy of the seed: same rows, primary key, analyzed, journal emptied. */
    private void fresh() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop table if exists " + TABLE);
            s.execute("drop view if exists cutover_journal");
            s.execute("drop table if exists cutover_journal_batch");
            s.execute("create table " + TABLE + " (id bigint generated by default as identity primary key, email text not null, "
                    + "created_at timestamptz not null default now(), organization_id bigint)");
            s.execute("insert into " + TABLE + " overriding system value select * from " + SEED);
            s.execute("select setval(pg_get_serial_sequence('" + TABLE + "', 'id'), (select max(id) from " + TABLE + "))");
            s.execute("vacuum analyze " + TABLE);
            s.execute("checkpoint");
        }
    }

    private void verifyNoNulls() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from " + TABLE + " where organization_id is null")) {
            rs.next();
            if (rs.getLong(1) != 0) {
                throw new IllegalStateException(rs.getLong(1) + " NULL rows left after the engine");
            }
        }
    }

    private void print(String argLine, String server, List<Result> results) {
        Result ceiling = results.get(0);
        Result peer = results.get(1);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%n%,d rows, %,d NULL; writer inserts a row every %d ms; %s%n%n", rows, nulls,
                writerIntervalMillis, server));
        out.append("| variant | rows changed | seconds | rows/s | vs single UPDATE | vs peer | batches | p99 batch tx (ms) "
                + "| writer p99 idle (ms) | writer p99 during (ms) | writer ratio | writes during | client CPU (s) |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            out.append(String.format(Locale.ROOT, "| %s | %,d | %.2f | %,.0f | %.0f %% | %.0f %% | %,d | %.1f | %.2f | %.2f | %.2f× | %,d | %.2f |%n",
                    r.name(), r.changed(), r.seconds(), r.rowsPerSecond(), 100 * r.rowsPerSecond() / ceiling.rowsPerSecond(),
                    100 * r.rowsPerSecond() / peer.rowsPerSecond(), r.batches(), r.p99BatchMillis(), r.writerIdleP99Millis(), r.writerP99Millis(),
                    r.writerP99Millis() / r.writerIdleP99Millis(), r.writes(), r.clientCpuSeconds()));
        }
        out.append(String.format(Locale.ROOT, "%nArguments: %s; JVM max heap %,d MiB%n", argLine,
                Runtime.getRuntime().maxMemory() / (1024 * 1024)));
        System.out.println(out);
    }
}
