package dev.cutover.core.gate;

/** What a {@link Gate} says about going on with the rollout. */
public enum Verdict {

    /** The NULL count is at or below the baseline and the gate is not latched: the rollout may go on. */
    GO,

    /**
     * The NULL count rose above the baseline, now or earlier: pause the rollout and remediate
     * before Stage B. Stays until the gate is re-armed.
     */
    NO_GO,

    /**
     * The NULL count could not be read (statement timeout, lost connection) and the gate is not
     * latched. Never a GO: hold the rollout until a count is read.
     */
    UNKNOWN
}
