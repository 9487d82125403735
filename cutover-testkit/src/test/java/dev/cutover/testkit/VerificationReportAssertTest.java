package dev.cutover.testkit;

import static dev.cutover.testkit.CutoverAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.verify.VerificationCheck;
import dev.cutover.core.verify.VerificationReport;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class VerificationReportAssertTest {

    private static final VerificationCheck NOT_NULL = new VerificationCheck("column NOT NULL", "NOT NULL", "NOT NULL", true);
    private static final VerificationCheck VALIDATED = new VerificationCheck("NOT NULL constraint validated", "validated",
            "NOT VALID (NOT NULL constraint c): existing rows are unchecked and may hold NULL", false);
    private static final VerificationCheck FK = new VerificationCheck("foreign key ON DELETE", "RESTRICT", "CASCADE", false);

    private static final VerificationReport FAILED = new VerificationReport("public.\"user\".organization_id", "18.6",
            List.of(NOT_NULL, VALIDATED, FK));
    private static final VerificationReport PASSED = new VerificationReport("public.\"user\".organization_id", "18.6",
            List.of(NOT_NULL));

    @Test
    void aPassedReportPasses() {
        assertThat(PASSED).hasPassed().hasPassedCheck("column NOT NULL");

        assertThatThrownBy(() -> assertThat(PASSED).hasFailed())
                .hasMessage("\nExpecting the verification of public.\"user\".organization_id to fail, but all 1 checks passed:\n"
                        + "  [PASS] column NOT NULL: expected NOT NULL, actual NOT NULL");
    }

    @Test
    void aFailedReportNamesEveryFailedCheck() {
        assertThat(FAILED).hasFailed().hasFailedCheck("foreign key ON DELETE");

        assertThatThrownBy(() -> assertThat(FAILED).hasPassed())
                .isInstanceOfSatisfying(AssertionFailedError.class, e -> org.assertj.core.api.Assertions
                        .assertThat(e.getActual().getValue()).isEqualTo(List.of("NOT NULL constraint validated", "foreign key ON DELETE")))
                .hasMessage("\nExpecting every check of the verification of public.\"user\".organization_id to pass, but 2 of 3 failed:\n"
                        + "  [FAIL] NOT NULL constraint validated: expected validated, actual NOT VALID (NOT NULL constraint c): "
                        + "existing rows are unchecked and may hold NULL\n"
                        + "  [FAIL] foreign key ON DELETE: expected RESTRICT, actual CASCADE");
    }

    @Test
    void singleChecksByName() {
        assertThatThrownBy(() -> assertThat(FAILED).hasPassedCheck("foreign key ON DELETE"))
                .hasMessage("\nExpecting check \"foreign key ON DELETE\" of public.\"user\".organization_id to pass, but it failed: "
                        + "[FAIL] foreign key ON DELETE: expected RESTRICT, actual CASCADE");
        assertThatThrownBy(() -> assertThat(FAILED).hasFailedCheck("column NOT NULL"))
                .hasMessage("\nExpecting check \"column NOT NULL\" of public.\"user\".organization_id to fail, but it passed: "
                        + "[PASS] column NOT NULL: expected NOT NULL, actual NOT NULL");
        assertThatThrownBy(() -> assertThat(FAILED).hasPassedCheck("foreign key exists"))
                .hasMessage("\nExpecting the verification of public.\"user\".organization_id to have a check \"foreign key exists\", "
                        + "but its checks are: column NOT NULL, NOT NULL constraint validated, foreign key ON DELETE");
    }

    @Test
    void exactlyTheseChecksFailed() {
        assertThat(FAILED).hasFailedChecksExactly("NOT NULL constraint validated", "foreign key ON DELETE");
        assertThat(PASSED).hasFailedChecksExactly();

        assertThatThrownBy(() -> assertThat(FAILED).hasFailedChecksExactly("foreign key ON DELETE"))
                .hasMessage("\nExpecting exactly these checks of public.\"user\".organization_id to fail:\n"
                        + "  [foreign key ON DELETE]\n"
                        + "but these failed:\n"
                        + "  [NOT NULL constraint validated, foreign key ON DELETE]\n"
                        + "  [PASS] column NOT NULL: expected NOT NULL, actual NOT NULL\n"
                        + "  [FAIL] NOT NULL constraint validated: expected validated, actual NOT VALID (NOT NULL constraint c): "
                        + "existing rows are unchecked and may hold NULL\n"
                        + "  [FAIL] foreign key ON DELETE: expected RESTRICT, actual CASCADE");
    }
}
