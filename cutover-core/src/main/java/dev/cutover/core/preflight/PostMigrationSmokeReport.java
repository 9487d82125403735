package dev.cutover.core.preflight;

import dev.cutover.core.gate.SmokeLatchState;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The outcome of a {@link PostMigrationSmoke} run: each check's result, the reconciliation count,
 * and the latch as stored after the run.
 *
 * <pre>{@code
 * PostMigrationSmokeReport report = smoke.run();
 * report.passed();          // false: a check failed
 * report.latched();         // true: NO_GO "pause rollout" until rearm
 * report.failedChecks();    // [smoke check: join flow]
 * System.out.println(report.render());
 * }</pre>
 *
 * @param target              the cutover's subject
 * @param checks              every check's result, in order
 * @param reconciliationCount the reconciliation count read (the sum when several queries ran), if any
 * @param state               the latch after this run
 */
public record PostMigrationSmokeReport(String target, PreflightReport checks, OptionalLong reconciliationCount,
                                       SmokeLatchState state) {

    public PostMigrationSmokeReport {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(checks, "checks");
        Objects.requireNonNull(reconciliationCount, "reconciliationCount");
        Objects.requireNonNull(state, "state");
    }

    /** Whether every check of this run passed. */
    public boolean passed() {
        return checks.passed();
    }

    /** Whether the cutover is latched NO_GO "pause rollout" after this run (by this run or an earlier one). */
    public boolean latched() {
        return state.latched();
    }

    /** The names of the checks that failed in this run. */
    public List<String> failedChecks() {
        return checks.failures().stream().map(PreflightResult::name).toList();
    }

    /** A heading, one {@code [PASS]}/{@code [FAIL]} line per check, and the next step. */
    public String render() {
        int failed = failedChecks().size();
        int total = checks.results().size();
        StringBuilder s = new StringBuilder("Post-migration smoke of ").append(target).append(": ")
                .append(failed == 0 ? "PASSED (" + total + " of " + total + " checks passed)"
                        : "FAILED (" + failed + " of " + total + " checks failed)");
        if (reconciliationCount.isPresent()) {
            s.append(", reconciliation count ").append(reconciliationCount.getAsLong());
        }
        for (PreflightResult result : checks.results()) {
            s.append("\n  ").append(result);
        }
        if (state.latched()) {
            s.append('\n').append(state.reason());
        } else {
            s.append("\nRollout may go on.");
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
