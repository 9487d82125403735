package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusCommandTest {

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

    @Test
    void reportsNullsConstraintAndForeignKeyAndExitsOneWhileNullsRemain() {
        CliFixture.Result r = fx.run("status", "--config", fx.config.toString());

        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).contains("public.\"user\".organization_id on jdbc:postgresql://")
                .contains("NULL rows    3 (no NULL index: cutover index create)")
                .contains("gate         NO_GO (no observation kept; from the count against baseline 0)")
                .contains("constraint   none")
                .contains("foreign key  validated, user_organization_id_fkey on (organization_id) -> public.organizations(id) "
                        + "ON DELETE NO ACTION")
                .contains("runs         none");
    }

    @Test
    void jsonIsAnArrayWithOneObjectPerTarget() {
        CliFixture.Result r = fx.run("status", "--config", fx.config.toString(), "--json");

        JsonNode json = r.json();
        assertThat(json.isArray()).isTrue();
        assertThat(json).hasSize(1);
        JsonNode t = json.get(0);
        List<String> fields = new ArrayList<>();
        t.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("target", "schema", "table", "column", "subject", "exitCode", "nulls", "nullIndex",
                "gate", "constraint", "verified", "foreignKey", "runs");
        assertThat(t.get("nulls").asLong()).isEqualTo(3);
        assertThat(t.get("exitCode").asInt()).isEqualTo(1);
        assertThat(t.get("gate").get("verdict").asText()).isEqualTo("NO_GO");
        assertThat(t.get("gate").get("from").asText()).isEqualTo("count");
        assertThat(t.get("constraint").asText()).isEqualTo("none");
        assertThat(t.get("foreignKey").get("state").asText()).isEqualTo("validated");
        assertThat(t.get("foreignKey").get("onDelete").asText()).isEqualTo("NO ACTION");
        assertThat(t.get("target").asText()).doesNotContain("user=").doesNotContain("password");
    }

    @Test
    void afterTheCutoverStatusIsNotNullAndExitsZero() {
        fx.db.execute("""
                update "user" set organization_id = 1 where organization_id is null;
                alter table "user" alter column organization_id set not null;
                """);

        CliFixture.Result r = fx.run("status", "--config", fx.config.toString(), "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.json().get(0).get("constraint").asText()).isEqualTo("NOT NULL");
        assertThat(r.json().get(0).get("nulls").asLong()).isZero();
    }

    @Test
    void aLatchedPostMigrationSmokeRunShowsPauseRolloutAndExitsOne() {
        fx.db.execute("""
                update "user" set organization_id = 1 where organization_id is null;
                alter table "user" alter column organization_id set not null;
                """);
        dev.cutover.core.CutoverDatabase db = dev.cutover.core.CutoverDatabase.of(fx.db.dataSource());
        dev.cutover.core.NotNullCutover cutover = dev.cutover.core.NotNullCutover.builder("user", "organization_id").build();
        dev.cutover.core.preflight.PostMigrationSmoke.of(db, cutover).instance("app-1")
                .check(dev.cutover.core.preflight.PreflightChecks.smoke("join flow", () -> {
                    throw new IllegalStateException("join failed");
                })).run();

        CliFixture.Result r = fx.run("status", "--config", fx.config.toString());
        JsonNode t = fx.run("status", "--config", fx.config.toString(), "--json").json().get(0);

        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).contains("smoke        public.\"user\".organization_id is NO_GO: pause rollout. The post-migration "
                + "smoke run latched at ").contains(" on app-1 with 1 failed check (smoke check: join flow).");
        assertThat(t.get("smoke").get("latched").asBoolean()).isTrue();
        assertThat(t.get("smoke").get("failedChecks").get(0).asText()).isEqualTo("smoke check: join flow");

        dev.cutover.core.preflight.PostMigrationSmoke.of(db, cutover).rearm("alice");
        assertThat(fx.run("status", "--config", fx.config.toString()).exitCode()).isZero();
    }

    @Test
    void showsTheNotValidConstraintAndTheKeptObservation() {
        fx.db.execute("alter table \"user\" add constraint user_org_nn check (organization_id is not null) not valid");
        assertThat(fx.run("watch", "--config", fx.config.toString(), "--once").exitCode()).isEqualTo(1);

        JsonNode t = fx.run("status", "--config", fx.config.toString(), "--json").json().get(0);

        assertThat(t.get("constraint").asText()).isEqualTo("NOT VALID");
        assertThat(t.get("gate").get("from").asText()).isEqualTo("observations");
        assertThat(t.get("gate").get("verdict").asText()).isEqualTo("NO_GO");
        assertThat(t.get("gate").get("latched").asBoolean()).isTrue();
    }

    @Test
    void fleetOfTenantSchemasPrintsOneLinePerTarget() {
        for (String tenant : List.of("tenant_a", "tenant_b", "tenant_c")) {
            fx.db.execute("create schema " + tenant + "; create table " + tenant + ".users (id bigint primary key, "
                    + "org_id bigint); insert into " + tenant + ".users values (1, " + (tenant.equals("tenant_b") ? "null" : "1")
                    + "), (2, 1);");
        }
        fx.db.execute("create schema other; create table other.users (id bigint primary key, org_id bigint)");

        CliFixture.Result json = fx.run("status", "--table", "users", "--column", "org_id", "--schemas", "tenant_%",
                "--parallel", "2", "--json");
        CliFixture.Result text = fx.run("status", "--table", "users", "--column", "org_id", "--schemas", "tenant_%");

        assertThat(json.exitCode()).as(json.err()).isEqualTo(1);
        assertThat(json.json()).hasSize(3);
        assertThat(json.json().get(0).get("schema").asText()).isEqualTo("tenant_a");
        assertThat(json.json().get(1).get("nulls").asLong()).isEqualTo(1);
        assertThat(json.json().get(1).get("exitCode").asInt()).isEqualTo(1);
        assertThat(json.json().get(2).get("exitCode").asInt()).isZero();
        assertThat(text.out().lines().toList()).hasSize(5);
        assertThat(text.out()).startsWith("TARGET").contains("tenant_b.users.org_id").contains("3 targets, 2 ok, 1 not ok");
    }

    @Test
    void fleetKeepsEachTargetsOwnObservationsRunsAndErrors() {
        for (String tenant : List.of("tenant_a", "tenant_b", "tenant_c")) {
            fx.db.execute("create schema " + tenant + "; create table " + tenant + ".users (id bigint primary key"
                    + (tenant.equals("tenant_c") ? "" : ", org_id bigint") + ");");
        }
        fx.db.execute("insert into tenant_a.users values (1, 1); insert into tenant_b.users values (1, null), (2, null);");
        assertThat(fx.run("watch", "--table", "users", "--column", "org_id", "--schema", "tenant_b", "--once").exitCode())
                .isEqualTo(1);
        fx.db.execute("update tenant_b.users set org_id = 1");

        CliFixture.Result r = fx.run("status", "--table", "users", "--column", "org_id", "--schemas", "tenant_%", "--json");

        JsonNode json = r.json();
        assertThat(json).hasSize(3);
        assertThat(json.get(0).get("gate").get("from").asText()).isEqualTo("count");
        assertThat(json.get(0).get("exitCode").asInt()).isZero();
        assertThat(json.get(1).get("nulls").asLong()).isZero();
        assertThat(json.get(1).get("gate").get("from").asText()).isEqualTo("observations");
        assertThat(json.get(1).get("gate").get("verdict").asText()).isEqualTo("NO_GO");
        assertThat(json.get(1).get("exitCode").asInt()).isEqualTo(1);
        assertThat(json.get(2).get("exitCode").asInt()).isEqualTo(2);
        assertThat(json.get(2).get("error").asText()).contains("org_id").contains("tenant_c.users");
        assertThat(r.exitCode()).isEqualTo(2);
    }
}
