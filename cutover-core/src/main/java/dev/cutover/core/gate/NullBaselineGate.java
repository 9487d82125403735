package dev.cutover.core.gate;

import dev.cutover.core.CutoverConfigurationException;
import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverDatabaseException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.catalog.ColumnState;
import dev.cutover.core.catalog.Names;
import dev.cutover.core.catalog.NotNullState;
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
 * To run it on a schedule and keep the observations, use {@link CutoverMonitor}. After the
 * cutover migration, a failed post-migration smoke run ({@link SmokeLatch}) makes every
 * evaluation NO_GO "pause rollout" until it is re-armed, whatever the count.
 */
public final class NullBaselineGate implements Gate {

    private static final Logger LOG = LoggerFactory.getLogger(NullBaselineGate.class);

    private final CutoverDatabase db;
    private final NotNullCutover cutover;
    private final long baseline;

    private Latch latch;
    private Decision last;

    /** When the gate latched, the count then, and the highest count seen since. */
    record Latch(Instant at, long count, long peak) {
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
        Probed probed = probe();
        Step step;
        synchronized (this) {
            step = step(latch, probed, probed.at());
            latch = step.latch();
        }
        step = new Step(step.latch(), withSmokeLatch(step.decision()), step.latchedNow());
        synchronized (this) {
            last = step.decision();
        }
        logLatched(step);
        return step.decision();
    }

    /**
     * The decision with the post-migration smoke latch ({@link SmokeLatch}) read from the state
     * schema: NO_GO "pause rollout" while it is latched; a GO becomes UNKNOWN when it cannot be read.
     * Not read when the probe failed: the database is not answering, and the decision is no GO anyway.
     */
    private Decision withSmokeLatch(Decision decision) {
        if (decision.probeFailed()) {
            return decision;
        }
        try {
            return SmokeLatch.overlay(decision, SmokeLatch.state(db, cutover).orElse(null));
        } catch (RuntimeException e) {
            if (!decision.isGo()) {
                return decision;
            }
            return new Decision(subject(), Verdict.UNKNOWN, decision.nullCount(), baseline, false, "The post-migration smoke "
                    + "latch of " + subject() + " could not be read, so this is not a GO: hold the rollout and fix the access "
                    + "to " + SmokeLatch.displayTable(db, cutover) + " (see the error).", decision.at(), Optional.of(errorText(e)));
        }
    }

    /**
     * One read of the NULL count: the count, or why it could not be read; and, when the catalog
     * shows a constraint that refuses new NULLs while the column is not NOT NULL yet (the enforce
     * phase), what it is, else {@code null}.
     */
    record Probed(Instant at, long count, RuntimeException failure, String refusedBy) {

        Probed(Instant at, long count, RuntimeException failure) {
            this(at, count, failure, null);
        }

        /** The sentence a decision ends with when new NULLs are refused; empty otherwise. */
        String refusedNote() {
            return refusedBy == null ? "" : " New NULLs are refused at write time by " + refusedBy + ", so the count can only fall.";
        }
    }

    /** The latch after an evaluation, its decision, and whether this evaluation latched it. */
    record Step(Latch latch, Decision decision, boolean latchedNow) {
    }

    /** Reads the NULL count once; never throws for a database failure. */
    Probed probe() {
        Instant at = Instant.now();
        long count;
        try {
            count = db.probe(cutover).count();
        } catch (RuntimeException e) {
            return new Probed(at, -1, e);
        }
        return new Probed(at, count, null, refusedBy());
    }

    /** What refuses new NULLs, from the catalog; {@code null} when nothing does, or the catalog could not be read. */
    private String refusedBy() {
        try {
            ColumnState column = db.column(cutover.schema(), cutover.table(), cutover.column()).orElse(null);
            // Once the column is NOT NULL the count is 0 from the catalog alone; the note is for the phases before.
            if (column == null || column.notNullState() == NotNullState.NONE || column.notNullState() == NotNullState.NOT_NULL) {
                return null;
            }
            return column.notValidConstraint()
                    .map(c -> "the NOT VALID " + (c.check() ? "CHECK" : "NOT NULL") + " constraint " + Names.display(c.name())
                            + " (enforced for new rows, not validated yet)")
                    .orElse("a validated CHECK (" + Names.display(cutover.column()) + " IS NOT NULL)");
        } catch (RuntimeException e) {
            LOG.atDebug().addKeyValue("target", subject()).log("Could not read the catalog state of {}: {}", subject(), e.toString());
            return null;
        }
    }

