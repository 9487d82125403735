package dev.cutover.core.preflight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PreflightTest {

    @RegisterExtension
    static final TestDatabase database = TestDatabase.perClass(d -> db = d.cutoverDatabase());
    static CutoverDatabase db;

    @Test
    void runsEveryCheckInOrderEvenAfterAFailure() {
        List<String> ran = new ArrayList<>();
        PreflightReport report = Preflight.builder()
                .check(PreflightCheck.of("first", d -> {
                    ran.add("first");
                    return PreflightCheck.Outcome.fail("first failed");
                }))
                .check(PreflightCheck.of("second", d -> {
                    ran.add("second");
                    throw new IllegalStateException("second broke");
                }))
                .check(PreflightCheck.of("third", d -> {
                    ran.add("third");
                    return PreflightCheck.Outcome.pass("fine");
                }))
                .build()
                .run(db);

        assertThat(ran).containsExactly("first", "second", "third");
        assertThat(report.results()).extracting(PreflightResult::name).containsExactly("first", "second", "third");
        assertThat(report.failures()).extracting(PreflightResult::name).containsExactly("first", "second");
        assertThat(report.results()).allSatisfy(r -> assertThat(r.duration().isNegative()).isFalse());
    }

    @Test
    void aThrowingCheckFailsNamingTheException() {
        PreflightReport report = Preflight.builder()
                .check(PreflightCheck.of("throws", d -> {
                    throw new UnsupportedOperationException("not wired yet");
                }))
                .check(PreflightCheck.of("throws without message", d -> {
                    throw new NullPointerException();
                }))
                .check(PreflightCheck.of("returns nothing", d -> null))
                .build()
                .run(db);

        assertThat(report.results()).extracting(PreflightResult::toString).containsExactly(
                "[FAIL] throws: threw UnsupportedOperationException: not wired yet",
                "[FAIL] throws without message: threw NullPointerException",
                "[FAIL] returns nothing: the check returned no outcome");
    }

    @Test
    void checksCanUseTheDatabase() {
        PreflightReport report = Preflight.builder()
                .check(PreflightCheck.of("server answers", d -> PreflightCheck.Outcome.pass("PostgreSQL " + d.serverVersion().major())))
                .build()
                .run(db);

        assertThat(report.passed()).isTrue();
        assertThat(report.results().get(0).detail()).isEqualTo("PostgreSQL " + database.majorVersion());
    }

    @Test
    void needsAtLeastOneCheck() {
        assertThatThrownBy(() -> Preflight.builder().build())
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("a preflight needs at least one check: add them with check(...), e.g. the runbook's four from PreflightChecks");
    }

    @Test
    void aCheckNeedsAName() {
        assertThatThrownBy(() -> PreflightCheck.of(" ", d -> PreflightCheck.Outcome.pass("")))
                .isInstanceOf(CutoverConfigurationException.class)
                .hasMessage("a preflight check needs a name, but was blank");
    }
}
