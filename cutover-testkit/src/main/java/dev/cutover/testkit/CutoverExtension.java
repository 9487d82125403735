package dev.cutover.testkit;

import dev.cutover.testkit.db.PostgresServer;
import dev.cutover.testkit.db.PostgresServers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JUnit Jupiter extension behind {@link CutoverTest @CutoverTest}: one PostgreSQL server
 * per JVM (kept in the root store), a fresh database per test class (a copy of the server's
 * template database, dropped after the class), resolved as a {@link TestDatabase} parameter.
 * Works with JUnit Jupiter 5.12 and later, including 6.x.
 *
 * <p>With options, register it in a static field:
 * <pre>{@code
 * class OldServerTest {
 *     @RegisterExtension
 *     static CutoverExtension cutover = CutoverExtension.builder()
 *         .postgresVersion(12)                          // embedded or container PostgreSQL 12
 *         .flywayLocations("classpath:db/migration")
 *         .build();
 *
 *     @Test
 *     void migrates(TestDatabase db) {
 *         db.flyway().load().migrate();
 *     }
 * }
 * }</pre>
 *
 * Nested test classes share their outermost class's database; options on a {@code @Nested} class
 * (annotation or field) that differ from the outermost class's are refused. With both
 * {@code @CutoverTest} and a {@code @RegisterExtension} field, the field's instance answers (the
 * outermost class's, when several classes have one).
 */
public final class CutoverExtension implements BeforeAllCallback, ParameterResolver {

    private static final Logger LOG = LoggerFactory.getLogger(CutoverExtension.class);
    private static final Namespace NAMESPACE = Namespace.create(CutoverExtension.class);
    private static final String DATABASE = "database";

    private final Options options;

    /** With the options of the test class's {@link CutoverTest} annotation, if any; used by {@code @ExtendWith}. */
    public CutoverExtension() {
        this(null);
    }

    private CutoverExtension(Options options) {
        this.options = options;
    }

    /** Starts an extension with options, for {@code @RegisterExtension static}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Creates the class's database before {@code @BeforeAll} methods run, so a failure shows once, at the class;
     * refuses options on a {@code @Nested} class that differ from those the shared database was made with.
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        Registrations registrations = Registrations.of(context);
        if (!answers(registrations) || (options == null && registrations.unregisteredInstanceField().isPresent())) {
            return;
        }
        database(context);
        NestedOptions.check(registrations, effectiveOptions(registrations.classes().get(0)));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == TestDatabase.class && answers(Registrations.of(extensionContext));
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        if (options == null) {
            Optional<Registrations.InstanceField> unregistered = Registrations.of(extensionContext).unregisteredInstanceField();
            if (unregistered.isPresent()) {
                throw new ParameterResolutionException(Registrations.displayName(unregistered.get().declaringClass())
                        + " is annotated with @CutoverTest and registers CutoverExtension in the non-static field '"
                        + unregistered.get().name() + "' too. The field's options apply, but JUnit registers a non-static "
                        + "field only once the test instance exists, too late for static @BeforeAll methods and constructor "
                        + "parameters: make the field static (or remove it and keep @CutoverTest).");
            }
        }
        try {
            return database(extensionContext);
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("Cannot provide a TestDatabase for " + parameterContext.getParameter()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether this instance answers for the context: the one a field registered (the outermost class's
     * static field first), else the one {@code @CutoverTest} registered. Exactly one instance answers.
     */
    private boolean answers(Registrations registrations) {
        Optional<CutoverExtension> winner = registrations.fieldWinner();
        if (winner.isPresent()) {
            return winner.get() == this;
        }
        return options == null || !registrations.annotated();
    }

    /** The database of the outermost test class of this context, created on first use. */
    @SuppressWarnings("deprecation") // getOrComputeIfAbsent: deprecated in 6.0, the only form 5.12 has
    private TestDatabase database(ExtensionContext context) {
        ExtensionContext classContext = outermostClass(context);
        return classContext.getStore(NAMESPACE)
                .getOrComputeIfAbsent(DATABASE, key -> openDatabase(classContext), StoredDatabase.class)
                .database();
    }

