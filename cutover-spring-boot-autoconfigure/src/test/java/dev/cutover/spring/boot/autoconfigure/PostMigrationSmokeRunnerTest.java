package dev.cutover.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.gate.Observations;
import dev.cutover.core.gate.SmokeLatchState;
import dev.cutover.core.preflight.PostMigrationSmoke;
import dev.cutover.core.preflight.PreflightCheck;
import dev.cutover.core.preflight.PreflightChecks;
import dev.cutover.testkit.db.PostgresServers;
import dev.cutover.testkit.db.ScratchDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.callback.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The starter's post-migration smoke gate: the callback marks a run due when the cutover
 * migration runs; on the ready event the smoke-check beans run; a failure latches "pause
 * rollout" and the health indicator shows OUT_OF_SERVICE until a re-arm.
 */
class PostMigrationSmokeRunnerTest {

    private ScratchDatabase database;
    private final AtomicBoolean joinFlowWorks = new AtomicBoolean();
    private final AtomicInteger joinFlowRuns = new AtomicInteger();

    @BeforeEach
    void createDatabase() {
        database = PostgresServers.shared().createDatabase();
    }

    @AfterEach
    void dropDatabase() {
        database.close();
    }

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(CutoverAutoConfiguration.class))
                .withPropertyValues("cutover.cutovers[0].table=accounts", "cutover.cutovers[0].column=team_id",
                        "cutover.cutovers[0].migration=2", "cutover.metrics.enabled=false")
                .withBean(DataSource.class, database::dataSource)
                .withBean("joinFlow", PreflightCheck.class, () -> PreflightChecks.smoke("join flow", () -> {
                    joinFlowRuns.incrementAndGet();
                    if (!joinFlowWorks.get()) {
                        throw new IllegalStateException("a@example.com joined no team");
                    }
                }))
                .withBean("teamsReady", PreflightCheck.class, () -> PreflightCheck.of("teams ready",
                        db -> PreflightCheck.Outcome.pass("ready")));
    }

    private static void ready(AssertableApplicationContext context) {
        context.publishEvent(new ApplicationReadyEvent(new SpringApplication(), new String[0],
                context.getSourceApplicationContext(), Duration.ZERO));
    }

    /** Migrates with the starter's callback; the smoke-check beans join its preflight, so they pass before it. */
    private void migrate(AssertableApplicationContext context, boolean joinFlowWorksAfter) {
        joinFlowWorks.set(true);
        Flyway.configure().dataSource(database.dataSource()).locations("classpath:db/autoconfig")
                .callbacks(context.getBean(Callback.class)).load().migrate();
        assertThat(joinFlowRuns).as("the preflight before the migration").hasValue(1);
        joinFlowRuns.set(0);
        joinFlowWorks.set(joinFlowWorksAfter);
    }

    @Test
    void aSmokeCheckFailingAfterTheMigrationLatchesPauseRolloutOnTheReadyEventAndTheHealthShowsItUntilRearmed() {
        runner().run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(PostMigrationSmokeRunner.class);
            migrate(context, false);
            CutoverDatabase db = context.getBean(CutoverDatabase.class);
            ConfiguredCutovers.ConfiguredCutover cutover = context.getBean(ConfiguredCutovers.class).all().get(0);
            assertThat(Observations.smoke(db, cutover.cutover())).get().extracting(SmokeLatchState::due).isEqualTo(true);
            assertThat(joinFlowRuns).hasValue(0);

            ready(context);

            assertThat(joinFlowRuns).hasValue(1);
            SmokeLatchState state = Observations.smoke(db, cutover.cutover()).orElseThrow();
            assertThat(state.latched()).isTrue();
            assertThat(state.failedChecks()).containsExactly("smoke check: join flow");
            CutoverStatus.State health = context.getBean(CutoverStatus.class).health(cutover);
            assertThat(health.health()).isEqualTo(CutoverStatus.Health.OUT_OF_SERVICE);
            assertThat(health.details()).containsEntry("state", "PAUSE_ROLLOUT").containsEntry("verified", true);
            @SuppressWarnings("unchecked")
            Map<String, Object> smoke = (Map<String, Object>) health.details().get("smoke");
            assertThat(smoke).containsEntry("failedChecks", List.of("smoke check: join flow"));
            assertThat((String) smoke.get("reason")).contains("is NO_GO: pause rollout.");
            assertThat(health.details().toString()).doesNotContain("a@example.com");

            // A second ready event (another replica starting) runs nothing: the run is no longer due.
            ready(context);
            assertThat(joinFlowRuns).hasValue(1);

            PostMigrationSmoke.of(db, cutover.cutover()).rearm("alice");
            assertThat(context.getBean(CutoverStatus.class).health(cutover).health()).isEqualTo(CutoverStatus.Health.UP);
        });
    }

    @Test
    void aPassingRunLeavesTheHealthUp() {
        runner().run(context -> {
            migrate(context, true);
            ready(context);

            assertThat(joinFlowRuns).hasValue(1);
            ConfiguredCutovers.ConfiguredCutover cutover = context.getBean(ConfiguredCutovers.class).all().get(0);
            CutoverStatus.State health = context.getBean(CutoverStatus.class).health(cutover);
            assertThat(health.health()).isEqualTo(CutoverStatus.Health.UP);
            assertThat(health.details()).containsEntry("state", "VERIFIED");
        });
    }

    @Test
    void cutoverSmokeEnabledFalseTurnsItOff() {
        runner().withPropertyValues("cutover.smoke.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(PostMigrationSmokeRunner.class));
    }
}
