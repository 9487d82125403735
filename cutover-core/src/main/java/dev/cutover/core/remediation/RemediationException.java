package dev.cutover.core.remediation;

import dev.cutover.core.CutoverException;

/** A policy failed while deciding a row; the batch it was deciding changed nothing. */
public class RemediationException extends CutoverException {

    private static final long serialVersionUID = 1L;

    public RemediationException(String message, Throwable cause) {
        super(message, cause);
    }
}
