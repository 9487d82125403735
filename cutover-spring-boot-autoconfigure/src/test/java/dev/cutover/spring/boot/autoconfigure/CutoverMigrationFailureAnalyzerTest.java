package dev.cutover.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cutover.flyway.CutoverMigrationException;
import dev.cutover.flyway.CutoverMigrationException.Reason;
import java.util.OptionalLong;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

class CutoverMigrationFailureAnalyzerTest {

    private final CutoverMigrationFailureAnalyzer analyzer = new CutoverMigrationFailureAnalyzer();

    private static Throwable asSpringBootReportsIt(CutoverMigrationException cause) {
        return new BeanCreationException("flywayInitializer", "Error while executing beforeEachMigrate callback",
                new FlywayException("Error while executing beforeEachMigrate callback: " + cause.getMessage(), cause));
    }

    @Test
    void nullsRemain_describesWithTheMessageAndSaysRemediateThenRestart() {
        CutoverMigrationException blocked = new CutoverMigrationException(Reason.NULLS_REMAIN, "17", OptionalLong.of(3),
                "Migration 17 blocked: 3 rows in public.\"user\" have organization_id IS NULL (baseline 0).");

        FailureAnalysis analysis = analyzer.analyze(asSpringBootReportsIt(blocked));

        assertThat(analysis.getDescription()).isEqualTo(blocked.getMessage());
        assertThat(analysis.getCause()).isSameAs(blocked);
        assertThat(analysis.getAction()).isEqualTo("Remediate the NULL rows named above (cutover's remediation loop: "
                + "Remediation.builder(CutoverDatabase.of(dataSource), cutover).policy(...).build().run(), or an UPDATE that "
                + "gives every such row its value), then restart the application. Flyway recorded nothing for migration 17, "
                + "so the restart applies it. Do not force-forward: do not skip, baseline or repair past the migration, and do "
                + "not write its row into Flyway's schema history by hand.");
    }

    @Test
    void preflightFailed_saysResolveTheChecks() {
        FailureAnalysis analysis = analyzer.analyze(asSpringBootReportsIt(
                new CutoverMigrationException(Reason.PREFLIGHT_FAILED, "17", "Migration 17 blocked: the preflight failed.")));
        assertThat(analysis.getDescription()).isEqualTo("Migration 17 blocked: the preflight failed.");
        assertThat(analysis.getAction()).startsWith("Resolve each failed preflight check above (the runbook's Stage B "
                + "checklist), then restart the application; migration 17 runs once the preflight passes. Do not force-forward");
    }

    @Test
    void verificationFailed_saysChangeTheMigration() {
        FailureAnalysis analysis = analyzer.analyze(asSpringBootReportsIt(
                new CutoverMigrationException(Reason.VERIFICATION_FAILED, "17", "Migration 17 ran but ...")));
        assertThat(analysis.getAction()).startsWith("Change migration 17 so that each failed check above passes");
    }

    @Test
    void guardRefused_namesTheIncidentOverrideProperties() {
        FailureAnalysis analysis = analyzer.analyze(asSpringBootReportsIt(
                new CutoverMigrationException(Reason.GUARD_REFUSED, "18", "Migration 18 refused: ...")));
        assertThat(analysis.getAction()).isEqualTo("Remove or change migration 18 so that the NOT NULL stays, then restart "
                + "the application. If dropping it is intended after incident-level review, set cutover.incident.id and "
                + "cutover.incident.reason (e.g. the environment variables CUTOVER_INCIDENT_ID=INC-1234 and "
                + "CUTOVER_INCIDENT_REASON=...) for this deployment and restart; the override is recorded in cutover_audit.");
    }

    @Test
    void blockingScript_saysReplaceItWithThePrintedFiles() {
        FailureAnalysis analysis = analyzer.analyze(asSpringBootReportsIt(
                new CutoverMigrationException(Reason.BLOCKING_SCRIPT, "17", "Migration 17 (V17__x.sql) refused ...")));
        assertThat(analysis.getAction()).startsWith("Replace the script of migration 17 with the files printed above");
    }

    @Test
    void otherFailuresAreLeftToOtherAnalyzers() {
        assertThat(analyzer.analyze(new BeanCreationException("flyway", "no database"))).isNull();
    }
}
