package dev.cutover.core.remediation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A run controlled through its handle: progress, pause, resume, cancel, and going on with a stopped run by its id. */
class RemediationRunTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> db = d.runbookSchema().cutoverDatabase());
    static CutoverDatabase db;

    static final NotNullCutover USER = NotNullCutover.builder("user", "organization_id").inspect("id", "email").build();

    @BeforeEach
    void rows() {
        database.execute("""
                do $$ begin if to_regclass('cutover_journal_batch') is not null then truncate cutover_journal_batch; end if; end $$;
                do $$ begin if to_regclass('cutover_remediation_run') is not null then truncate cutover_remediation_run; end if; end $$;
                drop table if exists other;
                truncate "user", organizations restart identity;
                insert into organizations (name, domain) values ('Acme', 'acme.test'), ('Globex', 'globex.test');
                insert into "user" (email, created_at, organization_id)
                select 'u' || i || '@acme.test', timestamptz '2026-01-01' + i * interval '1 minute',
                       case when i % 2 = 0 then null else 1 end
                from generate_series(1, 30) i;
                """);
    }

    /** Other sessions on the test database (the data source opens a connection per call: none are pooled). */
    private static long otherSessions() {
        return database.queryLong("select count(*) from pg_stat_activity where datname = current_database() "
                + "and pid <> pg_backend_pid() and backend_type = 'client backend'");
    }

    private static long journaled(UUID runId) {
        return database.queryLong("select count(*) from cutover_journal where run_id = '" + runId + "' and action = 'assign'");
    }

    private static long distinctJournaled(UUID runId) {
        return database.queryLong("select count(distinct key) from cutover_journal where run_id = '" + runId
                + "' and action = 'assign'");
    }

    @Test
    void aPausedRunHoldsNoConnectionAndGoesOnWhenResumed() {
        database.execute("analyze \"user\"");
        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<RemediationRun> handle = new CompletableFuture<>();
        RemediationRun run = Remediation.builder(db, USER).policy(RemediationPolicies.constant(2L)).batchSize(2)
                .onEvent(e -> {
                    if (e instanceof RemediationEvent.BatchDone b && b.batch() == 1) {
                        seen.add("batch 1 with " + otherSessions() + " session");
                        handle.join().pause();
                    } else if (e instanceof RemediationEvent.Paused p) {
                        RemediationProgress progress = handle.join().progress();
                        seen.add("paused after " + p.batches() + " batch, " + progress.state() + ", " + progress.assigned()
                                + " assigned, " + otherSessions() + " sessions, done " + handle.join().await(Duration.ZERO).isPresent());
                        handle.join().resume();
                    } else if (e instanceof RemediationEvent.Resumed) {
                        seen.add("resumed");
                    }
                }).build().start();
        handle.complete(run);

        RemediationReport report = run.await();
        assertThat(seen).containsExactly("batch 1 with 1 session",
                "paused after 1 batch, PAUSED, 2 assigned, 0 sessions, done false", "resumed");
        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
        assertThat(report.assigned()).isEqualTo(15);
        RemediationProgress end = run.progress();
        assertThat(end.state()).isEqualTo(RemediationProgress.State.DONE);
        assertThat(List.of(end.assigned(), end.skipped(), end.batches(), end.retries()))
                .containsExactly(report.assigned(), report.skipped(), report.batches(), report.retries());
        assertThat(end.nullRowsAtStart()).hasValue(15);
        assertThat(run.isDone()).isTrue();
    }

    @Test
    void progressCountsWhatTheBatchesDidAndEndsEqualToTheReport() {
        List<RemediationProgress> snapshots = new CopyOnWriteArrayList<>();
        CompletableFuture<RemediationRun> handle = new CompletableFuture<>();
        RemediationRun run = Remediation.builder(db, USER)
                .policy(row -> ((String) row.values().get("email")).startsWith("u1")
                        ? RemediationDecision.skip("tens") : RemediationDecision.assign(2L))
                .batchSize(4)
                .onEvent(e -> {
                    if (e instanceof RemediationEvent.BatchDone) {
                        snapshots.add(handle.join().progress());
                    }
                }).build().start();
        handle.complete(run);
        RemediationReport report = run.await();

        assertThat(snapshots).extracting(RemediationProgress::batches).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(snapshots).allMatch(p -> p.state() == RemediationProgress.State.RUNNING);
        assertThat(snapshots.get(snapshots.size() - 1).assigned()).isEqualTo(report.assigned());
        RemediationProgress end = run.progress();
        assertThat(List.of(end.assigned(), end.skipped(), end.batches(), end.retries()))
                .containsExactly(report.assigned(), report.skipped(), report.batches(), report.retries());
        assertThat(report.skipped()).isEqualTo(5);
        assertThat(journaled(run.runId())).isEqualTo(report.assigned());
    }

    @Test
    void cancelStopsAfterTheBatchInFlightAndResumeGoesOnUnderTheSameRunId() {
        CompletableFuture<RemediationRun> handle = new CompletableFuture<>();
        List<RemediationProgress.State> states = new CopyOnWriteArrayList<>();
        RemediationRun run = Remediation.builder(db, USER).policy(RemediationPolicies.constant(2L)).batchSize(2)
                .onEvent(e -> {
                    if (e instanceof RemediationEvent.BatchDone b && b.batch() == 2) {
                        handle.join().cancel();
                        states.add(handle.join().progress().state());
                    }
                }).build().start();
        handle.complete(run);
        RemediationReport cancelled = run.await();

        assertThat(states).containsExactly(RemediationProgress.State.CANCELLING);
        assertThat(cancelled.outcome()).isEqualTo(RemediationReport.Outcome.CANCELLED);
        assertThat(cancelled.batches()).isEqualTo(2);
        assertThat(cancelled.assigned()).isEqualTo(4).isEqualTo(journaled(run.runId()));
        assertThat(cancelled.remaining()).isEqualTo(11);

        RemediationReport resumed = Remediation.builder(db, USER).policy(RemediationPolicies.constant(2L)).batchSize(2)
                .resume(run.runId()).build().run();
        assertThat(resumed.runId()).isEqualTo(run.runId());
        assertThat(resumed.outcome()).isEqualTo(RemediationReport.Outcome.COMPLETE);
        assertThat(resumed.assigned()).isEqualTo(15);
        assertThat(journaled(run.runId())).isEqualTo(15).isEqualTo(distinctJournaled(run.runId()));
        assertThat(database.queryLong("select count(*) from \"user\" where organization_id = 2")).isEqualTo(15);
        assertThat(database.queryString("select outcome || ' ' || resumes from cutover_remediation_run where run_id = '"
                + run.runId() + "'")).isEqualTo("COMPLETE 1");
    }

    @Test
    void cancellingAPausedRunStopsItWithoutAnotherBatch() {
        CompletableFuture<RemediationRun> handle = new CompletableFuture<>();
        RemediationRun run = Remediation.builder(db, USER).policy(RemediationPolicies.constant(2L)).batchSize(2)
                .onEvent(e -> {
                    if (e instanceof RemediationEvent.BatchDone b && b.batch() == 1) {
                        handle.join().pause();
                    } else if (e instanceof RemediationEvent.Paused) {
                        handle.join().cancel();
                    }
                }).build().start();
        handle.complete(run);
        RemediationReport report = run.await();

        assertThat(report.outcome()).isEqualTo(RemediationReport.Outcome.CANCELLED);
        assertThat(report.batches()).isEqualTo(1);
        assertThat(report.assigned()).isEqualTo(2).isEqualTo(journaled(run.runId()));
    }

    @Test
    void resumeRefusesARunItCannotGoOnWith() {
        UUID unknown = UUID.fromString("00000000-0000-0000-0000-000000000001");
        RemediationReport complete = Remediation.builder(db, USER).policy(RemediationPolicies.constant(2L)).build().run();
        database.execute("create table other (id bigint primary key, v int); insert into other values (1, null), (2, null)");
        NotNullCutover other = NotNullCutover.builder("other", "v").build();

        assertThatThrownBy(() -> resume(USER, unknown)).isInstanceOf(CutoverConfigurationException.class)
                .hasMessageStartingWith("No remediation run " + unknown + " is recorded in public.cutover_remediation_run");
        assertThatThrownBy(() -> resume(other, complete.runId())).isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("Remediation run " + complete.runId() + " fixed public.\"user\".organization_id, not "
                        + "public.other.v; resume it with the cutover of public.\"user\".organization_id.");
        assertThatThrownBy(() -> resume(USER, complete.runId())).isInstanceOf(CutoverConfigurationException.class)
                .hasMessageStartingWith("Remediation run " + complete.runId() + " of public.\"user\".organization_id finished "
                        + "(COMPLETE at ");
        assertThatThrownBy(() -> Remediation.builder(db, USER).policy(RemediationPolicies.constant(2L)).dryRun(true)
                .resume(complete.runId()).build()).isInstanceOf(CutoverConfigurationException.class)
                .hasMessageContaining("a dry run writes nothing");

        database.execute("update \"user\" set organization_id = null where id % 2 = 0");
        CompletableFuture<RemediationRun> handle = new CompletableFuture<>();
        RemediationRun cancelled = Remediation.builder(db, USER).policy(RemediationPolicies.constant(2L)).batchSize(2)
                .onEvent(e -> {
                    if (e instanceof RemediationEvent.BatchDone) {
                        handle.join().cancel();
                    }
                }).build().start();
        handle.complete(cancelled);
        assertThat(cancelled.await().outcome()).isEqualTo(RemediationReport.Outcome.CANCELLED);
        Remediation.undo(db, cancelled.runId());
        assertThatThrownBy(() -> resume(USER, cancelled.runId())).isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("Remediation run " + cancelled.runId() + " of public.\"user\".organization_id was undone "
                        + "(Remediation.undo) and cannot be resumed; start a new run instead.");
    }

    private static Remediation resume(NotNullCutover cutover, UUID runId) {
        return Remediation.builder(db, cutover).policy(RemediationPolicies.constant(2L)).resume(runId).build();
    }
}
