package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.remediation.Remediation;
import dev.cutover.core.remediation.RemediationEvent;
import dev.cutover.core.remediation.RemediationPolicies;
import dev.cutover.core.remediation.RemediationReport;
import dev.cutover.core.remediation.RemediationRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** resume RUN_ID, and --max-replica-lag on remediate and resume. */
class ResumeCommandTest {

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

    /** A run cancelled through its handle after its first batch (one row), as Ctrl-C leaves it. */
    private UUID cancelledRun() {
        long before = fx.nulls();
        CompletableFuture<RemediationRun> handle = new CompletableFuture<>();
        RemediationRun run = Remediation.builder(CutoverDatabase.of(fx.db.dataSource()),
                        NotNullCutover.builder("user", "organization_id").build())
                .policy(RemediationPolicies.constant(2L)).batchSize(1).onEvent(e -> {
                    if (e instanceof RemediationEvent.BatchDone) {
                        handle.join().cancel();
                    }
                }).build().start();
        handle.complete(run);
        RemediationReport report = run.await();
        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.CANCELLED);
        assertThat(fx.nulls()).isEqualTo(before - 1);
        return run.runId();
    }

    private long journaled() {
        return fx.scalar("select count(*) from cutover_journal where action = 'assign'");
    }

    @Test
    void resumesACancelledRunUnderItsIdWithNoRowDoneTwice() {
        UUID runId = cancelledRun();

        CliFixture.Result r = fx.run("resume", runId.toString(), "--config", fx.config.toString(), "--json");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        JsonNode json = r.json();
        List<String> fields = new ArrayList<>();
        json.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("target", "schema", "table", "column", "subject", "exitCode", "runId", "dryRun",
                "outcome", "assigned", "assignedByValue", "skipped", "skippedByReason", "remaining", "rounds", "batches",
                "retries", "durationMs", "changes", "skippedRows", "assignedBefore");
        assertThat(json.get("runId").asText()).isEqualTo(runId.toString());
        assertThat(json.get("outcome").asText()).isEqualTo("COMPLETE");
        assertThat(json.get("remaining").asLong()).isZero();
        assertThat(json.get("assigned").asLong()).isEqualTo(3);
        assertThat(json.get("assignedBefore").asLong()).isEqualTo(1);
        assertThat(fx.nulls()).isZero();
        assertThat(journaled()).isEqualTo(3);
        assertThat(fx.scalar("select count(distinct key) from cutover_journal where action = 'assign'")).isEqualTo(3);
        assertThat(fx.scalar("select count(distinct run_id) from cutover_journal")).isEqualTo(1);
        // The configured policies decide the rows the resumed run assigns.
        assertThat(fx.scalar("select count(*) from \"user\" where organization_id = 1")).isGreaterThanOrEqualTo(3);
    }

    @Test
    void plainResumePrintsProgressLinesAndTheSummary() {
        UUID runId = cancelledRun();

        CliFixture.Result r = fx.run("resume", runId.toString(), "--config", fx.config.toString(), "--progress", "plain");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).startsWith("Remediation of public.\"user\".organization_id: COMPLETE")
                .contains("3 rows assigned (1 before this resumption), 0 skipped, 0 NULL rows remain")
                .contains("by value (this resumption): ").contains("undo with 'cutover undo " + runId + "'");
        assertThat(r.err()).contains("batch ").contains("round 1 done");
        assertThat(fx.nulls()).isZero();
    }

    @Test
    void aFinishedAnUnknownOrAnUndoneRunIsRefusedWithExitTwoAndNothingChanges() {
        String finished = fx.run("remediate", "--config", fx.config.toString(), "--json").json().get("runId").asText();
        fx.db.execute("update \"user\" set organization_id = null where email in ('ann@acme.example', 'bob@example.com')");

        CliFixture.Result done = fx.run("resume", finished, "--config", fx.config.toString());
        String unknownId = UUID.randomUUID().toString();
        CliFixture.Result unknown = fx.run("resume", unknownId, "--config", fx.config.toString(), "--json");

        assertThat(done.exitCode()).as(done.out() + done.err()).isEqualTo(2);
        assertThat(done.err()).startsWith("cutover: ").contains(finished).contains("finished").contains("'cutover runs'");
        assertThat(unknown.exitCode()).as(unknown.out() + unknown.err()).isEqualTo(2);
        assertThat(unknown.err()).contains(unknownId);
        assertThat(fx.nulls()).isEqualTo(2);

        UUID cancelled = cancelledRun();
        assertThat(fx.run("undo", cancelled.toString()).exitCode()).isZero();
        CliFixture.Result undone = fx.run("resume", cancelled.toString(), "--config", fx.config.toString());
        assertThat(undone.exitCode()).as(undone.out() + undone.err()).isEqualTo(2);
        assertThat(undone.err()).contains(cancelled.toString()).contains("undo");
        assertThat(fx.nulls()).isEqualTo(2);
    }

    @Test
    void badRunIdAndBadFlagValuesExitTwoNamingThemAndChangeNothing() {
        UUID runId = cancelledRun();
        long before = journaled();

        CliFixture.Result badId = fx.run("resume", "banana", "--config", fx.config.toString());
        CliFixture.Result badLag = fx.run("resume", runId.toString(), "--config", fx.config.toString(), "--max-replica-lag",
                "banana");
        CliFixture.Result badProgress = fx.run("resume", runId.toString(), "--config", fx.config.toString(), "--progress",
                "loud");
        CliFixture.Result remediateLag = fx.run("remediate", "--config", fx.config.toString(), "--max-replica-lag", "banana");
        CliFixture.Result tooLong = fx.run("remediate", "--config", fx.config.toString(), "--max-replica-lag", "2d");
        CliFixture.Result fleet = fx.run("resume", runId.toString(), "--config", fx.config.toString(), "--schemas", "p%");

        assertThat(badId.exitCode()).isEqualTo(2);
        assertThat(badId.err()).contains("RUN_ID").contains("banana");
        assertThat(badLag.exitCode()).isEqualTo(2);
        assertThat(badLag.err()).contains("--max-replica-lag").contains("banana").contains("off");
        assertThat(badProgress.exitCode()).isEqualTo(2);
        assertThat(badProgress.err()).contains("--progress");
        assertThat(remediateLag.exitCode()).isEqualTo(2);
        assertThat(remediateLag.err()).contains("--max-replica-lag").contains("banana");
        assertThat(tooLong.exitCode()).isEqualTo(2);
        assertThat(tooLong.err()).contains("--max-replica-lag").contains("24h");
        assertThat(fleet.exitCode()).isEqualTo(2);
        assertThat(fleet.err()).contains("one target");
        assertThat(fx.nulls()).isEqualTo(2);
        assertThat(journaled()).isEqualTo(before);
    }

    @Test
    void maxReplicaLagOffOrZeroOrADurationRunsAndTheConfigurationKeyIsRead() {
        CliFixture.Result off = fx.run("remediate", "--config", fx.config.toString(), "--max-replica-lag", "off", "--json");
        assertThat(off.exitCode()).as(off.out() + off.err()).isZero();
        fx.db.execute("update \"user\" set organization_id = null where email = 'bob@example.com'");
        CliFixture.Result zero = fx.run("remediate", "--config", fx.config.toString(), "--max-replica-lag", "0", "--json");
        assertThat(zero.exitCode()).as(zero.out() + zero.err()).isZero();
        fx.db.execute("update \"user\" set organization_id = null where email = 'bob@example.com'");
        CliFixture.Result bound = fx.run("remediate", "--config", fx.config.toString(), "--max-replica-lag", "2s", "--json");
        assertThat(bound.exitCode()).as(bound.out() + bound.err()).isZero();
        assertThat(fx.nulls()).isZero();

        fx.db.execute("update \"user\" set organization_id = null where email = 'bob@example.com'");
        Path configured = fx.write("lag.yml", CliFixture.CONFIG.replace("        batch-size: 2",
                "        batch-size: 2\n        max-replica-lag: off"));
        CliFixture.Result fromConfig = fx.run("remediate", "--config", configured.toString());
        assertThat(fromConfig.exitCode()).as(fromConfig.out() + fromConfig.err()).isZero();

        fx.db.execute("update \"user\" set organization_id = null where email = 'bob@example.com'");
        Path bad = fx.write("badlag.yml", CliFixture.CONFIG.replace("        batch-size: 2",
                "        batch-size: 2\n        max-replica-lag: soon"));
        CliFixture.Result badConfig = fx.run("remediate", "--config", bad.toString());
        assertThat(badConfig.exitCode()).isEqualTo(2);
        assertThat(badConfig.err()).contains("cutover.cutovers[0].remediation.max-replica-lag").contains("soon");
        assertThat(fx.nulls()).isEqualTo(1);
    }

    @Test
    void unreachableDatabaseExitsThree() {
        CliFixture.Result r = fx.run("resume", UUID.randomUUID().toString(), "--config", fx.config.toString(), "--url",
                "jdbc:postgresql://127.0.0.1:1/nowhere?user=postgres");

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).startsWith("cutover: ");
    }
}
