/**
 * The runbook's remediation loop: give every row whose column is NULL a value, decided by a
 * deterministic {@link dev.cutover.core.remediation.RemediationPolicy}, in short journaled
 * batches that can be {@linkplain dev.cutover.core.remediation.Remediation#undo undone}.
 *
 * <pre>{@code
 * RemediationReport report = Remediation.builder(db, cutover)
 *     .policy(RemediationPolicies.lookup("select id from organizations where domain = split_part(:email, '@', 2)"))
 *     .build()
 *     .run();
 * }</pre>
 */
package dev.cutover.core.remediation;
