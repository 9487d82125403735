package dev.cutover.testkit;

import dev.cutover.core.preflight.PreflightReport;
import dev.cutover.core.preflight.PreflightResult;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a Stage B {@link PreflightReport}; start with {@code CutoverAssertions.assertThat(report)}.
 *
 * <pre>{@code
 * PreflightReport report = preflight.run(db.cutoverDatabase());
 * assertThat(report).hasPassed();
 * assertThat(reportWithoutTheHook)
 *     .hasFailedChecksExactly("assignment code live")
 *     .hasFailedCheck("assignment code live", "not confirmed");
 * }</pre>
 */
public final class PreflightReportAssert extends AbstractAssert<PreflightReportAssert, PreflightReport> {

    PreflightReportAssert(PreflightReport actual) {
        super(actual, PreflightReportAssert.class);
    }

    /** Every check passed. */
    public PreflightReportAssert hasPassed() {
        isNotNull();
        if (!actual.passed()) {
            throw failureWithActualExpected(failedNames(), List.of(),
                    "%nExpecting every preflight check to pass, but %d of %d failed:%s",
                    actual.failures().size(), actual.results().size(), lines(actual.failures()));
        }
        return this;
    }

    /** At least one check failed. */
    public PreflightReportAssert hasFailed() {
        isNotNull();
        if (actual.passed()) {
            throw failure("%nExpecting the preflight to fail, but all %d checks passed:%s",
                    actual.results().size(), lines(actual.results()));
        }
        return this;
    }

    /** Exactly these checks failed, in the report's order; all others passed. */
    public PreflightReportAssert hasFailedChecksExactly(String... names) {
        isNotNull();
        List<String> expected = Arrays.asList(names);
        List<String> failed = failedNames();
        if (!failed.equals(expected)) {
            throw failureWithActualExpected(failed, expected,
                    "%nExpecting exactly these preflight checks to fail:%n  %s%nbut these failed:%n  %s%s",
                    expected, failed, lines(actual.results()));
        }
        return this;
    }

    /** The check of this name passed. */
    public PreflightReportAssert hasPassedCheck(String name) {
        PreflightResult result = result(name);
        if (!result.passed()) {
            throw failure("%nExpecting preflight check \"%s\" to pass, but it failed: %s", name, result.detail());
        }
        return this;
    }

    /** The check of this name failed, and its detail contains this text. */
    public PreflightReportAssert hasFailedCheck(String name, String detailContaining) {
        Objects.requireNonNull(detailContaining, "detailContaining");
        PreflightResult result = result(name);
        if (result.passed()) {
            throw failure("%nExpecting preflight check \"%s\" to fail, but it passed: %s", name, result.detail());
        }
        if (!result.detail().contains(detailContaining)) {
            throw failureWithActualExpected(result.detail(), detailContaining,
                    "%nExpecting the detail of failed preflight check \"%s\" to contain:%n  %s%nbut it was:%n  %s",
                    name, detailContaining, result.detail());
        }
        return this;
    }

    private PreflightResult result(String name) {
        isNotNull();
        Objects.requireNonNull(name, "name");
        return actual.result(name).orElseThrow(() -> failure("%nExpecting the preflight to have a check \"%s\", but its checks are: %s",
                name, String.join(", ", actual.results().stream().map(PreflightResult::name).toList())));
    }

    private List<String> failedNames() {
        return actual.failures().stream().map(PreflightResult::name).toList();
    }

    private static String lines(List<PreflightResult> results) {
        StringBuilder s = new StringBuilder();
        for (PreflightResult result : results) {
            s.append(System.lineSeparator()).append("  ").append(result);
        }
        return s.toString();
    }
}
