package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A run whose JVM is killed ({@code SIGKILL}) in the middle of a batch, resumed by its run id in
 * another process: every row is changed once and journaled once, and report, journal and table
 * agree.
 */
class RemediationKilledRunTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> db = d.runbookSchema().cutoverDatabase());
    static CutoverDatabase db;

    @Test
    void aRunKilledMidBatchIsResumedByItsIdWithoutRedoingOrDoubleJournalingARow() throws Exception {
        database.execute("""
                insert into organizations (name, domain) values ('Acme', 'acme.test'), ('Globex', 'globex.test');
                insert into "user" (email, created_at, organization_id)
                select case when i % 7 = 0 then 'skip' else 'u' end || i || '@acme.test',
                       timestamptz '2026-01-01' + i * interval '1 minute', case when i % 3 = 0 then 1 end
                from generate_series(1, 200) i;
                create table nulls_before as select id from "user" where organization_id is null;
                """);
        long nullsBefore = database.queryLong("select count(*) from nulls_before");
        long toSkip = database.queryLong("select count(*) from \"user\" where organization_id is null and email like 'skip%'");

        UUID runId = runAndKillAfterBatch(3);
        long journaledAtKill = journaled(runId);
        assertThat(journaledAtKill).isBetween(3L, nullsBefore - toSkip - 1);
        assertThat(database.queryLong("select count(*) from cutover_remediation_run where run_id = '" + runId
                + "' and finished_at is null")).isEqualTo(1);

        RemediationReport report = Remediation.builder(db, KilledRunChild.USER).policy(KilledRunChild::decide).batchSize(5)
                .resume(runId).build().run();

        long changed = database.queryLong("select count(*) from \"user\" u join nulls_before b using (id) "
                + "where u.organization_id is not null");
        assertThat(report.runId()).isEqualTo(runId);
        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.NO_PROGRESS);
        assertThat(changed).isEqualTo(nullsBefore - toSkip);
        assertThat(report.assigned()).isEqualTo(changed).isEqualTo(journaled(runId));
        assertThat(database.queryLong("select count(distinct key) from cutover_journal where run_id = '" + runId + "'"))
                .isEqualTo(changed);
        assertThat(database.queryLong("select count(*) from \"user\" where organization_id = 2")).isEqualTo(changed);
        assertThat(report.skipped()).isEqualTo(toSkip);
        assertThat(report.skippedByReason()).containsEntry("asked to skip", toSkip);
        assertThat(database.queryString("select outcome || ' ' || resumes from cutover_remediation_run where run_id = '"
                + runId + "'")).isEqualTo("NO_PROGRESS 1");
    }

    private static long journaled(UUID runId) {
        return database.queryLong("select count(*) from cutover_journal where run_id = '" + runId + "' and action = 'assign'");
    }

    /** Starts {@link KilledRunChild} on the test's class path and kills it with SIGKILL once it printed batch {@code n}. */
    private static UUID runAndKillAfterBatch(int n) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KilledRunChild.class.getName(),
                database.jdbcUrl(), database.user(), database.password() == null ? "-" : database.password())
                .redirectErrorStream(true).start();
        UUID runId = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("child: run ")) {
                    runId = UUID.fromString(line.substring("child: run ".length()));
                } else if (line.equals("child: batch " + n)) {
                    // The policy sleeps 20 ms a row: the child is now inside batch n + 1, its rows locked.
                    child.destroyForcibly();
                    break;
                } else if (line.equals("child: finished")) {
                    throw new AssertionError("the child finished before it was killed");
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(1, TimeUnit.MINUTES)).isTrue();
        }
        assertThat(child.exitValue()).isEqualTo(137);
        assertThat(runId).isNotNull();
        return runId;
    }
}
