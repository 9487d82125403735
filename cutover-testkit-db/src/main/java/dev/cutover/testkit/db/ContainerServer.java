package dev.cutover.testkit.db;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * PostgreSQL in a Docker container through Testcontainers. Uses only the core API that
 * Testcontainers 1.21 and 2.x share ({@code GenericContainer}), so either line works.
 * Loaded only after {@link PostgresServers} has seen Testcontainers on the classpath.
 */
final class ContainerServer implements PostgresServer {

    private final GenericContainer<?> container;
    private final UrlServer server;

    private ContainerServer(GenericContainer<?> container, UrlServer server) {
        this.container = container;
        this.server = server;
    }

    static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    static ContainerServer start(int major) {
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse("postgres:" + major));
        container.addEnv("POSTGRES_HOST_AUTH_METHOD", "trust");
        container.addExposedPort(5432);
        container.setCommand("postgres", "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=300");
        container.setWaitStrategy(Wait.forLogMessage(".*database system is ready to accept connections.*", 2));
        container.start();
        String url = "jdbc:postgresql://" + container.getHost() + ":" + container.getMappedPort(5432)
                + "/postgres?user=postgres";
        return new ContainerServer(container, new UrlServer("Testcontainers postgres:" + major + " at " + url, url));
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

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return description();
    }
}
