package dev.cutover.core.verify;

import dev.cutover.core.CutoverException;

/** Post-migration verification failed; the message is the rendered report. */
public class CutoverVerificationException extends CutoverException {

    private static final long serialVersionUID = 1L;

    private final transient VerificationReport report;

    public CutoverVerificationException(VerificationReport report) {
        super(report.render() + (report.notValidatedYet()
                ? "\nThe column refuses new NULLs but is not validated yet: remediate the rows written before the NOT VALID "
                + "constraint until the NULL count is 0, then run the migration (it validates the constraint and finishes), "
                + "then verify again."
                : "\nThe column is not safely NOT NULL yet: fix what failed above (see the runbook's "
                + "post-migration verification), then verify again."));
        this.report = report;
    }

    /** The report that failed. */
    public VerificationReport report() {
        return report;
    }
}
