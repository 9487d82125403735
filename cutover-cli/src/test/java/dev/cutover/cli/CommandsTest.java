package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** verify, sample, index create, plan, watch. */
class CommandsTest {

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
    void verifyFailsWithExitOneAndListsEveryCheck() {
        CliFixture.Result r = fx.run("verify", "--config", fx.config.toString(), "--json");

        assertThat(r.exitCode()).isEqualTo(1);
        JsonNode t = r.json().get(0);
        assertThat(t.get("passed").asBoolean()).isFalse();
        assertThat(t.get("checks")).hasSize(6);
        assertThat(t.get("checks").get(0).get("name").asText()).isEqualTo("column NOT NULL");
        assertThat(t.get("checks").get(0).get("actual").asText()).isEqualTo("nullable (is_nullable = YES)");
        assertThat(t.get("checks").get(5).get("name").asText()).isEqualTo("foreign key ON DELETE");
    }

    @Test
    void verifyPassesAfterTheCutover() {
        fx.db.execute("""
                update "user" set organization_id = 1 where organization_id is null;
                alter table "user" alter column organization_id set not null;
                alter table "user" drop constraint user_organization_id_fkey;
                alter table "user" add constraint user_organization_id_fkey foreign key (organization_id)
                    references organizations(id) on delete restrict;
                """);

        CliFixture.Result r = fx.run("verify", "--config", fx.config.toString());

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).startsWith("Verification of public.\"user\".organization_id on PostgreSQL ").contains(": PASSED");
    }

    @Test
    void sampleMasksSensitiveColumnsNewestFirst() {
        CliFixture.Result r = fx.run("sample", "--config", fx.config.toString(), "-n", "2", "--json");

        assertThat(r.exitCode()).isEqualTo(1);
        JsonNode rows = r.json().get(0).get("rows");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).get("key").get("id").asLong()).isEqualTo(3);
        assertThat(rows.get(0).get("columns").get("email").asText()).isNotEqualTo("cy@acme.example").contains("***");
        assertThat(r.out()).doesNotContain("cy@acme.example").doesNotContain("bob@example.com");
    }

    @Test
    void indexCreateBuildsThePartialIndexOnce() {
        CliFixture.Result first = fx.run("index", "create", "--config", fx.config.toString(), "--json");
        CliFixture.Result second = fx.run("index", "create", "--config", fx.config.toString());

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.json().get(0).get("created").asBoolean()).isTrue();
        String name = first.json().get(0).get("index").asText();
        assertThat(fx.scalar("select count(*) from pg_indexes where indexname = '" + name + "'")).isEqualTo(1);
        assertThat(second.out()).contains("NULL index " + name + " already exists");
        assertThat(fx.run("status", "--config", fx.config.toString(), "--json").json().get(0).get("nullIndex").asText())
                .isEqualTo(name);
    }

    @Test
    void planPrintsTheZeroDowntimeSql() {
        CliFixture.Result r = fx.run("plan", "--config", fx.config.toString(), "--replace-foreign-key");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("-- NOT NULL without downtime for public.\"user\".organization_id")
                .contains("VALIDATE CONSTRAINT").contains("ON DELETE RESTRICT NOT VALID");
    }

    @Test
    void planWritesFlywayMigrations() throws IOException {
        Path flyway = dir.resolve("db/migration");

        CliFixture.Result r = fx.run("plan", "--config", fx.config.toString(), "--replace-foreign-key", "--flyway-dir",
                flyway.toString(), "--version", "17", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> names;
        try (Stream<Path> files = Files.list(flyway)) {
            names = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(names).containsExactly("V17__user_organization_id_not_null.sql", "V17__user_organization_id_not_null.sql.conf");
        assertThat(Files.readString(flyway.resolve(names.get(0)))).contains("set_config('lock_timeout', '50ms', true)")
                .contains("NOT VALID;").contains("VALIDATE CONSTRAINT");
        assertThat(Files.readString(flyway.resolve(names.get(1)))).contains("executeInTransaction=false");
        assertThat(r.json().get("files")).hasSize(names.size());
    }

    @Test
    void planFlywayDirNeedsAVersion() {
        CliFixture.Result r = fx.run("plan", "--config", fx.config.toString(), "--flyway-dir", dir.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--flyway-dir needs --version");
    }

    @Test
    void watchOnceLatchesNoGoAndKeepsItAcrossRuns() {
        CliFixture.Result first = fx.run("watch", "--config", fx.config.toString(), "--once", "--json");
        fx.db.execute("update \"user\" set organization_id = 1 where organization_id is null");
        CliFixture.Result second = fx.run("watch", "--config", fx.config.toString(), "--once", "--json");

        assertThat(first.exitCode()).isEqualTo(1);
        JsonNode d = first.json().get(0);
        assertThat(d.get("verdict").asText()).isEqualTo("NO_GO");
        assertThat(d.get("nullCount").asLong()).isEqualTo(3);
        assertThat(second.exitCode()).isEqualTo(1);
        assertThat(second.json().get(0).get("nullCount").asLong()).isZero();
        assertThat(second.json().get(0).get("latched").asBoolean()).isTrue();
    }

    @Test
    void watchOnceIsGoAtTheBaseline() {
        CliFixture.Result r = fx.run("watch", "--config", fx.config.toString(), "--once", "--baseline", "3");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains(" GO public.\"user\".organization_id");
    }

    @Test
    void watchPrintsEachObservationAsAJsonLine() {
        CliFixture.Result r = fx.run("watch", "--config", fx.config.toString(), "--every", "50ms", "--observations", "2",
                "--json");

        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out().lines().toList()).hasSize(2).allMatch(l -> l.startsWith("{\"target\":"));
    }
}
