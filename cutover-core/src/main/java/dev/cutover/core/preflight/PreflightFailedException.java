package dev.cutover.core.preflight;

import dev.cutover.core.CutoverException;

/** The Stage B preflight failed; the message is the rendered checklist ({@link PreflightReport#render()}). */
public class PreflightFailedException extends CutoverException {

    private static final long serialVersionUID = 1L;

    private final transient PreflightReport report;

    public PreflightFailedException(PreflightReport report) {
        super(report.render());
        this.report = report;
    }

    /** The report that failed. */
    public PreflightReport report() {
        return report;
    }
}
