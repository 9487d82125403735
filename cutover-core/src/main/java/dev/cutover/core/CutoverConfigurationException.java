package dev.cutover.core;

/**
 * The configuration is wrong: an empty or over-long identifier, a table, column, key or
 * referenced table that does not exist, a database that is not PostgreSQL. Thrown before any
 * statement that could change data runs.
 */
public class CutoverConfigurationException extends CutoverException {

    private static final long serialVersionUID = 1L;

    public CutoverConfigurationException(String message) {
        super(message);
    }

    public CutoverConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
