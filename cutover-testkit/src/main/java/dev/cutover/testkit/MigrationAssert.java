package dev.cutover.testkit;

import dev.cutover.core.NotNullCutover;
import dev.cutover.flyway.CutoverMigrationException;
import java.util.Objects;
import java.util.OptionalLong;
import org.assertj.core.api.AbstractAssert;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Assertions on running a Flyway migration guarded by {@code CutoverCallback}; start with
 * {@code CutoverAssertions.assertThatMigration(flyway)}. The migration runs once, at the first
 * assertion.
 *
 * <pre>{@code
 * Flyway flyway = db.flyway().callbacks(CutoverCallback.forMigration("17", cutover).build()).load();
 * assertThatMigration(flyway).isBlockedByNulls(cutover).withNullCount(3);
 * // ... remediate ...
 * assertThatMigration(flyway).succeeds();
 * }</pre>
 */
public final class MigrationAssert extends AbstractAssert<MigrationAssert, Flyway> {

    private MigrateResult result;
    private RuntimeException failure;
    private boolean ran;
    private CutoverMigrationException blocked;

    MigrationAssert(Flyway actual) {
        super(actual, MigrationAssert.class);
    }

    /** {@code migrate()} ran without an exception. */
    public MigrationAssert succeeds() {
        run();
        if (failure != null) {
            throw withCause(failure("%nExpecting the migration to succeed, but it failed:%n  %s", failure.getMessage()));
        }
        return this;
    }

    /** {@code migrate()} was refused by the cutover callback because this cutover's column still holds NULLs. */
    public MigrationAssert isBlockedByNulls(NotNullCutover cutover) {
        Objects.requireNonNull(cutover, "cutover");
        run();
        if (failure == null) {
            throw failure("%nExpecting the migration to be blocked by NULLs in %s, but it succeeded (%d migrations applied)",
                    cutover.subject(), result.migrationsExecuted);
        }
        CutoverMigrationException cause = cutoverFailure(failure);
        if (cause == null || cause.reason() != CutoverMigrationException.Reason.NULLS_REMAIN) {
            throw withCause(failure("%nExpecting the migration to be blocked by NULLs in %s, but it failed otherwise:%n  %s",
                    cutover.subject(), failure.getMessage()));
        }
        String expectedSubject = cutover.qualifiedTable() + " have ";
        String expectedSubjectOne = cutover.qualifiedTable() + " has ";
        if (!cause.getMessage().contains(expectedSubject) && !cause.getMessage().contains(expectedSubjectOne)) {
            throw withCause(failure("%nExpecting the migration to be blocked by NULLs in %s, but it was blocked by another cutover:%n  %s",
                    cutover.subject(), cause.getMessage()));
        }
        blocked = cause;
        return this;
    }

    /** After {@link #isBlockedByNulls}: the count the refusal named. */
    public MigrationAssert withNullCount(long expected) {
        if (blocked == null) {
            throw new IllegalStateException("withNullCount(...) follows isBlockedByNulls(cutover)");
        }
        OptionalLong count = blocked.nullCount();
        if (count.isEmpty() || count.getAsLong() != expected) {
            throw failureWithActualExpected(count.isPresent() ? count.getAsLong() : null, expected,
                    "%nExpecting the migration to be blocked by %d NULL rows, but it was blocked by %s:%n  %s",
                    expected, count.isPresent() ? String.valueOf(count.getAsLong()) : "an unfinished count", blocked.getMessage());
        }
        return this;
    }

    private void run() {
        isNotNull();
        if (!ran) {
            ran = true;
            try {
                result = actual.migrate();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
    }

    /** The assertion error with the migration's own exception as its cause, so the stack trace shows where it failed. */
    private AssertionError withCause(AssertionError error) {
        if (error.getCause() == null) {
            error.initCause(failure);
        }
        return error;
    }

    private static CutoverMigrationException cutoverFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CutoverMigrationException c) {
                return c;
            }
        }
        return null;
    }
}
