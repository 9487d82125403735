/**
 * Micrometer metrics of the runbook's stages: the NULL count (Stage A as a metric to alert on),
 * the gate's verdict, remediation progress, migration steps and the verification result.
 * Micrometer is optional: only this package needs it.
 */
package dev.cutover.core.metrics;
