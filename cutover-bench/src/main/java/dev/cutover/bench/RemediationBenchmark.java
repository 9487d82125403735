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
import java.util.function.Predicate;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The remediation engine against the ceiling, one {@code UPDATE ... WHERE col IS NULL}, and
 * against its peer, the loop a team would write by hand (id ranges of 10,000, autocommit, no
 * journal). Each variant runs on a fresh copy of the same table while writer threads insert
 * rows flat out; then a sparse table (few NULLs, no NULL index) compares a whole run with the
 * single statement. Prints a Markdown table and which targets were met. Run by hand (see
 * docs/benchmarks/remediation.md), never in tests.
 *
 * <pre>{@code
 * java -Xmx64m -cp "cutover-bench/target/classes:$(cat cutover-bench/target/classpath.txt)" \
 *     dev.cutover.bench.RemediationBenchmark --url 'jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres' \
 *     --rows 5000000 --nulls 1000000 --batch 1000,10000 --writers 4 --rate 20000 --rate-batch 100 --sparse-nulls 5000
 * }</pre>
 */
public final class RemediationBenchmark {

    private static final String TABLE = "bench_user";
    private static final String SEED = "bench_user_seed";
    private static final String ORGS = "bench_org";
    private static final String SQL_POLICY = "select o.id from " + ORGS + " o where o.domain = split_part(u.email, '@', 2)";

    private final PGSimpleDataSource dataSource = new PGSimpleDataSource();
    /**
     * The connections the measured variants use, pooled as an application's, the CLI's or the
     * Spring Boot starter's are: a run's catalog reads and batches borrow warm connections
     * instead of opening one each. The peer and the single statement use it too.
     */
    private com.zaxxer.hikari.HikariDataSource pool;
    private final long rows;
    private final long nulls;
    private final long sparseNulls;
    private final List<Integer> batches = new ArrayList<>();
    private final List<Integer> rates = new ArrayList<>();
    private final int writers;
    private final int writerIntervalMillis;
    private final long idleMillis;
    private final boolean nullIndex;
    private final int rateBatch;
    /** Which variants to run (--variants): single, peer, constant, sql, lambda, capped, sparse. */
    private final List<String> variants;
    private final int warmupRuns;
    private ConcurrentWriter writer;

