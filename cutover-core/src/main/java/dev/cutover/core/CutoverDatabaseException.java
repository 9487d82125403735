package dev.cutover.core;

import java.util.Optional;

/**
 * A statement failed on the database: a timeout, a lock that could not be had, a lost
 * connection. {@link #sqlState()} tells which (e.g. {@code 57014} for a statement timeout).
 */
public class CutoverDatabaseException extends CutoverException {

    private static final long serialVersionUID = 1L;

    private final String sqlState;

    public CutoverDatabaseException(String message, String sqlState, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
    }

    /** The SQLSTATE the server or driver reported, when there was one. */
    public Optional<String> sqlState() {
        return Optional.ofNullable(sqlState);
    }
}
