package dev.cutover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cutover.testkit.db.PostgresServers;
import dev.cutover.testkit.db.ScratchDatabase;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * A scratch database with the runbook's tables, a configuration file, and a way to run the
 * command line in-process against them.
 */
final class CliFixture implements AutoCloseable {

    static final String CONFIG = """
            cutover:
              probe-timeout: 30s
              cutovers:
                - table: user
                  column: organization_id
                  references: organizations(id)
                  on-delete: RESTRICT
                  migration: "17"
                  inspect: [id, email, created_at]
                  newest-first-by: created_at
                  sensitive: [email]
                  remediation:
                    batch-size: 2
                    policies:
                      - lookup: select id from organizations where domain = split_part(:email, '@', 2)
                      - constant: 2
            """;

    /** What one run printed and returned. */
    record Result(int exitCode, String out, String err) {
        JsonNode json() {
            try {
                return new ObjectMapper().readTree(out);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + out + "\nstderr: " + err, e);
            }
        }
    }

    final ScratchDatabase db;
    final Path dir;
    final Path config;

    CliFixture(Path dir) {
        this(dir, PostgresServers.shared().createDatabase());
    }

    /** The runbook's tables in {@code db}, a scratch database of a server the test chose (it is dropped by {@link #close()}). */
    CliFixture(Path dir, ScratchDatabase db) {
        this.dir = dir;
        this.db = db;
        db.execute("""
                create table organizations (id bigint generated always as identity primary key, name text not null,
                                            domain text not null);
                create table "user" (id bigint generated always as identity primary key, email text not null,
                                     created_at timestamptz not null,
                                     organization_id bigint references organizations(id));
                insert into organizations (name, domain) values ('Acme', 'acme.example'), ('Unassigned', 'none.example');
                insert into "user" (email, created_at, organization_id) values
                    ('ann@acme.example', '2026-01-01T10:00:00Z', null),
                    ('bob@example.com',  '2026-01-02T10:00:00Z', null),
                    ('cy@acme.example',  '2026-01-03T10:00:00Z', null),
                    ('dee@acme.example', '2026-01-04T10:00:00Z', 1),
                    ('eve@acme.example', '2026-01-05T10:00:00Z', 1);
                """);
        this.config = write("cutover.yml", CONFIG);
    }

    Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment a person would have: CUTOVER_URL and, when the server needs one, PGPASSWORD. */
    Environment env() {
        Map<String, String> vars = new HashMap<>();
        vars.put("CUTOVER_URL", url());
        if (db.password() != null) {
            vars.put("PGPASSWORD", db.password());
        }
        return new Environment(vars, dir);
    }

    String url() {
        String url = db.jdbcUrl();
        if (db.user() != null && !url.contains("user=")) {
            url += (url.contains("?") ? "&" : "?") + "user=" + db.user();
        }
        return url;
    }

    Result run(String... args) {
        return run(env(), args);
    }

    static Result run(Environment env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CutoverCli.execute(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    long scalar(String sql) {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    long nulls() {
        return scalar("select count(*) from \"user\" where organization_id is null");
    }

    @Override
    public void close() {
        db.close();
    }
}
