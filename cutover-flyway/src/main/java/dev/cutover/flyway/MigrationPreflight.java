package dev.cutover.flyway;

import dev.cutover.core.CutoverDatabase;
import java.util.Objects;

/**
 * A check run just before the cutover migration (the runbook's Stage B checklist): a failed
 * result blocks the migration, and its report is printed in the error and the log.
 *
 * <pre>{@code
 * CutoverCallback.forMigration("17", cutover)
 *     .preflight(db -> unresolvedFinalizeFailures() == 0
 *             ? MigrationPreflight.Result.passed("reconciliation clear")
 *             : MigrationPreflight.Result.failed("reconciliation: 4 unresolved finalize failures"))
 *     .build();
 * }</pre>
 *
 * The database given reads through Flyway's connection, inside the migration's transaction
 * when it has one; whatever a check writes is rolled back with a refused migration.
 */
@FunctionalInterface
public interface MigrationPreflight {

    /** Runs the checks; never returns {@code null}. */
    Result run(CutoverDatabase db);

    /**
     * The outcome of a preflight.
     *
     * @param passed whether the migration may go ahead
     * @param report what was checked and what was found, for people
     */
    record Result(boolean passed, String report) {

        public Result {
            Objects.requireNonNull(report, "report");
        }

        /** Go ahead. */
        public static Result passed(String report) {
            return new Result(true, report);
        }

        /** Block the migration. */
        public static Result failed(String report) {
            return new Result(false, report);
        }

        @Override
        public String toString() {
            return (passed ? "PASSED: " : "FAILED: ") + report;
        }
    }
}
