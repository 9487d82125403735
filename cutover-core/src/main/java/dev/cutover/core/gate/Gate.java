package dev.cutover.core.gate;

import java.util.Optional;

/**
 * The runbook's Stage A go/no-go rule as an object: each {@link #evaluate()} looks at the
 * database and returns a {@link Decision}. A NO_GO latches: it stays until someone has
 * remediated and calls {@link #rearm()}. Implementations are thread-safe.
 *
 * <pre>{@code
 * Gate gate = NullBaselineGate.of(db, cutover, 0);
 * Decision decision = gate.evaluate();
 * if (decision.verdict() != Verdict.GO) {
 *     rollout.pause(decision.reason());   // "... pause rollout and remediate before Stage B ..."
 * }
 * // after remediation, with the count back at the baseline:
 * gate.rearm();
 * }</pre>
 */
public interface Gate {

    /**
     * Looks at the database once and decides. Does not throw when the database cannot be
     * read: the decision is then {@link Verdict#UNKNOWN} (or {@link Verdict#NO_GO} when
     * latched) with the error.
     */
    Decision evaluate();

    /**
     * Releases a latched NO_GO after remediation; the next {@link #evaluate()} decides afresh
     * (and latches again if the count is still above the baseline).
     */
    void rearm();

    /** The most recent decision, if there was one. */
    Optional<Decision> last();
}