    private Options effectiveOptions(Class<?> outermostClass) {
        return options != null ? options : Options.of(outermostClass);
    }

    @SuppressWarnings("deprecation") // getOrComputeIfAbsent: deprecated in 6.0, the only form 5.12 has
    private StoredDatabase openDatabase(ExtensionContext classContext) {
        Options effective = effectiveOptions(classContext.getRequiredTestClass());
        StoredServer server = classContext.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(effective.serverKey(), key -> effective.openServer(), StoredServer.class);
        long started = System.nanoTime();
        StoredDatabase database = new StoredDatabase(server, new DefaultTestDatabase(server.server(), server.take(),
                effective.flywayLocations()));
        LOG.atDebug().addKeyValue("database", database.database().name())
                .addKeyValue("testClass", classContext.getRequiredTestClass().getName())
                .log("Created test database {} in {} ms", database.database().name(), (System.nanoTime() - started) / 1_000_000);
        return database;
    }

    /** This instance's options; {@code null} for the one {@code @CutoverTest} registers. */
    Options options() {
        return options;
    }

    private static ExtensionContext outermostClass(ExtensionContext context) {
        ExtensionContext current = context;
        while (current.getParent().flatMap(ExtensionContext::getParent).isPresent()) {
            current = current.getParent().orElseThrow();
        }
        return current;
    }

    @Override
    public String toString() {
        return "CutoverExtension[" + (options == null ? "from @CutoverTest" : options) + "]";
    }

    /** Options of a {@link CutoverExtension}; each setter checks its argument at once, {@link #build()} checks them together. */
    public static final class Builder {
        private Integer postgresVersion;
        private List<String> flywayLocations;
        private String jdbcUrl;
        private PostgresServer server;

        private Builder() {
        }

        /** Embedded (or, with Docker, container) PostgreSQL of this major version, 12 or later; an explicit JDBC URL in the environment is then not used. */
        public Builder postgresVersion(int major) {
            if (postgresVersion != null) {
                throw new IllegalArgumentException("postgresVersion was already set to " + postgresVersion);
            }
            if (major < 12) {
                throw new IllegalArgumentException("postgresVersion must be 12 or later, but was " + major);
            }
            this.postgresVersion = major;
            return this;
        }

        /** Locations for {@link TestDatabase#flyway()}, e.g. {@code "classpath:db/migration"}. */
        public Builder flywayLocations(String... locations) {
            if (flywayLocations != null) {
                throw new IllegalArgumentException("flywayLocations was already set to " + flywayLocations);
            }
            this.flywayLocations = Options.checkLocations(locations);
            return this;
        }

        /**
         * Reuse a running server: test databases are created on it and dropped again; the server
         * keeps running. A Testcontainers URL ({@code jdbc:tc:postgresql:16:///test}) starts that
         * container instead.
         */
        public Builder jdbcUrl(String url) {
            if (jdbcUrl != null) {
                throw new IllegalArgumentException("jdbcUrl was already set to " + jdbcUrl);
            }
            Objects.requireNonNull(url, "jdbcUrl");
            if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:tc:postgresql:")) {
                throw new IllegalArgumentException("jdbcUrl must start with jdbc:postgresql: (a running server) or "
                        + "jdbc:tc:postgresql: (a Testcontainers container), but was '" + url + "'");
            }
            this.jdbcUrl = url;
            return this;
        }

        /** Reuse a server you already have (e.g. {@code PostgresServers.embedded(12)}); it is not stopped by the extension. */
        public Builder server(PostgresServer server) {
            if (this.server != null) {
                throw new IllegalArgumentException("server was already set to " + this.server.description());
            }
            this.server = Objects.requireNonNull(server, "server");
            return this;
        }

