package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Configuration files, flags, connections and exit codes 2 and 3. */
class ConfigurationTest {

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
    void propertiesFileWithTheStartersKeysWorksLikeYaml() {
        Path config = fx.write("cutover.properties", """
                cutover.probe-timeout=10s
                cutover.cutovers[0].table=user
                cutover.cutovers[0].column=organization_id
                cutover.cutovers[0].references.table=organizations
                cutover.cutovers[0].references.column=id
                cutover.cutovers[0].onDelete=RESTRICT
                cutover.cutovers[0].inspect=id, email
                cutover.cutovers[0].sensitive[0]=email
                cutover.cutovers[0].preflight.reconciliation-sql=select 0
                cutover.incident.id=INC-1
                cutover.incident.reason=testing
                """);

        CliFixture.Result r = fx.run("status", "--config", config.toString(), "--json");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.json().get(0).get("nulls").asLong()).isEqualTo(3);
    }

    @Test
    void unknownKeyIsNamedWithExitTwo() {
        Path config = fx.write("typo.yml", """
                cutover:
                  cutovers:
                    - table: user
                      colum: organization_id
                """);

        CliFixture.Result r = fx.run("remediate", "--config", config.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("cutover: Unknown configuration key cutover.cutovers[0].colum: a cutover takes table, ");
        assertThat(r.out()).isEmpty();
        assertThat(fx.nulls()).isEqualTo(3);
    }

    @Test
    void missingColumnIsNamed() {
        Path config = fx.write("nocolumn.yml", "cutover:\n  cutovers:\n    - table: user\n");

        CliFixture.Result r = fx.run("status", "--config", config.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("cutover.cutovers[0].column is missing");
    }

    @Test
    void badDurationAndBadReferenceAreNamed() {
        Path duration = fx.write("d.yml", "cutover:\n  probe-timeout: soon\n  cutovers:\n    - {table: user, column: organization_id}\n");
        Path reference = fx.write("r.yml", "cutover:\n  cutovers:\n    - {table: user, column: organization_id, references: orgs}\n");

        assertThat(fx.run("status", "--config", duration.toString()).err())
                .contains("cutover.probe-timeout must be a positive duration such as 500ms, 30s, 1m or PT30S, but was \"soon\"");
        CliFixture.Result r = fx.run("status", "--config", reference.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("cutover.cutovers[0].references must look like organizations(id)");
    }

    @Test
    void anInvalidIdentifierIsNamedByItsKey() {
        Path config = fx.write("empty.yml", "cutover:\n  cutovers:\n    - {table: user, column: organization_id, schema: \"a\\\"b\"}\n");

        CliFixture.Result r = fx.run("status", "--config", config.toString(), "--schema", "");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("cutover.cutovers[0]: ");
    }

    @Test
    void flagsDefineACutoverWithoutAFile() {
        CliFixture.Result r = fx.run("status", "--table", "user", "--column", "organization_id", "--json");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.json().get(0).get("foreignKey").get("state").asText()).isEqualTo("not configured");
    }

    @Test
    void unknownTableIsAConfigurationError() {
        CliFixture.Result r = fx.run("status", "--table", "nope", "--column", "organization_id");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("nope");
    }

    @Test
    void noDatabaseIsAUsageError() {
        CliFixture.Result r = CliFixture.run(new Environment(Map.of(), dir), "status", "--config", fx.config.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("No database given: use --url");
    }

    @Test
    void aUrlThatIsNotPostgresIsAUsageError() {
        CliFixture.Result r = fx.run("status", "--config", fx.config.toString(), "--url", "jdbc:mysql://localhost/x");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("The database URL must start with jdbc:postgresql:");
    }

    @Test
    void unreachableDatabaseExitsThree() {
        CliFixture.Result r = fx.run("status", "--config", fx.config.toString(), "--url",
                "jdbc:postgresql://127.0.0.1:1/nowhere?user=postgres&connectTimeout=2");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).contains("Could not connect to jdbc:postgresql://127.0.0.1:1/nowhere as postgres");
    }

    @Test
    void anUnreachableTargetOfAFleetIsOneLine() {
        CliFixture.Result r = fx.run("status", "--config", fx.config.toString(), "--url", fx.url(), "--url",
                "jdbc:postgresql://127.0.0.1:1/nowhere?user=postgres", "--json");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.json()).hasSize(2);
        assertThat(r.json().get(0).get("nulls").asLong()).isEqualTo(3);
        assertThat(r.json().get(1).get("exitCode").asInt()).isEqualTo(3);
        assertThat(r.json().get(1).get("error").asText()).contains("Could not connect");
    }

    @Test
    void targetsFileListsTheFleet() throws Exception {
        Path targets = fx.write("targets.txt", "# the fleet\n" + fx.url() + "\n\n");

        CliFixture.Result r = CliFixture.run(new Environment(Map.of(), dir), "verify", "--config", fx.config.toString(),
                "--targets-file", targets.toString(), "--json");

        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.json()).hasSize(1);
        assertThat(Files.exists(targets)).isTrue();
    }

    @Test
    void helpListsTheExitCodes() {
        CliFixture.Result r = fx.run("status", "--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Exit codes:").contains("0   ok").contains("2   usage or configuration error");
    }

    @Test
    void pgpassLinesMatchWithWildcardsAndEscapes() {
        Path file = fx.write("pgpass", """
                # comment
                other:5432:*:ops:nope
                db.internal:5432:app:ops:s3cr\\:et
                *:*:*:*:fallback
                """);

        assertThat(PgPass.find(file, "db.internal", 5432, "app", "ops")).isEqualTo(Optional.of("s3cr:et"));
        assertThat(PgPass.find(file, "db.internal", 5433, "app", "ops")).isEqualTo(Optional.of("fallback"));
        assertThat(PgPass.find(dir.resolve("missing"), "h", 1, "d", "u")).isEmpty();
    }
}