    private RemediationBenchmark(Map<String, String> args) {
        dataSource.setURL(args.getOrDefault("url", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres"));
        rows = Long.parseLong(args.getOrDefault("rows", "5000000"));
        nulls = Long.parseLong(args.getOrDefault("nulls", "1000000"));
        sparseNulls = Long.parseLong(args.getOrDefault("sparse-nulls", "5000"));
        for (String b : args.getOrDefault("batch", "1000,10000").split(",")) {
            batches.add(Integer.parseInt(b.strip()));
        }
        for (String r : args.getOrDefault("rate", "20000").split(",")) {
            if (!r.isBlank()) {
                rates.add(Integer.parseInt(r.strip()));
            }
        }
        writers = Integer.parseInt(args.getOrDefault("writers", "4"));
        writerIntervalMillis = Integer.parseInt(args.getOrDefault("writer-interval-ms", "0"));
        idleMillis = Long.parseLong(args.getOrDefault("idle-ms", "5000"));
        nullIndex = Boolean.parseBoolean(args.getOrDefault("null-index", "false"));
        warmupRuns = Integer.parseInt(args.getOrDefault("warmup-runs", "10"));
        rateBatch = Integer.parseInt(args.getOrDefault("rate-batch", "100"));
        variants = List.of(args.getOrDefault("variants", "single,peer,constant,sql,lambda,capped,sparse").split(","));
        if (nulls > rows || sparseNulls > rows || rows < 1 || batches.stream().anyMatch(b -> b < 1) || writers < 0) {
            throw new IllegalArgumentException("need 1 <= rows, nulls and sparse-nulls <= rows, every batch >= 1, writers >= 0");
        }
    }

    public static void main(String[] argv) throws Exception {
        new RemediationBenchmark(BenchArgs.parse(argv)).run(String.join(" ", argv));
    }

    /** What a variant is, for the targets. */
    private enum Kind { SINGLE, PEER, CONSTANT, SQL, LAMBDA, CAPPED, SPARSE_SINGLE, SPARSE_ENGINE }

    /** One measured variant. */
    private record Result(Kind kind, int batch, String name, long changed, double seconds, double p99BatchMillis, long batches,
                          double writerP99Millis, double writerIdleP99Millis, long writes, double clientCpuSeconds) {
        double rowsPerSecond() {
            return changed / seconds;
        }

        double writerRatio() {
            return writerP99Millis / writerIdleP99Millis;
        }

        boolean engine() {
            return kind == Kind.CONSTANT || kind == Kind.SQL || kind == Kind.LAMBDA || kind == Kind.CAPPED || kind == Kind.SPARSE_ENGINE;
        }
    }

    /** A policy to measure, with its kind and how the table names it. */
    private record Policy(Kind kind, String label, RemediationPolicy policy) {
    }

    private static final Policy CONSTANT = new Policy(Kind.CONSTANT, "constant(3)", RemediationPolicies.constant(3L));
    private static final Policy SQL = new Policy(Kind.SQL, "sql(organization by e-mail domain)", RemediationPolicies.sql(SQL_POLICY));
    private static final Policy LAMBDA = new Policy(Kind.LAMBDA, "a Java lambda, row by row", row -> RemediationDecision.assign(3L));

    private void run(String argLine) throws Exception {
        String server;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select version()")) {
            rs.next();
            server = rs.getString(1);
        }
        seedOrganizations();
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl(dataSource.getURL());
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(2);
        config.setPoolName("bench-variants");
        pool = new com.zaxxer.hikari.HikariDataSource(config);
        warmUp();
        System.err.printf(Locale.ROOT, "Seeding %,d rows, %,d NULL...%n", rows, nulls);
        seed(nulls);

        try (ConcurrentWriter w = ConcurrentWriter.start(dataSource.getURL(),
                "insert into " + TABLE + " (email, organization_id) values ('writer@example.test', 1)", writers,
                writerIntervalMillis)) {
            writer = w;
            List<Result> results = denseVariants();
            if (sparseNulls > 0 && variants.contains("sparse")) {
                System.err.printf(Locale.ROOT, "Seeding %,d rows, %,d NULL...%n", rows, sparseNulls);
                seed(sparseNulls);
                fresh();
                results.add(single(Kind.SPARSE_SINGLE, "sparse: one UPDATE ... WHERE col IS NULL"));
                results.add(engine(Kind.SPARSE_ENGINE, "sparse: Remediation, constant(3), batch " + batches.get(0), CONSTANT,
                        batches.get(0), 0));
            }
            print(argLine, server, results);
        } finally {
            pool.close();
            try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                s.execute("drop table if exists " + SEED);
            }
        }
    }

    private List<Result> denseVariants() throws Exception {
        List<Result> results = new ArrayList<>();
        if (variants.contains("single")) {
            fresh();
            results.add(single(Kind.SINGLE, "one UPDATE ... WHERE col IS NULL"));
        }
        if (variants.contains("peer")) {
            fresh();
            results.add(measure(Kind.PEER, PEER_RANGE, PEER, this::handWrittenIdRanges));
            verifyNoNulls();
        }
        if (variants.contains("constant")) {
            for (int batch : batches) {
                results.add(engine(batch, CONSTANT, 0));
            }
        }
        if (variants.contains("sql")) {
            results.add(engine(batches.get(0), SQL, 0));
        }
        if (variants.contains("lambda")) {
            results.add(engine(batches.get(0), LAMBDA, 0));
        }
        if (variants.contains("capped")) {
            for (int rate : rates) {
                results.add(engine(rateBatch, CONSTANT, rate));
            }
        }
        return results;
    }

    private Result single(Kind kind, String name) throws Exception {
        Result r = measure(kind, 0, name, () -> {
            long start = System.nanoTime();
            long changed;
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                changed = s.executeUpdate("update " + TABLE + " set organization_id = 3 where organization_id is null");
            }
            long nanos = System.nanoTime() - start;
            return new long[] {changed, nanos, nanos, 1};
        });
        verifyNoNulls();
        return r;
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
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
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

    private Result engine(int batch, Policy policy, int rate) throws Exception {
        String name = "Remediation, " + policy.label() + ", batch " + String.format(Locale.ROOT, "%,d", batch)
                + (rate > 0 ? String.format(Locale.ROOT, ", maxRowsPerSecond %,d", rate) : "");
        return engine(rate > 0 ? Kind.CAPPED : policy.kind(), name, policy, batch, rate);
    }

