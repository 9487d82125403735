package dev.cutover.cli;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.CutoverException;
import dev.cutover.core.migrate.MigrationBlockedException;
import dev.cutover.core.verify.CutoverVerificationException;
import java.sql.SQLException;
import org.jooq.exception.DataAccessException;

/** Which exit code a failure gets, and the message shown for it. */
final class Errors {

    private Errors() {
    }

    static int exitCode(Throwable e) {
        if (e instanceof CliException c) {
            return c.exitCode();
        }
        if (e instanceof CutoverConfigurationException || e instanceof picocli.CommandLine.ParameterException) {
            return ExitCodes.USAGE;
        }
        if (e instanceof MigrationBlockedException || e instanceof CutoverVerificationException) {
            return ExitCodes.FAILED;
        }
        if (e instanceof CutoverDatabaseException || e instanceof SQLException || e instanceof DataAccessException
                || e instanceof CutoverException) {
            return ExitCodes.DATABASE;
        }
        return ExitCodes.DATABASE;
    }

    static String message(Throwable e) {
        if (e instanceof CutoverException || e instanceof CliException) {
            return e.getMessage();
        }
        if (e instanceof SQLException || e instanceof DataAccessException) {
            return "The database refused a statement: " + Connections.rootMessage(e);
        }
        return e.getClass().getSimpleName() + ": " + Connections.rootMessage(e);
    }
}
