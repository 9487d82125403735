package dev.cutover.spring.boot.autoconfigure;

import dev.cutover.flyway.CutoverMigrationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a start-up that Flyway failed because cutover blocked or refused a migration into
 * Spring Boot's "APPLICATION FAILED TO START" report: the description is cutover's own
 * message (which migration, which column, how many rows), the action says how to go on.
 * Registered in {@code META-INF/spring.factories}; nothing to configure.
 *
 * <pre>
 * APPLICATION FAILED TO START
 *
 * Description:
 * Migration 17 blocked: 3 rows in public."user" have organization_id IS NULL (baseline 0). ...
 *
 * Action:
 * Remediate the NULL rows ..., then restart the application. Do not force-forward ...
 * </pre>
 */
public class CutoverMigrationFailureAnalyzer extends AbstractFailureAnalyzer<CutoverMigrationException> {

    /** The part of every action that says what not to do. */
    static final String NO_FORCE_FORWARD = "Do not force-forward: do not skip, baseline or repair past the migration,"
            + " and do not write its row into Flyway's schema history by hand.";

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, CutoverMigrationException cause) {
        return new FailureAnalysis(cause.getMessage(), action(cause), cause);
    }

    static String action(CutoverMigrationException cause) {
        String migration = cause.migration();
        return switch (cause.reason()) {
            case NULLS_REMAIN -> "Remediate the NULL rows named above (cutover's remediation loop: "
                    + "Remediation.builder(CutoverDatabase.of(dataSource), cutover).policy(...).build().run(), or an UPDATE "
                    + "that gives every such row its value), then restart the application. Flyway recorded nothing for "
                    + "migration " + migration + ", so the restart applies it. " + NO_FORCE_FORWARD;
            case PREFLIGHT_FAILED -> "Resolve each failed preflight check above (the runbook's Stage B checklist), then restart "
                    + "the application; migration " + migration + " runs once the preflight passes. " + NO_FORCE_FORWARD;
            case VERIFICATION_FAILED -> "Change migration " + migration + " so that each failed check above passes (NOT NULL "
                    + "validated; the foreign key present, validated, with the expected ON DELETE action), then restart the "
                    + "application. " + NO_FORCE_FORWARD;
            case GUARD_REFUSED -> "Remove or change migration " + migration + " so that the NOT NULL stays, then restart the "
                    + "application. If dropping it is intended after incident-level review, set cutover.incident.id and "
                    + "cutover.incident.reason (e.g. the environment variables CUTOVER_INCIDENT_ID=INC-1234 and "
                    + "CUTOVER_INCIDENT_REASON=...) for this deployment and restart; the override is recorded in cutover_audit.";
            case NO_SUCH_MIGRATION -> "Set cutover.cutovers[n].migration to the version or script of the migration that makes "
                    + "the column NOT NULL (the message names the migrations that exist), then restart the application. Nothing "
                    + "was migrated: an unguarded cutover migration is never run.";
            case BLOCKING_SCRIPT -> "Replace the script of migration " + migration + " with the files printed above (the same "
                    + "change as short steps, each with lock_timeout, outside a transaction), or with a NotNullCutoverMigration "
                    + "of the same version, then restart the application. Nothing was migrated or locked.";
        };
    }
}
