package dev.cutover.core.preflight;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.gate.GateState;
import dev.cutover.core.gate.Observation;
import dev.cutover.core.gate.ObservationGap;
import dev.cutover.core.gate.ObservationWindow;
import dev.cutover.core.gate.Observations;
import dev.cutover.core.gate.SmokeLatchState;
import dev.cutover.core.internal.Texts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Judges the monitor's observations of one window for {@link PreflightChecks#nullBaselineStable}. */
final class BaselineStability {

    private final NotNullCutover cutover;
    private final long baseline;
    private final Duration window;
    private final Duration maxGap;

    BaselineStability(NotNullCutover cutover, long baseline, Duration window, Duration maxGap) {
        this.cutover = cutover;
        this.baseline = baseline;
        this.window = window;
        this.maxGap = maxGap;
    }

    PreflightCheck.Outcome check(CutoverDatabase db) {
        ObservationWindow w = Observations.window(db, cutover, window, baseline);
        String table = Observations.table(db, cutover);
        String over = " over the last " + Texts.duration(window);
        String waitWindow = "start the monitor (CutoverMonitor) and wait " + Texts.duration(window);
        if (!w.tableExists()) {
            return fail("no observations: table " + table + " does not exist; " + waitWindow);
        }
        if (w.observations() == 0) {
            return fail("no observations" + over + " in " + table + "; " + waitWindow);
        }
        List<String> problems = new ArrayList<>();
        Observation first = w.first();
        if (first.observedAt().isAfter(w.start().plus(maxGap))) {
            Duration covered = Duration.between(first.observedAt(), w.now());
            problems.add("observations cover only the last " + Texts.duration(covered) + " of " + Texts.duration(window)
                    + " (the oldest at " + Texts.instant(first.observedAt()) + "): keep the monitor running and wait "
                    + Texts.duration(roundUp(window.minus(covered))) + " more");
        }
        ObservationGap gap = w.largestGap();
        if (gap != null && gap.length().compareTo(maxGap) > 0) {
            problems.add("gap of " + Texts.duration(gap.length()) + " between observations at " + Texts.instant(gap.from())
                    + " and " + Texts.instant(gap.to()) + ", more than the " + Texts.duration(maxGap)
                    + " allowed: the monitor was not running; keep it running until the gap leaves the window at "
                    + Texts.instant(gap.to().plus(window)));
        }
        Duration age = Duration.between(w.last().observedAt(), w.now());
        if (age.compareTo(maxGap) > 0) {
            problems.add("the newest observation is " + Texts.duration(age) + " old (at " + Texts.instant(w.last().observedAt())
                    + "), more than the " + Texts.duration(maxGap) + " allowed: the monitor is not running; " + waitWindow);
        }
        if (w.failed() > 0) {
            Observation f = w.firstFailure();
            problems.add(w.failed() + (w.failed() == 1 ? " observation" : " observations") + " failed, the first at "
                    + Texts.instant(f.observedAt()) + " (" + (f.error() == null ? "no count" : f.error())
                    + "): fix the probe, then wait until a full window passes without failures");
        }
        if (w.aboveBaseline() > 0) {
            Observation peak = w.peak();
            problems.add("count was " + peak.nullCount() + " at " + Texts.instant(peak.observedAt()) + ", above baseline "
                    + baseline + " (" + w.aboveBaseline() + (w.aboveBaseline() == 1 ? " observation" : " observations")
                    + " above it): remediate, rearm the gate, and wait a full window at the baseline");
        }
        latchProblem(w).ifPresent(problems::add);
        Observations.smoke(db, cutover).filter(SmokeLatchState::latched)
                .ifPresent(smoke -> problems.add("the post-migration smoke gate is latched: " + smoke.reason().replaceAll("\\.$", "")));
        if (!problems.isEmpty()) {
            return fail(String.join("; ", problems));
        }
        return PreflightCheck.Outcome.pass(cutover.subject() + " stayed at or below baseline " + baseline + over + " ("
                + w.observations() + " observations, no gap over " + Texts.duration(maxGap) + ", the newest at "
                + Texts.instant(w.last().observedAt()) + " with count " + w.last().nullCount() + ")");
    }

    /**
     * The runbook: a rise anywhere pauses the rollout before Stage B until remediation and a
     * re-arm; so a gate latched now, or latched at any time in the window (on any replica),
     * fails the check, naming the latch and the way out.
     */
    private Optional<String> latchProblem(ObservationWindow w) {
        GateState gate = w.gate();
        String wayOut = "remediate, then rearm() the gate (CutoverMonitor.rearm(), once for every replica), and wait a full "
                + "window (" + Texts.duration(window) + ") at the baseline";
        if (gate != null && gate.latched()) {
            return Optional.of("the Stage A gate is latched NO_GO since "
                    + gate.latchedAt().map(Texts::instant).orElse("an unknown time")
                    + gate.latchedBy().map(by -> " (latched by " + by + ")").orElse("") + " when the count rose to "
                    + gate.latchedCount() + " (peak " + gate.peak() + ", baseline " + baseline + "): " + wayOut);
        }
        if (w.latched() == 0) {
            return Optional.empty();
        }
        Observation f = w.firstLatched();
        String rearmed = gate == null ? "" : gate.rearmedAt().map(at -> "; it was re-armed at " + Texts.instant(at)
                + gate.rearmedBy().map(by -> " by " + by).orElse("") + ", so the window is clear of the latch at "
                + Texts.instant(at.plus(window))).orElse("");
        return Optional.of("the Stage A gate was latched NO_GO in the window (" + w.latched()
                + (w.latched() == 1 ? " observation" : " observations") + " latched, the first at "
                + Texts.instant(f.observedAt()) + (f.instance() == null ? "" : " by " + f.instance()) + ", peak "
                + (w.latchedPeak() == null ? "unknown" : w.latchedPeak()) + ")" + rearmed + ": " + wayOut);
    }

    /** Up to the next whole second, so "wait 22h more" is not written "wait 21h59m59s more". */
    private static Duration roundUp(Duration d) {
        Duration seconds = Duration.ofSeconds(d.getSeconds());
        return seconds.equals(d) ? d : seconds.plusSeconds(1);
    }

    private PreflightCheck.Outcome fail(String why) {
        return PreflightCheck.Outcome.fail(cutover.subject() + " is not shown stable at baseline " + baseline + " over the last "
                + Texts.duration(window) + ": " + why + ".");
    }
}
