package dev.cutover.core.gate;

import java.time.Instant;
import java.util.Optional;

/**
 * The shared Stage A latch of one cutover, as every monitor of it sees it (one row of table
 * {@code cutover_gate}). All monitors of a cutover, on any replica, share it: the first one
 * to see a rise latches it for all, and one {@code rearm()} releases it for all.
 *
 * <pre>{@code
 * Observations.gate(db, cutover).filter(GateState::latched).ifPresent(state ->
 *         rollout.pause("NO_GO since " + state.latchedAt().orElseThrow()));
 * }</pre>
 *
 * The post-migration smoke latch ("pause rollout" after a failed smoke run) is kept beside it:
 * {@link Observations#smoke}.
 *
 * @param target       the cutover's subject
 * @param latched      whether the gate is latched NO_GO
 * @param latchedAt    when it latched (the database's clock), while latched
 * @param latchedCount the count that latched it, while latched
 * @param peak         the highest count seen since, while latched
 * @param latchedBy    the monitor instance that latched it, while latched
 * @param rearmedAt    when it was last re-armed, if ever
 * @param rearmedBy    the instance that last re-armed it, if ever
 */
public record GateState(String target, boolean latched, Optional<Instant> latchedAt, long latchedCount, long peak,
                        Optional<String> latchedBy, Optional<Instant> rearmedAt, Optional<String> rearmedBy) {
}
