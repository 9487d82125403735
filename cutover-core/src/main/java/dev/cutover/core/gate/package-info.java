/**
 * Stage A of the runbook, the compatibility window: {@link dev.cutover.core.gate.NullBaselineGate}
 * says GO while the NULL count stays at or below its baseline and latches NO_GO on the first
 * rise, until re-armed; {@link dev.cutover.core.gate.CutoverMonitor} runs it on a schedule (a
 * fixed rate), keeps every observation in table {@code cutover_observation} with the instance
 * that made it, and shares one latch per cutover with every other monitor of it, on any
 * replica and across restarts, in table {@code cutover_gate}.
 *
 * <pre>{@code
 * try (CutoverMonitor monitor = CutoverMonitor.builder(db, cutover).baseline(0)
 *         .every(Duration.ofMinutes(1)).onDecision(d -> { if (!d.isGo()) rollout.pause(d.reason()); })
 *         .start()) {
 *     ...
 * }
 * }</pre>
 */
package dev.cutover.core.gate;
