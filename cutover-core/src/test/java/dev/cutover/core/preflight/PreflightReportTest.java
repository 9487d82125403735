package dev.cutover.core.preflight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreflightReportTest {

    static final PreflightResult LIVE = new PreflightResult("assignment code live", true, "signup 2026.11.3 is live", Duration.ofMillis(3));
    static final PreflightResult RECONCILIATION = new PreflightResult("reconciliation clear", false,
            "returned 2, must be 0 (resolve what it counts before Stage B): select count(*) from failures", Duration.ofMillis(9));
    static final PreflightResult CREATE = new PreflightResult("smoke check: create flow", true, "passed", Duration.ofMillis(40));

    @Test
    void rendersAFailedChecklistWithTheNumberOfFailuresAndTheNextStep() {
        PreflightReport report = new PreflightReport(List.of(LIVE, RECONCILIATION, CREATE));

        assertThat(report.passed()).isFalse();
        assertThat(report.failures()).containsExactly(RECONCILIATION);
        assertThat(report.render()).isEqualTo("""
                Stage B preflight: FAILED (1 of 3 checks failed)
                  [PASS] assignment code live: signup 2026.11.3 is live
                  [FAIL] reconciliation clear: returned 2, must be 0 (resolve what it counts before Stage B): select count(*) from failures
                  [PASS] smoke check: create flow: passed
                Do not start Stage B: fix what failed above, then run the preflight again.""");
        assertThat(report).hasToString(report.render());
    }

    @Test
    void rendersAPassedChecklist() {
        PreflightReport report = new PreflightReport(List.of(LIVE, CREATE));

        assertThat(report.passed()).isTrue();
        assertThat(report.failures()).isEmpty();
        assertThat(report.requirePassed()).isSameAs(report);
        assertThat(report.render()).isEqualTo("""
                Stage B preflight: PASSED (2 of 2 checks passed)
                  [PASS] assignment code live: signup 2026.11.3 is live
                  [PASS] smoke check: create flow: passed""");
    }

    @Test
    void requirePassedThrowsTheRenderedChecklist() {
        PreflightReport report = new PreflightReport(List.of(LIVE, RECONCILIATION));

        assertThatThrownBy(report::requirePassed)
                .isInstanceOf(PreflightFailedException.class)
                .hasMessage(report.render())
                .satisfies(e -> assertThat(((PreflightFailedException) e).report()).isSameAs(report));
    }

    @Test
    void isPlainData() {
        PreflightReport report = new PreflightReport(List.of(LIVE, RECONCILIATION));

        assertThat(report.results()).containsExactly(LIVE, RECONCILIATION);
        assertThat(report.result("reconciliation clear")).contains(RECONCILIATION);
        assertThat(report.result("nothing of that name")).isEmpty();
        assertThat(report).isEqualTo(new PreflightReport(List.of(LIVE, RECONCILIATION)));
        assertThat(RECONCILIATION.duration()).isEqualTo(Duration.ofMillis(9));
    }
}
