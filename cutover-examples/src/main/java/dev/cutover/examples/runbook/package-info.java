/**
 * The runbook's demo domain, for the examples, the benchmarks and tests: the cutover of
 * {@code "user".organization_id} ({@link dev.cutover.examples.runbook.Runbook}) and the two signup
 * flows ({@link dev.cutover.examples.runbook.SignupFlows}) on the tables of
 * {@link dev.cutover.runbook.RunbookSchema}. Not published: an application has its own schema
 * and signup code.
 */
package dev.cutover.examples.runbook;
