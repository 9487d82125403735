package dev.cutover.examples;

import dev.cutover.testkit.db.PostgresServer;
import dev.cutover.testkit.db.PostgresServers;
import dev.cutover.testkit.db.ScratchDatabase;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Where the demo runs: a fresh database on embedded PostgreSQL, or a schema of its own on a
 * database given by JDBC URL. Either way everything is dropped afterwards.
 */
final class DemoDatabase implements AutoCloseable {

    private final String description;
    private final String schema;
    private final PGSimpleDataSource dataSource;
    private final AutoCloseable cleanup;

    private DemoDatabase(String description, String url, String user, String password, String schema, AutoCloseable cleanup) {
        this.description = description;
        this.schema = schema;
        this.cleanup = cleanup;
        this.dataSource = new PGSimpleDataSource();
        dataSource.setURL(url);
        if (user != null) {
            dataSource.setUser(user);
        }
        if (password != null) {
            dataSource.setPassword(password);
        }
        dataSource.setCurrentSchema(schema);
        dataSource.setApplicationName("cutover-demo");
    }

    /** A fresh database on embedded PostgreSQL of this major version. */
    static DemoDatabase embedded(int major) {
        PostgresServer server = PostgresServers.embedded(major);
        ScratchDatabase database = server.createDatabase();
        String schema = "runbook_demo";
        database.execute("create schema " + schema);
        return new DemoDatabase(server.description(), database.jdbcUrl(), database.user(), database.password(), schema,
                database);
    }

    /** A schema of its own on the database at this URL, dropped afterwards. */
    static DemoDatabase external(String url) {
        String schema = "cutover_demo_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        PGSimpleDataSource admin = new PGSimpleDataSource();
        admin.setURL(url);
        run(admin, "create schema " + schema);
        return new DemoDatabase("the database at " + url, url, admin.getUser(), admin.getPassword(), schema,
                () -> run(admin, "drop schema " + schema + " cascade"));
    }

    private static void run(DataSource dataSource, String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    DataSource dataSource() {
        return dataSource;
    }

    String schema() {
        return schema;
    }

    String description() {
        return description;
    }

    @Override
    public void close() throws Exception {
        cleanup.close();
    }
}
