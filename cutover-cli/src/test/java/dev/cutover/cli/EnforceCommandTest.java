package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** enforce: the NOT VALID constraint while NULL rows remain, on one target and over a fleet. */
class EnforceCommandTest {

    @TempDir
    Path dir;

    CliFixture fx;

    @BeforeEach
    void setUp() {
        fx = new CliFixture(dir);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    /** The CHECK or NOT NULL constraints on the cutover's column (org_id or organization_id). */
    private long constraints(String table) {
        return fx.scalar("select count(*) from pg_constraint where conrelid = '" + table + "'::regclass and contype in ('c', 'n') "
                + "and pg_get_constraintdef(oid) ~ 'org(anization)?_id'");
    }

    private long notValid(String table) {
        return fx.scalar("select count(*) from pg_constraint where conrelid = '" + table + "'::regclass "
                + "and contype in ('c', 'n') and not convalidated and pg_get_constraintdef(oid) ~ 'org(anization)?_id'");
    }

    @Test
    void enforcesWhileNullRowsRemainSoThatNewNullsAreRefused() {
        CliFixture.Result r = fx.run("enforce", "--config", fx.config.toString(), "--replace-foreign-key",
                "--json");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        JsonNode json = r.json();
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("target", "schema", "table", "column", "subject", "exitCode", "outcome", "steps",
                "tookMs", "waitedFor", "error");
        assertThat(json.get("outcome").asText()).isEqualTo("ENFORCED");
        assertThat(json.get("steps")).hasSize(1);
        assertThat(json.get("steps").get(0).get("ran").asBoolean()).isTrue();
        assertThat(json.get("error").isNull()).isTrue();
        assertThat(r.err()).contains(": done (1 attempt");
        assertThat(notValid("\"user\"")).isEqualTo(1);
        assertThat(fx.nulls()).isEqualTo(3);
        assertThatThrownBy(() -> fx.db.execute("insert into \"user\" (email, created_at) values ('new@acme.example', now())"))
                .hasMessageContaining("organization_id");

        CliFixture.Result status = fx.run("status", "--config", fx.config.toString(), "--json");
        assertThat(status.json().get(0).get("constraint").asText()).as(status.out()).isEqualTo("NOT VALID");
        assertThat(fx.run("status", "--config", fx.config.toString()).out()).contains("NOT VALID");

        CliFixture.Result again = fx.run("enforce", "--config", fx.config.toString(), "--replace-foreign-key");
        assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
        assertThat(again.out()).contains("refuses NULLs already, nothing to do");
        assertThat(constraints("\"user\"")).isEqualTo(1);
    }

    @Test
    void afterRemediationMigrateValidatesTheSameConstraint() {
        assertThat(fx.run("enforce", "--config", fx.config.toString(), "--replace-foreign-key").exitCode()).isZero();
        assertThat(fx.run("remediate", "--config", fx.config.toString()).exitCode()).isZero();

        CliFixture.Result migrate = fx.run("migrate", "--config", fx.config.toString(), "--replace-foreign-key", "--json");

        assertThat(migrate.exitCode()).as(migrate.out() + migrate.err()).isZero();
        assertThat(migrate.json().get("verified").asBoolean()).isTrue();
        assertThat(notValid("\"user\"")).isZero();
    }

    @Test
    void showsTheSessionItWaitsForAndExitsOneAtTheDeadline() throws Exception {
        try (Connection holder = fx.db.dataSource().getConnection(); Statement s = holder.createStatement()) {
            s.execute("set application_name = 'long-report'");
            holder.setAutoCommit(false);
            s.executeQuery("select count(*) from \"user\"").close();

            CliFixture.Result r = fx.run("enforce", "--config", fx.config.toString(), "--replace-foreign-key",
                    "--deadline", "2s", "--json");

            holder.rollback();
            assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
            assertThat(r.json().get("outcome").asText()).isEqualTo("TIMED_OUT");
            assertThat(r.json().get("error").asText()).isNotBlank();
            assertThat(r.err()).contains("waiting for 1 session").contains("application_name 'long-report'");
            assertThat(r.json().get("waitedFor").get(0).get("applicationName").asText()).isEqualTo("long-report");
        }
        assertThat(constraints("\"user\"")).isZero();
    }

    @Test
    void badOptionsExitTwoBeforeAnyChange() {
        CliFixture.Result timeout = fx.run("enforce", "--config", fx.config.toString(), "--lock-timeout", "banana");
        CliFixture.Result deadline = fx.run("enforce", "--config", fx.config.toString(), "--deadline", "10ms",
                "--lock-timeout", "1s");
        CliFixture.Result foreignKey = fx.run("enforce", "--config", fx.config.toString());

        assertThat(timeout.exitCode()).isEqualTo(2);
        assertThat(timeout.err()).contains("--lock-timeout").contains("banana");
        assertThat(deadline.exitCode()).isEqualTo(2);
        assertThat(deadline.err()).contains("--deadline");
        assertThat(foreignKey.exitCode()).isEqualTo(2);
        assertThat(foreignKey.err()).contains("user_organization_id_fkey").contains("--replace-foreign-key");
        assertThat(constraints("\"user\"")).isZero();
    }

    @Test
    void unreachableDatabaseExitsThree() {
        CliFixture.Result r = fx.run("enforce", "--config", fx.config.toString(), "--url",
                "jdbc:postgresql://127.0.0.1:1/nowhere?user=postgres", "--json");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).startsWith("cutover: ");
    }

