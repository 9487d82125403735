package dev.cutover.core.remediation;

import java.time.Duration;
import java.util.UUID;

/**
 * What {@link Remediation#undo} did.
 *
 * @param runId     the run undone
 * @param subject   {@code public."user".organization_id}
 * @param restored  rows put back to NULL (and journaled as {@code undo})
 * @param unchanged journaled rows left alone: their value changed since the run, or an earlier undo restored them
 * @param duration  wall time
 */
public record UndoReport(UUID runId, String subject, long restored, long unchanged, Duration duration) {

    @Override
    public String toString() {
        return "UndoReport[" + subject + ", run " + runId + ": restored " + restored + " to NULL, unchanged " + unchanged
                + ", " + duration.toMillis() + " ms]";
    }
}