        /**
         * The extension, for a {@code static} field annotated {@code @RegisterExtension}.
         *
         * @throws IllegalArgumentException when two options both choose the server
         */
        public CutoverExtension build() {
            List<String> chosen = new ArrayList<>();
            if (postgresVersion != null) {
                chosen.add("postgresVersion(" + postgresVersion + ")");
            }
            if (jdbcUrl != null) {
                chosen.add("jdbcUrl(" + jdbcUrl + ")");
            }
            if (server != null) {
                chosen.add("server(" + server.description() + ")");
            }
            if (chosen.size() > 1) {
                throw new IllegalArgumentException(String.join(" and ", chosen) + " each choose the server: give only one of them");
            }
            return new CutoverExtension(new Options(Optional.ofNullable(postgresVersion), Optional.ofNullable(jdbcUrl),
                    Optional.ofNullable(server), flywayLocations == null ? List.of() : flywayLocations));
        }
    }

    /** Resolved options; from a builder or from {@link CutoverTest}. */
    record Options(Optional<Integer> postgresVersion, Optional<String> jdbcUrl, Optional<PostgresServer> server,
                   List<String> flywayLocations) {

        static Options of(Class<?> testClass) {
            return of(findAnnotation(testClass), testClass);
        }

        /** The options of one annotation (none for {@code null}). */
        static Options of(CutoverTest annotation, Class<?> testClass) {
            if (annotation == null) {
                return new Options(Optional.empty(), Optional.empty(), Optional.empty(), List.of());
            }
            if (annotation.postgresVersion() != 0 && annotation.postgresVersion() < 12) {
                throw new IllegalArgumentException("@CutoverTest(postgresVersion = " + annotation.postgresVersion()
                        + ") on " + testClass.getName() + ": postgresVersion must be 12 or later, or 0 for the provider chain's choice");
            }
            return new Options(annotation.postgresVersion() == 0 ? Optional.empty() : Optional.of(annotation.postgresVersion()),
                    Optional.empty(), Optional.empty(),
                    annotation.flywayLocations().length == 0 ? List.of() : checkLocations(annotation.flywayLocations()));
        }

        private static CutoverTest findAnnotation(Class<?> testClass) {
            for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
                CutoverTest found = annotationOn(c);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }

        /** {@code @CutoverTest} on this class itself (or inherited from a superclass, or on one of its annotations). */
        static CutoverTest annotationOn(Class<?> c) {
            CutoverTest direct = c.getAnnotation(CutoverTest.class);
            if (direct != null) {
                return direct;
            }
            for (var meta : c.getAnnotations()) {
                CutoverTest onMeta = meta.annotationType().getAnnotation(CutoverTest.class);
                if (onMeta != null) {
                    return onMeta;
                }
            }
            return null;
        }

        boolean isEmpty() {
            return postgresVersion.isEmpty() && jdbcUrl.isEmpty() && server.isEmpty() && flywayLocations.isEmpty();
        }

        static List<String> checkLocations(String... locations) {
            if (locations == null || locations.length == 0) {
                throw new IllegalArgumentException("flywayLocations needs at least one location, e.g. classpath:db/migration");
            }
            for (String location : locations) {
                if (location == null || location.isBlank()) {
                    throw new IllegalArgumentException("flywayLocations must not contain a blank location, but was "
                            + Arrays.toString(locations));
                }
            }
            return List.of(locations);
        }

        /** Which server these options mean, as a key of the root store. */
        Object serverKey() {
            return server.<Object>map(s -> s)
                    .or(() -> jdbcUrl.map(url -> "url:" + url))
                    .or(() -> postgresVersion.map(v -> "version:" + v))
                    .orElse("provider-chain");
        }

        StoredServer openServer() {
            if (server.isPresent()) {
                return new StoredServer(server.get(), false);
            }
            List<PostgresServer> before = PostgresServers.running();
            PostgresServer opened = jdbcUrl.map(PostgresServers::jdbcUrl)
                    .or(() -> postgresVersion.map(PostgresServers::ofVersion))
                    .orElseGet(PostgresServers::shared);
            return new StoredServer(opened, before.stream().noneMatch(running -> running == opened));
        }

        @Override
        public String toString() {
            List<String> parts = new ArrayList<>();
            postgresVersion.ifPresent(v -> parts.add("postgresVersion=" + v));
            jdbcUrl.ifPresent(u -> parts.add("jdbcUrl=" + u));
            server.ifPresent(s -> parts.add("server=" + s.description()));
            if (!flywayLocations.isEmpty()) {
                parts.add("flywayLocations=" + flywayLocations);
            }
            return String.join(", ", parts);
        }
    }
}
