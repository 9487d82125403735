package dev.cutover.core.gate;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.internal.Texts;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runbook's Stage A rule: GO while the NULL count ({@code db.probe(cutover).count()}) is
 * at or below the baseline; the first rise above it <em>latches</em> NO_GO, which stays even
 * when the count falls back, until {@link #rearm()}. A probe that fails is never a GO: the
 * verdict is UNKNOWN (NO_GO when latched) with the error. Thread-safe.
 *
 * <pre>{@code
 * Gate gate = NullBaselineGate.of(db, cutover, 0);
 * gate.evaluate();   // GO: 0 NULL rows
 * // a deploy without the assignment hook inserts 3 users without an organization
 * gate.evaluate();   // NO_GO, latched: "... pause rollout and remediate before Stage B ..."
 * // remediation sets them
 * gate.evaluate();   // still NO_GO: "... latched since ... (peak 3, now 0) ..."
 * gate.rearm();
 * gate.evaluate();   // GO
 * }</pre>
 *
 * To run it on a schedule and keep the observations, use {@link CutoverMonitor}.
 */
public final class NullBaselineGate implements Gate {

    private static final Logger LOG = LoggerFactory.getLogger(NullBaselineGate.class);

    private final CutoverDatabase db;
    private final NotNullCutover cutover;
    private final long baseline;

    private Latch latch;
    private Decision last;

    /** When the gate latched, the count then, and the highest count seen since. */
    private record Latch(Instant at, long count, long peak) {
    }

    private NullBaselineGate(CutoverDatabase db, NotNullCutover cutover, long baseline) {
        this.db = db;
        this.cutover = cutover;
        this.baseline = baseline;
    }

    /**
     * A gate for this cutover tolerating {@code baseline} NULL rows (the runbook: the count
     * when the compatibility window opened, ideally 0). Reads nothing until evaluated.
     *
     * @throws CutoverConfigurationException when the baseline is negative
     */
    public static NullBaselineGate of(CutoverDatabase db, NotNullCutover cutover, long baseline) {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(cutover, "cutover");
        return new NullBaselineGate(db, cutover, checkBaseline(baseline));
    }

    static long checkBaseline(long baseline) {
        if (baseline < 0) {
            throw new CutoverConfigurationException("baseline must be at least 0, but was " + baseline);
        }
        return baseline;
    }

    /** The cutover this gate watches. */
    public NotNullCutover cutover() {
        return cutover;
    }

    /** The count this gate tolerates. */
    public long baseline() {
        return baseline;
    }

    /** Whether the gate is latched at NO_GO. */
    public synchronized boolean latched() {
        return latch != null;
    }

    @Override
    public Decision evaluate() {
        Instant at = Instant.now();
        long count = -1;
        RuntimeException failure = null;
        try {
            count = db.probe(cutover).count();
        } catch (RuntimeException e) {
            failure = e;
        }
        Decision decision;
        boolean latchedNow = false;
        synchronized (this) {
            if (failure != null) {
                decision = failed(at, failure);
            } else if (count > baseline && latch == null) {
                latch = new Latch(at, count, count);
                latchedNow = true;
                decision = decide(Verdict.NO_GO, at, count, subject() + " has " + count + " NULL rows, above baseline " + baseline
                        + ": pause rollout and remediate before Stage B. The gate stays NO_GO until rearm().");
            } else if (latch != null) {
                latch = new Latch(latch.at(), latch.count(), Math.max(latch.peak(), count));
                decision = decide(Verdict.NO_GO, at, count, latchedText(String.valueOf(count)));
            } else {
                decision = decide(Verdict.GO, at, count, subject() + " has " + count + " NULL rows, at or below baseline "
                        + baseline + ": rollout may go on.");
            }
            last = decision;
        }
        if (latchedNow) {
            LOG.atWarn().addKeyValue("target", subject()).addKeyValue("nullCount", count).addKeyValue("baseline", baseline)
                    .log("Gate latched NO_GO: {}", decision.reason());
        }
        return decision;
    }

    private Decision decide(Verdict verdict, Instant at, long count, String reason) {
        return new Decision(subject(), verdict, OptionalLong.of(count), baseline, latch != null, reason, at, Optional.empty());
    }

    private Decision failed(Instant at, RuntimeException failure) {
        String error = errorText(failure);
        String state = failure instanceof CutoverDatabaseException e ? e.sqlState().map(s -> " (SQLSTATE " + s + ")").orElse("") : "";
        if (latch != null) {
            return new Decision(subject(), Verdict.NO_GO, OptionalLong.empty(), baseline, true,
                    latchedText("unknown: the probe failed" + state), at, Optional.of(error));
        }
        return new Decision(subject(), Verdict.UNKNOWN, OptionalLong.empty(), baseline, false,
                "The NULL count of " + subject() + " could not be read" + state + ", so this is not a GO: hold the rollout "
                        + "and fix the probe (see the error) until a count is read.", at, Optional.of(error));
    }

    private String latchedText(String now) {
        return subject() + " is NO_GO, latched since " + Texts.instant(latch.at()) + " when the NULL count rose to "
                + latch.count() + ", above baseline " + baseline + " (peak " + latch.peak() + ", now " + now
                + "): pause rollout and remediate before Stage B, then rearm() the gate.";
    }

    static String errorText(Throwable failure) {
        return failure instanceof dev.cutover.core.CutoverException
                ? Texts.message(failure)
                : failure.getClass().getSimpleName() + ": " + Texts.message(failure);
    }

    @Override
    public void rearm() {
        Latch released;
        synchronized (this) {
            released = latch;
            latch = null;
        }
        if (released != null) {
            LOG.atInfo().addKeyValue("target", subject()).addKeyValue("latchedAt", released.at())
                    .addKeyValue("peak", released.peak()).addKeyValue("baseline", baseline)
                    .log("Gate re-armed for {} (was NO_GO since {}, peak {}); the next evaluation decides afresh",
                            subject(), Texts.instant(released.at()), released.peak());
        }
    }

    /**
     * Takes over a latch that was open before (a restarted monitor), unless one is open now.
     *
     * @return whether the latch was taken over
     */
    synchronized boolean resume(Instant since, long count, long peak) {
        if (latch != null) {
            return false;
        }
        latch = new Latch(since, count, peak);
        return true;
    }

    @Override
    public synchronized Optional<Decision> last() {
        return Optional.ofNullable(last);
    }

    private String subject() {
        return cutover.subject();
    }

    @Override
    public String toString() {
        return "NullBaselineGate[" + subject() + ", baseline " + baseline + (latched() ? ", latched NO_GO" : "") + "]";
    }
}
