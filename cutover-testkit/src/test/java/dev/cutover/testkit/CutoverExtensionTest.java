package dev.cutover.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.cutover.testkit.db.PostgresServer;
import dev.cutover.testkit.db.PostgresServers;
import dev.cutover.testkit.db.ScratchDatabase;
import dev.cutover.testkit.internal.MissingExtensionHint;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs small test classes through the Jupiter engine and looks at what the extension did.
 * The sample classes are static nested classes without {@code @Nested}, so only these runs execute them.
 */
class CutoverExtensionTest {

    static final List<String> SEEN = new CopyOnWriteArrayList<>();
    private static volatile boolean runningSamples;
    static volatile String ownServerUrl;

    @BeforeEach
    void clear() {
        SEEN.clear();
    }

    @Test
    void everyMethodOfAClassGetsTheSameDatabaseAndTheNextClassANewOne() {
        run(FirstSample.class, SecondSample.class).testEvents().assertStatistics(s -> s.started(3).succeeded(3));

        assertThat(SEEN).hasSize(6);
        List<String> first = SEEN.stream().filter(s -> s.startsWith("first:")).map(s -> s.substring(s.indexOf(' ') + 1)).distinct().toList();
        List<String> second = SEEN.stream().filter(s -> s.startsWith("second:")).map(s -> s.substring(s.indexOf(' ') + 1)).distinct().toList();
        assertThat(first).hasSize(1);
        assertThat(second).hasSize(1);
        assertThat(first.get(0)).isNotEqualTo(second.get(0));
    }

    @Test
    void databasesAreDroppedAfterTheirClass() {
        run(FirstSample.class).testEvents().assertStatistics(s -> s.succeeded(2));

        String name = SEEN.get(0).substring(SEEN.get(0).indexOf(' ') + 1);
        try (ScratchDatabase probe = PostgresServers.shared().createDatabase()) {
            assertThat(CutoverFixtures.of(probe.dataSource())).isNotNull();
            assertThat(count(probe, "select count(*) from pg_database where datname = '" + name + "'")).isZero();
        }
    }

    @Test
    void aServerStartedForTheRunIsStoppedWhenTheRunEnds() {
        String adminUrl;
        try (ScratchDatabase db = PostgresServers.shared().createDatabase()) {
            adminUrl = db.jdbcUrl().replaceFirst("^(jdbc:postgresql://[^/?]*)/[^?]*", "$1/postgres")
                    + (db.jdbcUrl().contains("?") ? "&" : "?") + "ApplicationName=cutover-extension-test";
        }
        ownServerUrl = adminUrl;

        run(OwnServerSample.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1));

