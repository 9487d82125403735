package dev.cutover.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.gate.CutoverMonitor;
import dev.cutover.core.remediation.Remediation;
import dev.cutover.core.remediation.RemediationPolicies;
import dev.cutover.core.remediation.RemediationReport;
import dev.cutover.testkit.db.PostgresServers;
import dev.cutover.testkit.db.ScratchDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/** The Stage A monitor on Spring's task scheduler, and the endpoint's remediation runs. */
class CutoverMonitorsTest {

    static ScratchDatabase database;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(CutoverAutoConfiguration.class))
            .withBean(DataSource.class, () -> database.dataSource())
            .withPropertyValues("cutover.cutovers[0].table=accounts", "cutover.cutovers[0].column=team_id",
                    "cutover.cutovers[0].migration=2");

    @BeforeAll
    static void createDatabase() {
        database = PostgresServers.shared().createDatabase();
        Flyway.configure().dataSource(database.dataSource()).locations("classpath:db/autoconfig").target("1").load().migrate();
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    /** A scheduler of the application's that records the tasks given to it and the threads they run on. */
    static final class RecordingScheduler extends ThreadPoolTaskScheduler {
        final List<ScheduledFuture<?>> tasks = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        RecordingScheduler() {
            setThreadNamePrefix("application-scheduler-");
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
            ScheduledFuture<?> future = super.scheduleAtFixedRate(() -> {
                threads.add(Thread.currentThread().getName());
                task.run();
            }, period);
            tasks.add(future);
            return future;
        }
    }

    @Test
    void theMonitorRunsOnTheApplicationsTaskSchedulerAndStopsWithTheContext() {
        RecordingScheduler scheduler = new RecordingScheduler();
        AtomicReference<CutoverMonitor> monitor = new AtomicReference<>();
        runner.withBean("taskScheduler", ThreadPoolTaskScheduler.class, () -> scheduler)
                .withPropertyValues("cutover.monitor.enabled=true", "cutover.monitor.every=100ms")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    monitor.set(context.getBean(CutoverMonitors.class).monitor("public.accounts.team_id").orElseThrow());
                    await("two evaluations", () -> monitor.get().evaluations() >= 2);
                    assertThat(scheduler.tasks).hasSize(1);
                    assertThat(scheduler.threads).isNotEmpty().allSatisfy(t -> assertThat(t).startsWith("application-scheduler-"));
                    assertThat(liveThreads("cutover-monitor")).isEmpty();
                    assertThat(monitor.get().last()).isPresent();
                });
        assertThat(scheduler.tasks).allSatisfy(t -> assertThat(t.isCancelled()).isTrue());
        assertThat(monitor.get().isRunning()).isFalse();
    }

    @Test
    void withoutATaskSchedulerBeanItRunsOnOneThreadOfItsOwnThatEndsWithTheContext() {
        AtomicReference<CutoverMonitor> monitor = new AtomicReference<>();
        runner.withPropertyValues("cutover.monitor.enabled=true", "cutover.monitor.every=100ms").run(context -> {
            assertThat(context).hasNotFailed();
            monitor.set(context.getBean(CutoverMonitors.class).monitor("public.accounts.team_id").orElseThrow());
            await("two evaluations", () -> monitor.get().evaluations() >= 2);
            assertThat(liveThreads("cutover-monitor-")).containsExactly("cutover-monitor-1");
        });
        assertThat(monitor.get().isRunning()).isFalse();
        await("the scheduler's thread ends", () -> liveThreads("cutover-monitor").isEmpty());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theEndpointShowsTheLastRemediationRunsNewestFirst() {
        database.execute("insert into accounts (email) values ('a@example.com'), ('b@example.com'), ('c@example.com')");
        CutoverDatabase db = CutoverDatabase.of(database.dataSource());
        NotNullCutover cutover = NotNullCutover.builder("accounts", "team_id").build();
        RemediationReport first = Remediation.builder(db, cutover).policy(RemediationPolicies.constant(7)).build().run();
        Remediation.undo(db, first.runId());
        RemediationReport second = Remediation.builder(db, cutover).policy(RemediationPolicies.named("team seven",
                RemediationPolicies.constant(7))).build().run();

        runner.run(context -> {
            Map<String, Object> view = (Map<String, Object>) ((Map<String, Object>) context.getBean(CutoverEndpoint.class)
                    .cutovers().get("cutovers")).get("public.accounts.team_id");
            List<Map<String, Object>> runs = (List<Map<String, Object>>) view.get("remediationRuns");

            assertThat(runs).extracting(r -> r.get("runId")).containsExactly(second.runId().toString(), first.runId().toString());
            assertThat(runs.get(0)).containsEntry("assigned", 3L).containsEntry("undone", false).containsEntry("restored", 0L)
                    .containsEntry("policies", List.of("team seven")).containsKeys("started", "ended");
            assertThat(runs.get(1)).containsEntry("assigned", 3L).containsEntry("undone", true).containsEntry("restored", 3L);
            assertThat(view).containsEntry("nullCount", 0L);
        });
        database.execute("delete from accounts; drop table cutover_journal_batch cascade");
    }

    private static List<String> liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix))
                .map(Thread::getName).toList();
    }

    /** Polls until the condition holds; fails after a generous bound (against hangs, not a timing assertion). */
    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting until " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