    @Test
    void overAFleetStopsAtTheFirstFailureUnlessKeepGoing() throws SQLException {
        for (String tenant : new String[] {"tenant_a", "tenant_b", "tenant_c"}) {
            fx.db.execute("create schema " + tenant + "; create table " + tenant + ".users (id bigint primary key, org_id bigint);"
                    + "insert into " + tenant + ".users values (1, 1), (2, null);");
        }
        Path config = fx.write("fleet.yml", """
                cutover:
                  cutovers:
                    - table: users
                      column: org_id
                """);
        try (Connection holder = fx.db.dataSource().getConnection(); Statement s = holder.createStatement()) {
            holder.setAutoCommit(false);
            s.executeQuery("select count(*) from tenant_b.users").close();

            CliFixture.Result stopped = fx.run("enforce", "--config", config.toString(), "--schemas", "tenant_%",
                    "--deadline", "1s", "--json");

            assertThat(stopped.exitCode()).as(stopped.out() + stopped.err()).isEqualTo(1);
            JsonNode json = stopped.json();
            assertThat(json.get("targets")).hasSize(3);
            assertThat(json.get("targets").get(0).get("outcome").asText()).isEqualTo("ENFORCED");
            assertThat(json.get("targets").get(1).get("outcome").asText()).isEqualTo("TIMED_OUT");
            assertThat(json.get("targets").get(2).get("notStarted").asText()).contains("tenant_b.users.org_id");
            assertThat(json.get("summary").get("notStarted").asInt()).isEqualTo(1);
            assertThat(stopped.err()).contains("tenant_b").contains("waiting for 1 session");

            CliFixture.Result all = fx.run("enforce", "--config", config.toString(), "--schemas", "tenant_%",
                    "--deadline", "1s", "--keep-going");

            holder.rollback();
            assertThat(all.exitCode()).isEqualTo(1);
            assertThat(all.out()).startsWith("TARGET").contains("already enforced").contains("enforced for new rows")
                    .contains("3 targets: 2 ok, 1 failed, 0 not started");
        }
        assertThat(notValid("tenant_a.users")).isEqualTo(1);
        assertThat(notValid("tenant_b.users")).isZero();
        assertThat(notValid("tenant_c.users")).isEqualTo(1);
        assertThat(fx.scalar("select count(*) from tenant_a.users where org_id is null")).isEqualTo(1);
    }
}
