package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrateCommandTest {

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

    /** CHECK or NOT NULL constraints on organization_id (PostgreSQL 18 records every NOT NULL column as one). */
    private long constraints() {
        return fx.scalar("select count(*) from pg_constraint where conrelid = '\"user\"'::regclass and contype in ('c', 'n') "
                + "and pg_get_constraintdef(oid) ~ 'organization_id'");
    }

    private boolean notNull() {
        return fx.scalar("select count(*) from pg_attribute where attrelid = '\"user\"'::regclass "
                + "and attname = 'organization_id' and attnotnull") == 1;
    }

    @Test
    void refusesWhileNullRowsRemainAndChangesNothing() {
        CliFixture.Result r = fx.run("migrate", "--config", fx.config.toString(), "--replace-foreign-key", "--json");

        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.json().get("outcome").asText()).isEqualTo("BLOCKED");
        assertThat(r.json().get("error").asText()).contains("NULL");
        assertThat(constraints()).isZero();
        assertThat(notNull()).isFalse();
    }

    @Test
    void migratesVerifiesAndReportsEveryStep() {
        fx.db.execute("update \"user\" set organization_id = 1 where organization_id is null");

        CliFixture.Result r = fx.run("migrate", "--config", fx.config.toString(), "--replace-foreign-key", "--json");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        JsonNode json = r.json();
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("target", "schema", "table", "column", "subject", "exitCode", "outcome", "steps",
                "tookMs", "waitedFor", "verified", "failedChecks", "error");
        assertThat(json.get("outcome").asText()).isEqualTo("DONE");
        assertThat(json.get("verified").asBoolean()).isTrue();
        assertThat(json.get("steps").size()).isGreaterThanOrEqualTo(3);
        assertThat(json.get("steps").get(0).get("ran").asBoolean()).isTrue();
        assertThat(r.err()).contains(": done (1 attempt");
        assertThat(notNull()).isTrue();

        CliFixture.Result again = fx.run("migrate", "--config", fx.config.toString());
        assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
        assertThat(again.err()).contains("already done");
        assertThat(again.out()).contains("Verification passed.");
    }

    @Test
    void showsTheSessionItWaitsForAndExitsOneAtTheDeadline() throws Exception {
        fx.db.execute("update \"user\" set organization_id = 1 where organization_id is null");
        try (Connection holder = fx.db.dataSource().getConnection(); Statement s = holder.createStatement()) {
            s.execute("set application_name = 'long-report'");
            holder.setAutoCommit(false);
            s.executeQuery("select count(*) from \"user\"").close();

            CliFixture.Result r = fx.run("migrate", "--config", fx.config.toString(), "--replace-foreign-key",
                    "--deadline", "2s", "--json");

            holder.rollback();
            assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
            assertThat(r.json().get("outcome").asText()).isEqualTo("TIMED_OUT");
            assertThat(r.err()).contains("waiting for 1 session").contains("application_name 'long-report'");
            assertThat(r.json().get("waitedFor").get(0).get("applicationName").asText()).isEqualTo("long-report");
        }
        assertThat(notNull()).isFalse();
    }

    @Test
    void aDifferentForeignKeyIsRefusedWithExitTwoAndNothingChanges() {
        fx.db.execute("update \"user\" set organization_id = 1 where organization_id is null");

        CliFixture.Result r = fx.run("migrate", "--config", fx.config.toString());

        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains("user_organization_id_fkey");
        assertThat(constraints()).isZero();
        assertThat(notNull()).isFalse();
    }

    @Test
    void badOptionsAndConfigurationExitTwoBeforeAnyChange() {
        fx.db.execute("update \"user\" set organization_id = 1 where organization_id is null");

        CliFixture.Result timeout = fx.run("migrate", "--config", fx.config.toString(), "--lock-timeout", "soon");
        Path bad = fx.write("bad.yml", CliFixture.CONFIG.replace("on-delete: RESTRICT", "on-delete: EXPLODE"));
        CliFixture.Result config = fx.run("migrate", "--config", bad.toString(), "--replace-foreign-key");

        assertThat(timeout.exitCode()).isEqualTo(2);
        assertThat(timeout.err()).contains("--lock-timeout");
        assertThat(config.exitCode()).isEqualTo(2);
        assertThat(config.err()).contains("cutover.cutovers[0]").contains("on-delete");
        assertThat(constraints()).isZero();
        assertThat(notNull()).isFalse();
    }

    @Test
    void unreachableDatabaseExitsThree() {
        CliFixture.Result r = fx.run("migrate", "--config", fx.config.toString(), "--url",
                "jdbc:postgresql://127.0.0.1:1/nowhere?user=postgres", "--json");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).startsWith("cutover: ");
    }
}
