package dev.cutover.core.gate;

import java.time.Instant;

/**
 * What the monitor's observations of one window say, measured on the database's clock; read
 * with {@link Observations#window}.
 *
 * @param tableExists   whether the observation table exists at all
 * @param now           the database's {@code now()}
 * @param start         {@code now - window}
 * @param observations  observations considered: the newest one at or before {@code start}, and all after it
 * @param first         the oldest of those, or {@code null}
 * @param last          the newest of those, or {@code null}
 * @param largestGap    the longest time between two consecutive ones, or {@code null} with fewer than two
 * @param failed        failed observations after {@code start}
 * @param firstFailure  the first of them, or {@code null}
 * @param aboveBaseline observations after {@code start} counting more than the baseline
 * @param peak          the first observation with the highest count above the baseline, or {@code null}
 * @param latched       observations considered that were made with the gate latched NO_GO (the one at or
 *                      before {@code start} included: a latch open when the window began)
 * @param firstLatched  the first of them, or {@code null}
 * @param latchedPeak   the highest count among them, or {@code null}
 * @param gate          the shared latch now, or {@code null} when no monitor has stored one
 */
public record ObservationWindow(boolean tableExists, Instant now, Instant start, long observations, Observation first,
                                Observation last, ObservationGap largestGap, long failed, Observation firstFailure,
                                long aboveBaseline, Observation peak, long latched, Observation firstLatched,
                                Long latchedPeak, GateState gate) {
}