    /** The engine with the policy given, journal on; its time includes {@code build()} and the end-of-round count. */
    private Result engine(Kind kind, String name, Policy policy, int batch, int rate) throws Exception {
        fresh();
        Result engine = measure(kind, batch, name, () -> {
            CutoverDatabase db = CutoverDatabase.of(pool);
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
                    .policy(policy.policy())
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
        CutoverDatabase db = CutoverDatabase.of(pool);
        NotNullCutover cutover = NotNullCutover.builder("bench_warmup", "organization_id").inspect("id", "email")
                .sensitive("email").build();
        for (int i = 0; i < warmupRuns; i++) {
            for (Policy policy : List.of(CONSTANT, SQL, LAMBDA)) {
                try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
                    s.execute("truncate bench_warmup");
                    s.execute("insert into bench_warmup select i, 'w' || i || '@example.test', "
                            + "case when i % 5 = 0 then null else 1 end from generate_series(1, 20000) i");
                }
                Remediation.builder(db, cutover).policy(policy.policy()).batchSize(batches.get(0)).reportLimit(10).build().run();
            }
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

    private Result measure(Kind kind, int batch, String name, Variant variant) throws Exception {
        System.err.println("Idle writers before: " + name);
        List<Long> idle = writer.measure(() -> Thread.sleep(idleMillis));
        System.err.println("Running: " + name);
        long[][] r = new long[1][];
        long cpuBefore = processCpuNanos();
        List<Long> during = writer.measure(() -> r[0] = variant.run());
        long cpu = processCpuNanos() - cpuBefore;
        Result result = new Result(kind, batch, name, r[0][0], r[0][1] / 1e9, r[0][2] / 1e6, r[0][3],
                percentile(during, 0.99) / 1e6, percentile(idle, 0.99) / 1e6, during.size(), cpu / 1e9);
        System.err.printf(Locale.ROOT, "%s: %,d rows in %.2f s; JVM CPU %.2f s; writer p99 %.2f ms (idle %.2f ms)%n", name,
                result.changed(), result.seconds(), result.clientCpuSeconds(), result.writerP99Millis(),
                result.writerIdleP99Millis());
        return result;
    }

    /** CPU time of this JVM (the engine's side; the server's backends and the writers are other processes). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The SQL policy's lookup table: a few organizations by e-mail domain, {@code example.test} being 3. */
    private void seedOrganizations() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop table if exists " + ORGS);
            s.execute("create table " + ORGS + " (id bigint primary key, domain text not null unique)");
            s.execute("insert into " + ORGS + " values (1, 'acme.test'), (2, 'other.test'), (3, 'example.test'), (4, 'bench.test')");
            s.execute("analyze " + ORGS);
        }
    }

    /** The seed table: {@code rows} rows, every (rows / nullCount)-th of them NULL, spread over the whole table. */
    private void seed(long nullCount) throws SQLException {
        long step = Math.max(1, rows / Math.max(1, nullCount));
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop table if exists " + SEED);
            s.execute("create table " + SEED + " as select i as id, 'user' || i || '@example.test' as email, "
                    + "timestamptz '2026-01-01' + i * interval '1 second' as created_at, "
                    + "case when i % " + step + " = 0 and i / " + step + " <= " + nullCount
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
                throw new IllegalStateException(rs.getLong(1) + " NULL rows left after the variant");
            }
        }
    }

