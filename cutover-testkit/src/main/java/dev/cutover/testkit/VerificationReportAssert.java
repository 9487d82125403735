package dev.cutover.testkit;

import dev.cutover.core.verify.VerificationCheck;
import dev.cutover.core.verify.VerificationReport;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a post-migration {@link VerificationReport}; start with
 * {@code CutoverAssertions.assertThat(report)}.
 *
 * <pre>{@code
 * assertThat(db.cutoverDatabase().verify(cutover)).hasPassed();
 * assertThat(reportBeforeTheMigration)
 *     .hasFailedChecksExactly("column NOT NULL", "NOT NULL constraint validated");
 * }</pre>
 */
public final class VerificationReportAssert extends AbstractAssert<VerificationReportAssert, VerificationReport> {

    VerificationReportAssert(VerificationReport actual) {
        super(actual, VerificationReportAssert.class);
    }

    /** Every check passed. */
    public VerificationReportAssert hasPassed() {
        isNotNull();
        if (!actual.passed()) {
            throw failureWithActualExpected(failedNames(), List.of(),
                    "%nExpecting every check of the verification of %s to pass, but %d of %d failed:%s",
                    actual.subject(), actual.failures().size(), actual.checks().size(), lines(actual.failures()));
        }
        return this;
    }

    /** At least one check failed. */
    public VerificationReportAssert hasFailed() {
        isNotNull();
        if (actual.passed()) {
            throw failure("%nExpecting the verification of %s to fail, but all %d checks passed:%s",
                    actual.subject(), actual.checks().size(), lines(actual.checks()));
        }
        return this;
    }

    /** The check of this name passed. */
    public VerificationReportAssert hasPassedCheck(String name) {
        VerificationCheck check = check(name);
        if (!check.passed()) {
            throw failureWithActualExpected(check.actual(), check.expected(), "%nExpecting check \"%s\" of %s to pass, but it failed: %s",
                    name, actual.subject(), check);
        }
        return this;
    }

    /** The check of this name failed. */
    public VerificationReportAssert hasFailedCheck(String name) {
        VerificationCheck check = check(name);
        if (check.passed()) {
            throw failure("%nExpecting check \"%s\" of %s to fail, but it passed: %s", name, actual.subject(), check);
        }
        return this;
    }

    /** Exactly these checks failed, in the report's order; all others passed. */
    public VerificationReportAssert hasFailedChecksExactly(String... names) {
        isNotNull();
        List<String> expected = Arrays.asList(names);
        List<String> failed = failedNames();
        if (!failed.equals(expected)) {
            throw failureWithActualExpected(failed, expected, "%nExpecting exactly these checks of %s to fail:%n  %s%nbut these failed:%n  %s%s",
                    actual.subject(), expected, failed, lines(actual.checks()));
        }
        return this;
    }

    private VerificationCheck check(String name) {
        isNotNull();
        Objects.requireNonNull(name, "name");
        return actual.check(name).orElseThrow(() -> failure("%nExpecting the verification of %s to have a check \"%s\", but its checks are: %s",
                actual.subject(), name, String.join(", ", actual.checks().stream().map(VerificationCheck::name).toList())));
    }

    private List<String> failedNames() {
        return actual.failures().stream().map(VerificationCheck::name).toList();
    }

    private static String lines(List<VerificationCheck> checks) {
        StringBuilder s = new StringBuilder();
        for (VerificationCheck check : checks) {
            s.append(System.lineSeparator()).append("  ").append(check);
        }
        return s.toString();
    }
}
