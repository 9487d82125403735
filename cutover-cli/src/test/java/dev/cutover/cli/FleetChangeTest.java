package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** remediate and migrate over a fleet of tenant schemas: one at a time, stop at the first failure, --keep-going, summary. */
class FleetChangeTest {

    @TempDir
    Path dir;

    CliFixture fx;
    Path config;

    @BeforeEach
    void setUp() {
        fx = new CliFixture(dir);
        for (String tenant : new String[] {"tenant_a", "tenant_b", "tenant_c"}) {
            fx.db.execute("create schema " + tenant + "; create table " + tenant + ".users (id bigint primary key, org_id bigint);"
                    + "insert into " + tenant + ".users values (1, 1), (2, 1);");
        }
        config = fx.write("fleet.yml", """
                cutover:
                  cutovers:
                    - table: users
                      column: org_id
                      remediation:
                        policies:
                          - constant: 7
                """);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private boolean notNull(String schema) {
        return fx.scalar("select count(*) from pg_attribute where attrelid = '" + schema + ".users'::regclass "
                + "and attname = 'org_id' and attnotnull") == 1;
    }

    @Test
    void migrateStopsAtTheFirstFailureAndSaysWhatHappenedWhere() {
        fx.db.execute("update tenant_b.users set org_id = null where id = 2");

        CliFixture.Result r = fx.run("migrate", "--config", config.toString(), "--schemas", "tenant_%", "--json");

        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
        JsonNode json = r.json();
        assertThat(json.get("targets")).hasSize(3);
        assertThat(json.get("targets").get(0).get("outcome").asText()).isEqualTo("DONE");
        assertThat(json.get("targets").get(1).get("outcome").asText()).isEqualTo("BLOCKED");
        assertThat(json.get("targets").get(2).get("exitCode").isNull()).isTrue();
        assertThat(json.get("targets").get(2).get("notStarted").asText()).contains("tenant_b.users.org_id");
        JsonNode summary = json.get("summary");
        assertThat(summary.get("ok").asInt()).isEqualTo(1);
        assertThat(summary.get("failed").asInt()).isEqualTo(1);
        assertThat(summary.get("notStarted").asInt()).isEqualTo(1);
        assertThat(summary.get("exitCode").asInt()).isEqualTo(1);
        assertThat(notNull("tenant_a")).isTrue();
        assertThat(notNull("tenant_b")).isFalse();
        assertThat(notNull("tenant_c")).isFalse();
    }

    @Test
    void migrateWithKeepGoingRunsEveryTargetAndPrintsASummary() {
        fx.db.execute("update tenant_b.users set org_id = null where id = 2");

        CliFixture.Result r = fx.run("migrate", "--config", config.toString(), "--schemas", "tenant_%", "--keep-going",
                "--parallel", "2");

        assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).startsWith("TARGET").contains("tenant_b.users.org_id").contains("BLOCKED")
                .contains("3 targets: 2 ok, 1 failed, 0 not started");
        assertThat(notNull("tenant_a")).isTrue();
        assertThat(notNull("tenant_c")).isTrue();
    }

    @Test
    void remediateGoesThroughEveryTenant() {
        fx.db.execute("update tenant_a.users set org_id = null; update tenant_c.users set org_id = null where id = 1");

        CliFixture.Result r = fx.run("remediate", "--config", config.toString(), "--schemas", "tenant_%", "--json");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        JsonNode json = r.json();
        assertThat(json.get("targets")).hasSize(3);
        assertThat(json.get("targets").get(0).get("assigned").asLong()).isEqualTo(2);
        assertThat(json.get("targets").get(0).get("outcome").asText()).isEqualTo("COMPLETE");
        assertThat(json.get("summary").get("ok").asInt()).isEqualTo(3);
        assertThat(fx.scalar("select count(*) from tenant_a.users where org_id = 7")).isEqualTo(2);
        assertThat(fx.scalar("select count(*) from tenant_c.users where org_id is null")).isZero();
    }

    @Test
    void remediateStopsAtTheFirstFailureUnlessKeepGoing() {
        fx.db.execute("""
                update tenant_a.users set org_id = null where id = 1;
                update tenant_b.users set org_id = null where id = 1;
                alter table tenant_b.users add constraint no_seven check (org_id <> 7);
                update tenant_c.users set org_id = null where id = 1;
                """);

        CliFixture.Result stopped = fx.run("remediate", "--config", config.toString(), "--schemas", "tenant_%");

        assertThat(stopped.exitCode()).as(stopped.out() + stopped.err()).isNotZero();
        assertThat(stopped.out()).contains("not started").contains("1 ok, 1 failed, 1 not started");
        assertThat(fx.scalar("select count(*) from tenant_c.users where org_id is null")).isEqualTo(1);

        CliFixture.Result all = fx.run("remediate", "--config", config.toString(), "--schemas", "tenant_%", "--keep-going");

        assertThat(all.out()).contains("0 not started");
        assertThat(fx.scalar("select count(*) from tenant_c.users where org_id is null")).isZero();
    }
}