    private void print(String argLine, String server, List<Result> results) {
        Result peer = results.stream().filter(r -> r.kind() == Kind.PEER).findFirst().orElse(null);
        Result constant = results.stream().filter(r -> r.kind() == Kind.CONSTANT && r.batch() == batches.get(0)).findFirst()
                .orElse(null);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%n%,d rows, %,d NULL (sparse: %,d NULL); %d writer threads inserting %s; %s%n%n",
                rows, nulls, sparseNulls, writers,
                writerIntervalMillis == 0 ? "flat out" : "a row every " + writerIntervalMillis + " ms each", server));
        out.append("| variant | rows changed | seconds | rows/s | % of peer | % of constant | batches | p99 batch tx (ms) "
                + "| writer p99 idle (ms) | writer p99 during (ms) | writer ratio | inserts during | client CPU (s) |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            boolean sparse = r.kind() == Kind.SPARSE_SINGLE || r.kind() == Kind.SPARSE_ENGINE;
            out.append(String.format(Locale.ROOT, "| %s | %,d | %.2f | %,.0f | %s | %s | %,d | %.1f | %.2f | %.2f | %.2f× | %,d | %.2f |%n",
                    r.name(), r.changed(), r.seconds(), r.rowsPerSecond(),
                    sparse || peer == null ? "" : String.format(Locale.ROOT, "%.0f %%", 100 * r.rowsPerSecond() / peer.rowsPerSecond()),
                    r.engine() && !sparse && constant != null
                            ? String.format(Locale.ROOT, "%.0f %%", 100 * r.rowsPerSecond() / constant.rowsPerSecond()) : "",
                    r.batches(), r.p99BatchMillis(), r.writerIdleP99Millis(), r.writerP99Millis(), r.writerRatio(), r.writes(),
                    r.clientCpuSeconds()));
        }
        out.append(String.format(Locale.ROOT, "%nArguments: %s; JVM max heap %,d MiB%n%n", argLine,
                Runtime.getRuntime().maxMemory() / (1024 * 1024)));
        if (variants.size() == 7) {
            targets(out, results, peer, constant);
        }
        System.out.println(out);
    }

    private void targets(StringBuilder out, List<Result> results, Result peer, Result constant) {
        out.append("| target | measured | met? |\n|---|---|---|\n");
        for (Result r : results) {
            if (r.kind() == Kind.CONSTANT) {
                double pct = 100 * r.rowsPerSecond() / peer.rowsPerSecond();
                target(out, "constant, batch " + String.format(Locale.ROOT, "%,d", r.batch()) + " ≥ 100 % of the peer",
                        String.format(Locale.ROOT, "%.0f %%", pct), pct >= 100);
            }
        }
        Result sql = first(results, r -> r.kind() == Kind.SQL);
        double sqlPct = 100 * sql.rowsPerSecond() / constant.rowsPerSecond();
        target(out, "SQL policy ≥ 80 % of constant (same batch)", String.format(Locale.ROOT, "%.0f %%", sqlPct), sqlPct >= 80);
        Result lambda = first(results, r -> r.kind() == Kind.LAMBDA);
        double lambdaPct = 100 * lambda.rowsPerSecond() / constant.rowsPerSecond();
        target(out, "lambda ≥ 50 % of constant (same batch)", String.format(Locale.ROOT, "%.0f %%", lambdaPct), lambdaPct >= 50);
        List<String> over = results.stream().filter(r -> r.engine() && r.p99BatchMillis() > 100)
                .map(r -> String.format(Locale.ROOT, "%s: %.1f ms", r.name(), r.p99BatchMillis())).toList();
        long engines = results.stream().filter(Result::engine).count();
        target(out, "p99 batch transaction ≤ 100 ms", over.isEmpty() ? "every engine variant"
                : (engines - over.size()) + " of " + engines + " engine variants; over: " + String.join("; ", over), over.isEmpty());
        for (Result r : results) {
            if (r.kind() == Kind.CAPPED) {
                target(out, "capped: writer p99 ≤ 2× its idle p99 (" + r.name() + ")", String.format(Locale.ROOT,
                        "%.2f / %.2f ms = %.2f×", r.writerP99Millis(), r.writerIdleP99Millis(), r.writerRatio()), r.writerRatio() <= 2);
            }
        }
        if (sparseNulls > 0) {
            Result single = first(results, r -> r.kind() == Kind.SPARSE_SINGLE);
            Result engine = first(results, r -> r.kind() == Kind.SPARSE_ENGINE);
            double ratio = engine.seconds() / single.seconds();
            target(out, "sparse: whole run ≤ 2× the single UPDATE", String.format(Locale.ROOT, "%.2f s / %.2f s = %.2f×",
                    engine.seconds(), single.seconds(), ratio), ratio <= 2);
        }
    }

    private static void target(StringBuilder out, String target, String measured, boolean met) {
        out.append("| ").append(target).append(" | ").append(measured).append(" | ").append(met ? "yes" : "no").append(" |\n");
    }

    private static Result first(List<Result> results, Predicate<Result> which) {
        return results.stream().filter(which).findFirst().orElseThrow(() -> new IllegalStateException("a variant is missing"));
    }
}
