package dev.cutover.core.remediation;

import java.time.Duration;
import java.util.UUID;

/**
 * What {@link Remediation#undo} did.
 *
 * @param runId         the run undone
 * @param subject       {@code public."user".organization_id}
 * @param restored      rows put back to NULL (and journaled as {@code undo})
 * @param changedSince  journaled rows left alone because they were written after the run (even with the same value),
 *                      or no longer hold the value the run set, or are gone
 * @param alreadyUndone journaled rows an earlier undo of this run already dealt with (restored or left alone)
 * @param duration      wall time
 */
public record UndoReport(UUID runId, String subject, long restored, long changedSince, long alreadyUndone, Duration duration) {

    /** Journaled rows this undo left alone: changed since the run, or dealt with by an earlier undo. */
    public long unchanged() {
        return changedSince + alreadyUndone;
    }

    @Override
    public String toString() {
        return "UndoReport[" + subject + ", run " + runId + ": restored " + restored + " to NULL, changed since " + changedSince
                + ", already undone " + alreadyUndone + ", " + duration.toMillis() + " ms]";
    }
}
