package dev.cutover.testkit;

import static dev.cutover.testkit.CutoverAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.preflight.PreflightReport;
import dev.cutover.core.preflight.PreflightResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class PreflightReportAssertTest {

    private static final PreflightResult LIVE = new PreflightResult("assignment code live", true, "confirmed", Duration.ZERO);
    private static final PreflightResult RECONCILIATION = new PreflightResult("reconciliation clear", false,
            "returned 3, must be 0", Duration.ZERO);

    private static final PreflightReport FAILED = new PreflightReport(List.of(LIVE, RECONCILIATION));
    private static final PreflightReport PASSED = new PreflightReport(List.of(LIVE));

    @Test
    void aPassedReportPasses() {
        assertThat(PASSED).hasPassed().hasPassedCheck("assignment code live").hasFailedChecksExactly();
        assertThatThrownBy(() -> assertThat(PASSED).hasFailed())
                .hasMessage("\nExpecting the preflight to fail, but all 1 checks passed:\n  [PASS] assignment code live: confirmed");
    }

    @Test
    void aFailedReportNamesEveryFailedCheck() {
        assertThat(FAILED).hasFailed().hasFailedChecksExactly("reconciliation clear")
                .hasFailedCheck("reconciliation clear", "returned 3");
        assertThatThrownBy(() -> assertThat(FAILED).hasPassed())
                .isInstanceOfSatisfying(AssertionFailedError.class, e -> org.assertj.core.api.Assertions
                        .assertThat(e.getActual().getValue()).isEqualTo(List.of("reconciliation clear")))
                .hasMessage("\nExpecting every preflight check to pass, but 1 of 2 failed:\n"
                        + "  [FAIL] reconciliation clear: returned 3, must be 0");
    }

    @Test
    void checksByName() {
        assertThatThrownBy(() -> assertThat(FAILED).hasPassedCheck("reconciliation clear"))
                .hasMessage("\nExpecting preflight check \"reconciliation clear\" to pass, but it failed: returned 3, must be 0");
        assertThatThrownBy(() -> assertThat(FAILED).hasFailedCheck("assignment code live", "x"))
                .hasMessage("\nExpecting preflight check \"assignment code live\" to fail, but it passed: confirmed");
        assertThatThrownBy(() -> assertThat(FAILED).hasFailedCheck("reconciliation clear", "returned 4"))
                .hasMessage("\nExpecting the detail of failed preflight check \"reconciliation clear\" to contain:\n"
                        + "  returned 4\nbut it was:\n  returned 3, must be 0");
        assertThatThrownBy(() -> assertThat(FAILED).hasPassedCheck("smoke check: join flow"))
                .hasMessage("\nExpecting the preflight to have a check \"smoke check: join flow\", but its checks are: "
                        + "assignment code live, reconciliation clear");
    }

    @Test
    void exactlyTheseChecksFailed() {
        assertThatThrownBy(() -> assertThat(FAILED).hasFailedChecksExactly("assignment code live"))
                .hasMessage("\nExpecting exactly these preflight checks to fail:\n  [assignment code live]\n"
                        + "but these failed:\n  [reconciliation clear]\n"
                        + "  [PASS] assignment code live: confirmed\n  [FAIL] reconciliation clear: returned 3, must be 0");
    }
}
