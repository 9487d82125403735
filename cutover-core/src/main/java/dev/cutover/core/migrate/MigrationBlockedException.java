package dev.cutover.core.migrate;

import dev.cutover.core.CutoverException;

/**
 * The data does not allow the migration: rows hold NULL (or, for the foreign key, reference
 * rows that do not exist). Remediate, then run the migration again; never force it.
 */
public class MigrationBlockedException extends CutoverException {

    private static final long serialVersionUID = 1L;

    public MigrationBlockedException(String message) {
        super(message);
    }

    public MigrationBlockedException(String message, Throwable cause) {
        super(message, cause);
    }
}
