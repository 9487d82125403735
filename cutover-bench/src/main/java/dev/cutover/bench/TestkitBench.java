package dev.cutover.bench;

import dev.cutover.core.NotNullCutover;
import dev.cutover.examples.runbook.Runbook;
import dev.cutover.runbook.RunbookSchema;
import dev.cutover.testkit.CutoverTest;
import dev.cutover.testkit.TestDatabase;
import dev.cutover.testkit.db.PostgresServer;
import dev.cutover.testkit.db.PostgresServers;
import dev.cutover.testkit.db.ScratchDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * What {@code @CutoverTest} costs on embedded PostgreSQL 18: the time to the first test (the
 * server starts) and the time each further test class waits for its fresh database (from the
 * class's start to its first test), measured through the JUnit launcher on {@value #CLASSES}
 * test classes that each do what a cutover test does (the runbook's tables, 1,000 NULL rows, a
 * count and a verification). In the same run, per class: the template copy alone, a plain
 * {@code CREATE DATABASE} (a copy of template1), and the naive way, a new embedded server per
 * class.
 *
 * <pre>{@code
 * mvn -B -q -pl cutover-bench -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * java -cp cutover-bench/target/classes:$(cat cutover-bench/target/classpath.txt) dev.cutover.bench.TestkitBench
 * }</pre>
 */
public final class TestkitBench {

    static final int CLASSES = 20;
    static final Map<Class<?>, Long> FIRST_TEST = new ConcurrentHashMap<>();
    static final Map<String, Long> CLASS_STARTED = new ConcurrentHashMap<>();
    private static final int NAIVE_SERVERS = 3;
    private static final int COPIES = 30;

    private TestkitBench() {
    }

    public static void main(String[] args) throws Exception {
        Class<?>[] classes = TestkitBench.class.getDeclaredClasses();
        Arrays.sort(classes, (a, b) -> a.getSimpleName().compareTo(b.getSimpleName()));
        List<Class<?>> samples = Arrays.stream(classes).filter(c -> c.isAnnotationPresent(CutoverTest.class)).toList();

        long launched = System.nanoTime();
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
                .configurationParameter("junit.jupiter.testclass.order.default", "org.junit.jupiter.api.ClassOrderer$ClassName");
        samples.forEach(c -> request.selectors(DiscoverySelectors.selectClass(c)));
        LauncherDiscoveryRequest discovery = request.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener classStarts = new TestExecutionListener() {
            @Override
            public void executionStarted(TestIdentifier identifier) {
                identifier.getSource().filter(ClassSource.class::isInstance).map(ClassSource.class::cast)
                        .ifPresent(source -> CLASS_STARTED.putIfAbsent(source.getClassName(), System.nanoTime()));
            }
        };
        launcher.execute(discovery, summary, classStarts);
        if (summary.getSummary().getTotalFailureCount() > 0) {
            summary.getSummary().printFailuresTo(new java.io.PrintWriter(System.err, true), 20);
            throw new IllegalStateException("The sample classes failed");
        }
        List<Long> starts = samples.stream().map(FIRST_TEST::get).sorted().toList();
        double firstTest = (starts.get(0) - launched) / 1e6;
        List<Double> perClass = new ArrayList<>();
        for (int i = 1; i < starts.size(); i++) {
            perClass.add((starts.get(i) - starts.get(i - 1)) / 1e6);
        }
        List<Double> waits = new ArrayList<>();
        for (Class<?> sample : samples) {
            if (FIRST_TEST.get(sample) != starts.get(0)) {
                waits.add((FIRST_TEST.get(sample) - CLASS_STARTED.get(sample.getName())) / 1e6);
            }
        }

        // The same server kind outside JUnit: the copy alone, and a copy of template1.
        PostgresServer server = PostgresServers.embedded(18);
        List<Double> templateCopy = new ArrayList<>();
        for (int i = 0; i < COPIES; i++) {
            long t = System.nanoTime();
            ScratchDatabase db = server.createDatabase();
            templateCopy.add((System.nanoTime() - t) / 1e6);
            db.close();
        }
        List<Double> plainCreate = new ArrayList<>();
        try (ScratchDatabase admin = server.createDatabase();
             Connection c = DriverManager.getConnection(admin.jdbcUrl().replace("/" + admin.name(), "/postgres"));
             Statement s = c.createStatement()) {
            for (int i = 0; i < COPIES; i++) {
                long t = System.nanoTime();
                s.execute("create database bench_plain_" + i);
                plainCreate.add((System.nanoTime() - t) / 1e6);
                s.execute("drop database bench_plain_" + i);
            }
        }
        PostgresServers.stop(server);

        // The naive way: a new server for every class.
        List<Double> naive = new ArrayList<>();
        for (int i = 0; i < NAIVE_SERVERS; i++) {
            long t = System.nanoTime();
            PostgresServer fresh = PostgresServers.embedded(18);
            try (ScratchDatabase db = fresh.createDatabase()) {
                db.execute("select 1");
            }
            naive.add((System.nanoTime() - t) / 1e6);
            PostgresServers.stop(fresh);
        }

        System.out.println();
        System.out.println("| what (embedded PostgreSQL 18, " + samples.size() + " test classes) | median ms | max ms | n |");
        System.out.println("|---|---:|---:|---:|");
        System.out.printf("| @CutoverTest: time to the first test (JUnit start + server start + first database) | %.0f | %.0f | 1 |%n",
                firstTest, firstTest);
        row("@CutoverTest: each further class waits for its fresh database (class start to first test)", waits);
        row("@CutoverTest: each further class, start to start (wait + the class's own work)", perClass);
        row("PostgresServer.createDatabase(): template copy alone", templateCopy);
        row("CREATE DATABASE (copy of template1) alone", plainCreate);
        row("naive: a new embedded server per class (start + first database; stop not counted)", naive);
        System.out.println();
        System.out.println("Command: mvn -B -q -pl cutover-bench -am package -DskipTests dependency:build-classpath "
                + "-Dmdep.outputFile=target/classpath.txt && java -cp cutover-bench/target/classes:$(cat cutover-bench/target/classpath.txt) "
                + "dev.cutover.bench.TestkitBench");
    }

    private static void row(String what, List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        System.out.printf("| %s | %.1f | %.1f | %d |%n", what, sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), sorted.size());
    }

    static void first(Class<?> sample, TestDatabase db) {
        FIRST_TEST.putIfAbsent(sample, System.nanoTime());
        NotNullCutover cutover = Runbook.cutover();
        db.execute(RunbookSchema.DDL).fixtures().insertNullRows(cutover, 1_000, Map.of("email", "user-{n}@example.com"));
        if (db.cutoverDatabase().probe(cutover).count() != 1_000 || db.cutoverDatabase().verify(cutover).passed()) {
            throw new IllegalStateException("unexpected state in " + db.name());
        }
    }

    @CutoverTest
    public static class Sample01 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample01.class, db);
        }
    }

    @CutoverTest
    public static class Sample02 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample02.class, db);
        }
    }

    @CutoverTest
    public static class Sample03 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample03.class, db);
        }
    }

    @CutoverTest
    public static class Sample04 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample04.class, db);
        }
    }

    @CutoverTest
    public static class Sample05 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample05.class, db);
        }
    }

    @CutoverTest
    public static class Sample06 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample06.class, db);
        }
    }

    @CutoverTest
    public static class Sample07 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample07.class, db);
        }
    }

    @CutoverTest
    public static class Sample08 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample08.class, db);
        }
    }

    @CutoverTest
    public static class Sample09 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample09.class, db);
        }
    }

    @CutoverTest
    public static class Sample10 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample10.class, db);
        }
    }

    @CutoverTest
    public static class Sample11 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample11.class, db);
        }
    }

    @CutoverTest
    public static class Sample12 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample12.class, db);
        }
    }

    @CutoverTest
    public static class Sample13 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample13.class, db);
        }
    }

    @CutoverTest
    public static class Sample14 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample14.class, db);
        }
    }

    @CutoverTest
    public static class Sample15 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample15.class, db);
        }
    }

    @CutoverTest
    public static class Sample16 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample16.class, db);
        }
    }

    @CutoverTest
    public static class Sample17 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample17.class, db);
        }
    }

    @CutoverTest
    public static class Sample18 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample18.class, db);
        }
    }

    @CutoverTest
    public static class Sample19 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample19.class, db);
        }
    }

    @CutoverTest
    public static class Sample20 {
        @Test
        void firstTest(TestDatabase db) {
            first(Sample20.class, db);
        }
    }
}
