package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** remediate, runs, undo. */
class RemediateCommandTest {

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
    void dryRunChangesNothing() {
        CliFixture.Result r = fx.run("remediate", "--config", fx.config.toString(), "--dry-run", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.json().get("outcome").asText()).isEqualTo("DRY_RUN");
        assertThat(r.json().get("assigned").asLong()).isEqualTo(3);
        assertThat(fx.nulls()).isEqualTo(3);
    }

    @Test
    void remediatesWithThePoliciesInOrderAndPrintsPlainLinesOffATerminal() {
        CliFixture.Result r = fx.run("remediate", "--config", fx.config.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(fx.nulls()).isZero();
        assertThat(fx.scalar("select organization_id from \"user\" where email = 'bob@example.com'")).isEqualTo(2);
        assertThat(fx.scalar("select organization_id from \"user\" where email = 'ann@acme.example'")).isEqualTo(1);
        assertThat(r.out()).startsWith("Remediation of public.\"user\".organization_id: COMPLETE")
                .contains("3 rows assigned, 0 skipped, 0 NULL rows remain").contains("undo with 'cutover undo ");
        assertThat(r.err()).contains("batch 1 (round 1): 2 rows, 2 assigned, 0 skipped")
                .contains("batch 2 (round 1): 1 rows, 1 assigned").contains("round 1 done: 3 assigned");
        assertThat(r.err()).doesNotContain("\r").doesNotContain("\u001b[");
    }

    @Test
    void flagsOverrideTheConfiguredBatchSize() {
        CliFixture.Result r = fx.run("remediate", "--config", fx.config.toString(), "--batch-size", "10",
                "--max-rows-per-second", "1000", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.json().get("batches").asLong()).isEqualTo(1);
    }

    @Test
    void runsListsTheRunAndUndoRestoresIt() {
        JsonNode report = fx.run("remediate", "--config", fx.config.toString(), "--json").json();
        String runId = report.get("runId").asText();

        CliFixture.Result runs = fx.run("runs", "--config", fx.config.toString(), "--json");
        CliFixture.Result undo = fx.run("undo", runId, "--json");

        assertThat(runs.json().get(0).get("runs").get(0).get("runId").asText()).isEqualTo(runId);
        assertThat(runs.json().get(0).get("runs").get(0).get("assigned").asLong()).isEqualTo(3);
        assertThat(undo.exitCode()).as(undo.err()).isZero();
        assertThat(undo.json().get("restored").asLong()).isEqualTo(3);
        assertThat(fx.nulls()).isEqualTo(3);
        assertThat(fx.run("runs", "--config", fx.config.toString()).out()).contains(runId);
    }

    @Test
    void noPolicyConfiguredIsAConfigurationError() {
        Path config = fx.write("nopolicy.properties", """
                cutover.cutovers[0].table=user
                cutover.cutovers[0].column=organization_id
                """);

        CliFixture.Result r = fx.run("remediate", "--config", config.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("cutover.cutovers[0].remediation.policies is missing");
        assertThat(fx.nulls()).isEqualTo(3);
    }

    @Test
    void aConstantOfTheWrongTypeIsRefusedBeforeAnyChange() {
        Path config = fx.write("bad.properties", """
                cutover.cutovers[0].table=user
                cutover.cutovers[0].column=organization_id
                cutover.cutovers[0].remediation.policies[0].constant=acme
                """);

        CliFixture.Result r = fx.run("remediate", "--config", config.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("does not fit public.\"user\".organization_id");
        assertThat(fx.nulls()).isEqualTo(3);
    }
}
