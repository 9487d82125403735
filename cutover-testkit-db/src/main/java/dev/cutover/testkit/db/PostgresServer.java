package dev.cutover.testkit.db;

/**
 * A running PostgreSQL server that hands out fresh, throw-away databases.
 *
 * <p>Get one from {@link PostgresServers}; every test (or test class) asks for its own
 * {@link ScratchDatabase} and closes it afterwards, so nothing depends on what an earlier
 * run left on the server.
 *
 * <pre>{@code
 * PostgresServer server = PostgresServers.shared();   // JDBC URL, Testcontainers or embedded
 * try (ScratchDatabase db = server.createDatabase()) {
 *     db.execute("create table t (id bigint primary key)");
 *     DataSource ds = db.dataSource();
 * }                                                    // dropped here
 * }</pre>
 */
public interface PostgresServer extends AutoCloseable {

    /** Where the server comes from, e.g. {@code embedded PostgreSQL 18.1 on port 41235}. */
    String description();

    /** The server's major version, read from the server itself (e.g. {@code 15}). */
    int majorVersion();

    /** The server's {@code server_version_num}, e.g. {@code 150019}. */
    int versionNumber();

    /**
     * Creates a new, empty database on this server, as a copy of a template database that
     * this server object makes once ({@code CREATE DATABASE ... TEMPLATE cutover_template_...};
     * nobody may connect to that template, so copies never wait for or fail on other
     * sessions). Closing the returned database disconnects its sessions and drops it.
     */
    ScratchDatabase createDatabase();

    /** Stops the server if this object started it; a server given by URL is left running. */
    @Override
    void close();
}
