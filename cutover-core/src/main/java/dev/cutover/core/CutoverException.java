package dev.cutover.core;

/**
 * The root of every exception cutover throws. Unchecked; the message stands alone: it names
 * the subject (for example {@code public."user".organization_id}), the numbers, and what to
 * do next.
 */
public class CutoverException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CutoverException(String message) {
        super(message);
    }

    public CutoverException(String message, Throwable cause) {
        super(message, cause);
    }
}
