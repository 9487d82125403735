/**
 * Stage B of the runbook: a {@link dev.cutover.core.preflight.Preflight} runs every
 * {@link dev.cutover.core.preflight.PreflightCheck} (the runbook's four are in
 * {@link dev.cutover.core.preflight.PreflightChecks}) and returns one
 * {@link dev.cutover.core.preflight.PreflightReport}.
 *
 * <pre>{@code
 * Preflight.builder()
 *     .check(PreflightChecks.assignmentCodeLive(() -> deployments.confirm("org-assignment-hook")))
 *     .check(PreflightChecks.nullBaselineStable(cutover, 0, Duration.ofHours(24)))
 *     .check(PreflightChecks.reconciliationClear("select count(*) from signup_finalize_failures where resolved_at is null"))
 *     .check(PreflightChecks.smoke("create flow", smoke::createFlow))
 *     .check(PreflightChecks.smoke("join flow", smoke::joinFlow))
 *     .build().run(db).requirePassed();
 * }</pre>
 */
package dev.cutover.core.preflight;