    /**
     * The rule itself, with no state of its own: the latch before, a probe, and when a new
     * latch counts as set give the latch after and the decision.
     */
    Step step(Latch current, Probed probed, Instant latchAt) {
        Instant at = probed.at();
        long count = probed.count();
        if (probed.failure() != null) {
            return new Step(current, failed(current, at, probed.failure()), false);
        }
        if (count > baseline && current == null) {
            Latch now = new Latch(latchAt, count, count);
            return new Step(now, decide(now, Verdict.NO_GO, at, count, subject() + " has " + count
                    + " NULL rows, above baseline " + baseline
                    + ": pause rollout and remediate before Stage B. The gate stays NO_GO until rearm()." + probed.refusedNote()), true);
        }
        if (current != null) {
            Latch now = new Latch(current.at(), current.count(), Math.max(current.peak(), count));
            return new Step(now, decide(now, Verdict.NO_GO, at, count, latchedText(now, String.valueOf(count))
                    + probed.refusedNote()), false);
        }
        return new Step(null, decide(null, Verdict.GO, at, count, subject() + " has " + count
                + " NULL rows, at or below baseline " + baseline + ": rollout may go on." + probed.refusedNote()), false);
    }

    /** Takes over the outcome of an evaluation made elsewhere (a monitor's, against the shared latch). */
    synchronized void adopt(Step step) {
        latch = step.latch();
        last = step.decision();
    }

    /** Takes over the shared latch as read, without a decision. */
    synchronized void adopt(Latch shared) {
        latch = shared;
    }

    /** The latch this gate holds in memory, or {@code null}. */
    synchronized Latch latch() {
        return latch;
    }

    void logLatched(Step step) {
        if (step.latchedNow()) {
            LOG.atWarn().addKeyValue("target", subject()).addKeyValue("nullCount", step.latch().count())
                    .addKeyValue("baseline", baseline).log("Gate latched NO_GO: {}", step.decision().reason());
        }
    }

    private Decision decide(Latch latch, Verdict verdict, Instant at, long count, String reason) {
        return new Decision(subject(), verdict, OptionalLong.of(count), baseline, latch != null, reason, at, Optional.empty());
    }

    private Decision failed(Latch current, Instant at, RuntimeException failure) {
        String error = errorText(failure);
        String state = failure instanceof CutoverDatabaseException e ? e.sqlState().map(s -> " (SQLSTATE " + s + ")").orElse("") : "";
        if (current != null) {
            return new Decision(subject(), Verdict.NO_GO, OptionalLong.empty(), baseline, true,
                    latchedText(current, "unknown: the probe failed" + state), at, Optional.of(error));
        }
        return new Decision(subject(), Verdict.UNKNOWN, OptionalLong.empty(), baseline, false,
                "The NULL count of " + subject() + " could not be read" + state + ", so this is not a GO: hold the rollout "
                        + "and fix the probe (see the error) until a count is read.", at, Optional.of(error));
    }

    /**
     * The decision when the count was read but the shared latch could not be: never a GO
     * (NO_GO when this gate knows of a latch, else UNKNOWN), with the error.
     */
    Decision stateUnreadable(Probed probed, String table, String error) {
        Latch current = latch();
        OptionalLong count = probed.failure() == null ? OptionalLong.of(probed.count()) : OptionalLong.empty();
        if (current != null) {
            return new Decision(subject(), Verdict.NO_GO, count, baseline, true, latchedText(current,
                    count.isPresent() ? String.valueOf(count.getAsLong()) : "unknown") + " (The shared state in " + table
                    + " could not be read.)", probed.at(), Optional.of(error));
        }
        return new Decision(subject(), Verdict.UNKNOWN, count, baseline, false, "The gate's shared state in " + table
                + " could not be read or written, so this is not a GO: hold the rollout, and create the state tables "
                + "(StateTables.script) and grant the runtime role SELECT, INSERT, UPDATE on them (see the error).",
                probed.at(), Optional.of(error));
    }

    private String latchedText(Latch latch, String now) {
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
