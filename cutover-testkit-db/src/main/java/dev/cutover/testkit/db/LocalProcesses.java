package dev.cutover.testkit.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starting the server programs that tests put beside PostgreSQL (PgBouncer, a standby) as
 * the operating-system user that owns PostgreSQL: both refuse to run as root, so a test JVM
 * running as root hands them to that user through {@code runuser}.
 */
final class LocalProcesses {

    /** System property naming the operating-system user that runs PgBouncer and standbys when the JVM runs as root. */
    static final String OS_USER_PROPERTY = "cutover.test.postgres-os-user";

    private LocalProcesses() {
    }

    /** The result of a command that ran to its end: its exit code and what it printed on stdout and stderr. */
    record Result(int exitCode, String output) {
    }

    static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The operating-system user the programs run as when the JVM runs as root ({@code postgres} unless configured). */
    static String osUser() {
        String configured = System.getProperty(OS_USER_PROPERTY);
        return configured == null || configured.isBlank() ? "postgres" : configured.trim();
    }

    /** The command as it must be started: through {@code runuser} when the JVM runs as root, else unchanged. */
    static List<String> asOsUser(List<String> command) {
        if (!runningAsRoot()) {
            return List.copyOf(command);
        }
        List<String> wrapped = new ArrayList<>(List.of(runuser(), "-u", osUser(), "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    private static String runuser() {
        return Stream.of("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser")
                .filter(p -> Files.isExecutable(Path.of(p)))
                .findFirst()
                .orElse("runuser");
    }

    /** A new directory only its owner may read, owned by the user the programs run as. */
    static Path privateDirectory(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            handOver(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary directory for " + prefix, e);
        }
    }

    /** Writes a file only its owner may read, owned by the user the programs run as. */
    static void writePrivateFile(Path file, String content) {
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            handOver(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    /** Gives the file to the user the programs run as, when the JVM runs as root; otherwise it stays the JVM user's. */
    static void handOver(Path path) throws IOException {
        if (!runningAsRoot()) {
            return;
        }
        UserPrincipal owner;
        try {
            owner = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(osUser());
        } catch (IOException e) {
            throw new IOException("There is no operating-system user '" + osUser() + "' to run PostgreSQL programs as (they refuse "
                    + "to run as root). Install PostgreSQL from the distribution's packages, or name another user with -D"
                    + OS_USER_PROPERTY + "=...", e);
        }
        Files.setOwner(path, owner);
    }

    /** A TCP port on 127.0.0.1 that nothing listens on right now. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free TCP port on 127.0.0.1", e);
        }
    }

    /** Whether something accepts TCP connections on 127.0.0.1 at this port. */
    static boolean accepts(String host, int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(host, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs a command to its end (killed after the timeout) with stdout and stderr together.
     *
     * @throws IllegalStateException when it cannot start or does not end in time
     */
    static Result run(List<String> command, Duration timeout) {
        Path output = null;
        try {
            output = Files.createTempFile("cutover-command-", ".log");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("'" + String.join(" ", command) + "' did not end within " + timeout.toSeconds()
                        + " s; it was killed. Its output:\n" + Files.readString(output));
            }
            return new Result(process.exitValue(), Files.readString(output));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run '" + String.join(" ", command) + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running '" + String.join(" ", command) + "'", e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a temporary file left behind
                }
            }
        }
    }

    /** The last lines of a log file, or a note that there is none. */
    static String tail(Path log, int lines) {
        try {
            if (!Files.exists(log)) {
                return "(no log at " + log + ")";
            }
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Deletes a directory and everything in it; whatever cannot be deleted is left and named in the exception. */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("Cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Sleeps a little while waiting for a program; an interrupt ends the wait with an exception. */
    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting", e);
        }
    }
}
