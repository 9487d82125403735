package dev.cutover.core.preflight;

import java.util.List;
import java.util.Optional;

/**
 * The outcome of a {@link Preflight}: every check, passed or not, in the order given. Plain
 * data, and a checklist for people through {@link #render()}.
 *
 * <pre>{@code
 * PreflightReport report = preflight.run(db);
 * if (!report.passed()) {
 *     System.out.println(report.render());
 *     // Stage B preflight: FAILED (1 of 5 checks failed)
 *     //   [PASS] assignment code live: signup hook v42 deployed
 *     //   [FAIL] null baseline stable: public."user".organization_id ... observations cover only the last 2h of 24h ...
 *     //   ...
 * }
 * report.requirePassed();   // or throw PreflightFailedException with the checklist as its message
 * }</pre>
 *
 * @param results one result per check, in the order the checks were added
 */
public record PreflightReport(List<PreflightResult> results) {

    public PreflightReport {
        results = List.copyOf(results);
    }

    /** Whether every check passed. */
    public boolean passed() {
        return results.stream().allMatch(PreflightResult::passed);
    }

    /** The checks that failed, in order. */
    public List<PreflightResult> failures() {
        return results.stream().filter(r -> !r.passed()).toList();
    }

    /** The first result of a check of that name. */
    public Optional<PreflightResult> result(String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /**
     * The checklist: a heading with the number of failures, then one {@code [PASS]} or
     * {@code [FAIL]} line per check; a failed report ends with the next step.
     */
    public String render() {
        int failed = failures().size();
        StringBuilder s = new StringBuilder("Stage B preflight: ")
                .append(failed == 0
                        ? "PASSED (" + results.size() + " of " + results.size() + " checks passed)"
                        : "FAILED (" + failed + " of " + results.size() + " checks failed)");
        for (PreflightResult result : results) {
            s.append("\n  ").append(result);
        }
        if (failed > 0) {
            s.append("\nDo not start Stage B: fix what failed above, then run the preflight again.");
        }
        return s.toString();
    }

    /**
     * Returns this report when every check passed.
     *
     * @throws PreflightFailedException with {@link #render()} as its message otherwise
     */
    public PreflightReport requirePassed() {
        if (!passed()) {
            throw new PreflightFailedException(this);
        }
        return this;
    }

    @Override
    public String toString() {
        return render();
    }
}