        assertThat(OwnServerSample.server).isNotNull();
        assertThat(PostgresServers.running()).doesNotContain(OwnServerSample.server);
    }

    @Test
    void nestedClassesShareTheirEnclosingClassDatabase() {
        run(OuterSample.class).testEvents().assertStatistics(s -> s.started(2).succeeded(2));

        assertThat(SEEN.stream().map(s -> s.substring(s.indexOf(' ') + 1)).distinct()).hasSize(1);
    }

    @Test
    void optionsOfTheAnnotationChooseTheVersion() {
        run(OldVersionSample.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1));

        assertThat(SEEN).containsExactly("major 12");
    }

    @Test
    void aRegisteredFieldWinsOverTheAnnotationWithoutCompetingResolvers() {
        run(BothSample.class).testEvents().assertStatistics(s -> s.started(1).succeeded(1));

        assertThat(SEEN).containsExactly("server given");
    }

    @Test
    void aGivenServerIsUsedAndLeftRunning() {
        run(BothSample.class).testEvents().assertStatistics(s -> s.succeeded(1));

        try (ScratchDatabase db = BothSample.SERVER.createDatabase()) {
            assertThat(count(db, "select 1")).isEqualTo(1);
        }
    }

    @Test
    void aFailingDatabaseIsReportedAtTheClassWithTheFix() {
        EngineExecutionResults results = run(UnreachableSample.class);

        results.testEvents().assertStatistics(s -> s.started(0));
        Throwable thrown = failure(results.containerEvents().failed().list());
        assertThat(thrown).hasMessageStartingWith("Cannot connect to the PostgreSQL server for tests at "
                + "jdbc:postgresql://127.0.0.1:1/postgres?user=postgres&connectTimeout=2");
        assertThat(thrown).hasMessageEndingWith("Check that it runs and that the URL names a user allowed to create databases.");
    }

    @Test
    void aTestDatabaseParameterWithoutTheExtensionGetsTheFixLogged() {
        EngineExecutionResults results = run(WithoutExtensionSample.class);

        Throwable thrown = failure(results.testEvents().failed().list());
        assertThat(MissingExtensionHint.hint(thrown)).hasValueSatisfying(hint -> assertThat(hint)
                .startsWith("A TestDatabase parameter needs the cutover extension: annotate the test class with @CutoverTest, "
                        + "or register it with @RegisterExtension static CutoverExtension cutover = CutoverExtension.builder().build(); "
                        + "(a non-static field registers too late for @BeforeAll methods and constructors). "
                        + "JUnit said: No ParameterResolver registered for parameter [dev.cutover.testkit.TestDatabase"));
        assertThat(MissingExtensionHint.hint(new IllegalStateException("other"))).isEmpty();
    }

    @Test
    void optionsOnANestedClassThatDifferAreRefusedWithWhereToPutThem() {
        EngineExecutionResults results = run(NestedVersionSample.class, NestedLocationsSample.class);

        results.testEvents().assertStatistics(s -> s.started(2).succeeded(2));
        List<Throwable> failures = results.containerEvents().failed().list().stream()
                .map(e -> e.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow()).toList();
        assertThat(failures).hasSize(2);
        assertThat(failures.get(0)).hasMessage("@CutoverTest options on the @Nested class "
                + "CutoverExtensionTest.NestedVersionSample.Inner (postgresVersion=12) are not applied: nested classes share "
                + "the database of their outermost class CutoverExtensionTest.NestedVersionSample, made with other options "
                + "(the provider chain's choice). Put the options on CutoverExtensionTest.NestedVersionSample, "
                + "or make CutoverExtensionTest.NestedVersionSample.Inner a test class of its own.");
        assertThat(failures.get(1)).hasMessage("@CutoverTest options on the @Nested class "
                + "CutoverExtensionTest.NestedLocationsSample.Inner (flywayLocations=[classpath:db/example]) are not applied: "
                + "nested classes share the database of their outermost class CutoverExtensionTest.NestedLocationsSample, made "
                + "with other options (flywayLocations=[classpath:db/testkit]). Put the options on "
                + "CutoverExtensionTest.NestedLocationsSample, or make CutoverExtensionTest.NestedLocationsSample.Inner a test "
                + "class of its own.");
        assertThat(SEEN).containsExactlyInAnyOrder("outer ran", "outer ran");
    }

    @Test
    void optionsOnANestedClassThatRepeatTheOuterOnesAreAccepted() {
        run(NestedSameOptionsSample.class).testEvents().assertStatistics(s -> s.started(2).succeeded(2));

        assertThat(SEEN).containsExactly("outer 1", "inner 1");
    }

    @Test
    void anOuterRegisteredFieldWinsOverTheNestedAnnotationQuietly() {
        EngineExecutionResults results = run(OuterFieldNestedAnnotationSample.class, OuterExtensionTypedFieldSample.class,
                ExtensionTypedFieldSample.class);

        results.allEvents().assertStatistics(s -> s.failed(0));
        results.testEvents().assertStatistics(s -> s.started(5).succeeded(5));
        assertThat(SEEN).containsExactlyInAnyOrder("outer field: server given", "nested annotation: server given",
                "outer Extension field: server given", "nested annotation under Extension field: server given",
                "Extension field and annotation: server given");
    }

    @Test
    void theAnnotationWithANonStaticFieldSaysToMakeTheFieldStatic() {
        EngineExecutionResults results = run(NonStaticFieldSample.class);

        Throwable thrown = failure(results.allEvents().failed().list());
        assertThat(thrown).hasMessage("CutoverExtensionTest.NonStaticFieldSample is annotated with @CutoverTest and registers "
                + "CutoverExtension in the non-static field 'cutover' too. The field's options apply, but JUnit registers a "
                + "non-static field only once the test instance exists, too late for static @BeforeAll methods and constructor "
                + "parameters: make the field static (or remove it and keep @CutoverTest).");
        assertThat(SEEN).isEmpty();
    }

    @Test
    void builderRefusesWrongOptionsAtOnce() {
        assertThatThrownBy(() -> CutoverExtension.builder().postgresVersion(11))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("postgresVersion must be 12 or later, but was 11");
        assertThatThrownBy(() -> CutoverExtension.builder().postgresVersion(18).postgresVersion(17))
                .hasMessage("postgresVersion was already set to 18");
        assertThatThrownBy(() -> CutoverExtension.builder().jdbcUrl("jdbc:mysql://h/db"))
                .hasMessage("jdbcUrl must start with jdbc:postgresql: (a running server) or jdbc:tc:postgresql: "
                        + "(a Testcontainers container), but was 'jdbc:mysql://h/db'");
        assertThatThrownBy(() -> CutoverExtension.builder().flywayLocations())
                .hasMessage("flywayLocations needs at least one location, e.g. classpath:db/migration");
        assertThatThrownBy(() -> CutoverExtension.builder().flywayLocations("classpath:db", " "))
                .hasMessage("flywayLocations must not contain a blank location, but was [classpath:db,  ]");
        assertThatThrownBy(() -> CutoverExtension.builder().flywayLocations("a").flywayLocations("b"))
                .hasMessage("flywayLocations was already set to [a]");
    }

    @Test
    void builderRefusesTwoWaysToChooseTheServer() {
        assertThatThrownBy(() -> CutoverExtension.builder().postgresVersion(12)
                .jdbcUrl("jdbc:postgresql://127.0.0.1:5432/test?user=postgres").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("postgresVersion(12) and jdbcUrl(jdbc:postgresql://127.0.0.1:5432/test?user=postgres) each choose "
                        + "the server: give only one of them");
    }

    private static EngineExecutionResults run(Class<?>... classes) {
        var request = EngineTestKit.engine("junit-jupiter");
        for (Class<?> c : classes) {
            request = request.selectors(selectClass(c));
        }
        runningSamples = true;
        try {
            return request.execute();
        } finally {
            runningSamples = false;
        }
    }

    /** The sample classes run only inside {@link #run}, not when a test filter happens to select them. */
    static boolean runningSamples() {
        return runningSamples;
    }

    private static Throwable failure(List<Event> events) {
        assertThat(events).isNotEmpty();
        return events.get(0).getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
    }

    private static long count(ScratchDatabase db, String sql) {
        try (var c = db.dataSource().getConnection(); var s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @EnabledIf("dev.cutover.testkit.CutoverExtensionTest#runningSamples")
    @CutoverTest
    static class FirstSample {
        @BeforeAll
        static void before(TestDatabase db) {
            SEEN.add("first:beforeAll " + db.name());
        }

        @Test
        void one(TestDatabase db) {
            SEEN.add("first:one " + db.name());
        }

        @Test
        void two(TestDatabase db) {
            SEEN.add("first:two " + db.name());
        }
    }

    @EnabledIf("dev.cutover.testkit.CutoverExtensionTest#runningSamples")
    @CutoverTest
    static class SecondSample {
        private final TestDatabase fromConstructor;

        SecondSample(TestDatabase db) {
            this.fromConstructor = db;
        }

        @Test
        void one(TestDatabase db) {
            SEEN.add("second:constructor " + fromConstructor.name());
            SEEN.add("second:one " + db.name());
        }

        @AfterAll
        static void after(TestDatabase db) {
            SEEN.add("second:afterAll " + db.name());
        }
    }

    @EnabledIf("dev.cutover.testkit.CutoverExtensionTest#runningSamples")
    @CutoverTest
    static class OuterSample {
        @Test
        void outer(TestDatabase db) {
            SEEN.add("outer " + db.name());
        }

        @Nested
        class Inner {
            @Test
            void inner(TestDatabase db) {
                SEEN.add("inner " + db.name());
            }
        }
    }

    @EnabledIf("dev.cutover.testkit.CutoverExtensionTest#runningSamples")
    @CutoverTest(postgresVersion = 12)
    static class OldVersionSample {
        @Test
        void version(TestDatabase db) {
            SEEN.add("major " + db.majorVersion());
        }
    }

    @EnabledIf("dev.cutover.testkit.CutoverExtensionTest#runningSamples")
    @CutoverTest
    static class BothSample {
        static final PostgresServer SERVER = PostgresServers.embedded(12);

        @RegisterExtension
        static final CutoverExtension CUTOVER = CutoverExtension.builder().server(SERVER).build();

        @Test
        void server(TestDatabase db) {
            SEEN.add(db.server() == SERVER ? "server given" : "another server: " + db.server());
        }
    }

    @EnabledIf("dev.cutover.testkit.CutoverExtensionTest#runningSamples")
    @CutoverTest
    static class NestedVersionSample {
        @Test
        void outer(TestDatabase db) {
            SEEN.add("outer ran");
        }

        @Nested
        @CutoverTest(postgresVersion = 12)
        class Inner {
            @Test
            void inner(TestDatabase db) {
                SEEN.add("inner on " + db.majorVersion());
            }
        }
    }

    @EnabledIf("dev.cutover.testkit.CutoverExtensionTest#runningSamples")
    @CutoverTest(flywayLocations = "classpath:db/testkit")
    static class NestedLocationsSample {
        @Test
        void outer(TestDatabase db) {
            SEEN.add("outer ran");
        }

        @Nested
        @CutoverTest(flywayLocations = "classpath:db/example")
        class Inner {
            @Test
            void inner(TestDatabase db) {
                SEEN.add("inner migrated " + db.flyway().load().migrate().migrationsExecuted);
            }
        }
    }

    @EnabledIf("dev.cutover.testkit.CutoverExtensionTest#runningSamples")
    @CutoverTest(flywayLocations = "classpath:db/testkit")
    static class NestedSameOptionsSample {
        @Test
        void outer(TestDatabase db) {
            SEEN.add("outer " + db.flyway().load().migrate().migrationsExecuted);
        }

        @Nested
        @CutoverTest(flywayLocations = "classpath:db/testkit")
        class Inner {
            @Test
            void inner(TestDatabase db) {
                SEEN.add("inner " + db.queryForLong("select count(*) from accounts"));
            }
        }
    }

    @EnabledIf("dev.cutover.testkit.CutoverExtensionTest#runningSamples")
    static class OuterFieldNestedAnnotationSample {
        @RegisterExtension
        static final CutoverExtension CUTOVER = CutoverExtension.builder().server(BothSample.SERVER).build();

        @Test
        void outer(TestDatabase db) {
            SEEN.add("outer field: " + given(db));
        }

        @Nested
        @CutoverTest
        class Inner {
            @Test
            void inner(TestDatabase db) {
                SEEN.add("nested annotation: " + given(db));
            }
        }
    }

    @EnabledIf("dev.cutover.testkit.CutoverExtensionTest#runningSamples")
    static class OuterExtensionTypedFieldSample {
        @RegisterExtension
        static final Extension CUTOVER = CutoverExtension.builder().server(BothSample.SERVER).build();

        @Test
        void outer(TestDatabase db) {
            SEEN.add("outer Extension field: " + given(db));
        }

        @Nested
        @CutoverTest
        class Inner {
            @Test
            void inner(TestDatabase db) {
                SEEN.add("nested annotation under Extension field: " + given(db));
            }
        }
    }

    @EnabledIf("dev.cutover.testkit.CutoverExtensionTest#runningSamples")
    @CutoverTest
    static class ExtensionTypedFieldSample {
        @RegisterExtension
        static final Extension CUTOVER = CutoverExtension.builder().server(BothSample.SERVER).build();

        @Test
        void both(TestDatabase db) {
            SEEN.add("Extension field and annotation: " + given(db));
        }
    }

    static String given(TestDatabase db) {
        return db.server() == BothSample.SERVER ? "server given" : "another server: " + db.server();
    }

    @EnabledIf("dev.cutover.testkit.CutoverExtensionTest#runningSamples")
    @CutoverTest
    static class NonStaticFieldSample {
        @RegisterExtension
        final CutoverExtension cutover = CutoverExtension.builder().build();

        @BeforeAll
        static void before(TestDatabase db) {
            SEEN.add("beforeAll " + db.name());
        }

        @Test
        void test(TestDatabase db) {
            SEEN.add("test " + db.name());
        }
    }

    @EnabledIf("dev.cutover.testkit.CutoverExtensionTest#runningSamples")
    static class OwnServerSample {
        static PostgresServer server;

        @RegisterExtension
        static final CutoverExtension CUTOVER = CutoverExtension.builder().jdbcUrl(ownServerUrl).build();

        @Test
        void server(TestDatabase db) {
            server = db.server();
        }
    }

    @EnabledIf("dev.cutover.testkit.CutoverExtensionTest#runningSamples")
    static class WithoutExtensionSample {
        @Test
        void needsADatabase(TestDatabase db) {
            SEEN.add("ran");
        }
    }

    @EnabledIf("dev.cutover.testkit.CutoverExtensionTest#runningSamples")
    static class UnreachableSample {
        @RegisterExtension
        static final CutoverExtension CUTOVER = CutoverExtension.builder()
                .jdbcUrl("jdbc:postgresql://127.0.0.1:1/postgres?user=postgres&connectTimeout=2").build();

        @Test
        void never(TestDatabase db) {
            SEEN.add("ran");
        }
    }
}
