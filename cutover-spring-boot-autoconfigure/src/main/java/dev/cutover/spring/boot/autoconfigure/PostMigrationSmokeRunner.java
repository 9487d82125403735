package dev.cutover.spring.boot.autoconfigure;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverException;
import dev.cutover.core.gate.SmokeLatchState;
import dev.cutover.core.preflight.PostMigrationSmoke;
import dev.cutover.core.preflight.PreflightCheck;
import dev.cutover.spring.boot.autoconfigure.ConfiguredCutovers.ConfiguredCutover;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;

/**
 * The post-migration smoke gate on Spring Boot's {@link ApplicationReadyEvent}, when the
 * application serves: for each configured cutover whose smoke run is due (the cutover
 * migration ran, here or in another process, and no run followed), {@link PostMigrationSmoke}
 * runs the {@link PreflightCheck} beans that are smoke checks ({@link PostMigrationSmoke#isSmokeCheck}:
 * made by {@code PreflightChecks.smoke} or {@code PreflightChecks.reconciliationClear}). A failure
 * latches NO_GO "pause rollout": the health indicator shows OUT_OF_SERVICE until someone re-arms
 * it ({@code PostMigrationSmoke.rearm}). Nothing is rolled back, and start-up is not failed.
 * {@code cutover.smoke.enabled=false} turns it off.
 */
public final class PostMigrationSmokeRunner implements ApplicationListener<ApplicationReadyEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(PostMigrationSmokeRunner.class);

    private final CutoverDatabase db;
    private final ConfiguredCutovers cutovers;
    private final ObjectProvider<PreflightCheck> checks;

    PostMigrationSmokeRunner(CutoverDatabase db, ConfiguredCutovers cutovers, ObjectProvider<PreflightCheck> checks) {
        this.db = db;
        this.cutovers = cutovers;
        this.checks = checks;
    }

    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        List<PreflightCheck> smoke = checks.orderedStream().filter(PostMigrationSmoke::isSmokeCheck).toList();
        for (ConfiguredCutover c : cutovers.all()) {
            run(c, smoke);
        }
    }

    private void run(ConfiguredCutover c, List<PreflightCheck> smoke) {
        PostMigrationSmoke gate = PostMigrationSmoke.of(db, c.cutover()).checks(smoke);
        try {
            if (smoke.isEmpty()) {
                gate.state().filter(SmokeLatchState::due).ifPresent(due -> LOG.atWarn()
                        .addKeyValue("target", c.cutover().subject()).addKeyValue("property", c.property())
                        .log("A post-migration smoke run of {} is due, but the application defines no smoke check: declare "
                                + "PreflightCheck beans made by PreflightChecks.smoke(...) and reconciliationClear(...); the run "
                                + "stays due until then", c.cutover().subject()));
                return;
            }
            gate.runIfDue();
        } catch (CutoverException e) {
            LOG.atError().addKeyValue("target", c.cutover().subject()).addKeyValue("property", c.property())
                    .log("The post-migration smoke run of {} could not run or be recorded: {} Hold the rollout and run the "
                            + "smoke checks by hand.", c.cutover().subject(), e.getMessage());
        }
    }
}
