package dev.cutover.core.gate;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import java.time.Duration;
import java.util.Objects;

/**
 * Read-only access to what the Stage A monitor ({@link CutoverMonitor}) has stored, for checks
 * such as "stable at the baseline for the last 24 hours".
 *
 * <pre>{@code
 * ObservationWindow last24h = Observations.window(db, cutover, Duration.ofHours(24), 0);
 * boolean everAbove = last24h.aboveBaseline() > 0;
 * }</pre>
 */
public final class Observations {

    private Observations() {
    }

    /**
     * Reads and summarises the observations of the last {@code window}, streaming them; reads
     * nothing but the observation table, and creates nothing.
     *
     * @param baseline the count above which an observation counts as a rise
     */
    public static ObservationWindow window(CutoverDatabase db, NotNullCutover cutover, Duration window, long baseline) {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(cutover, "cutover");
        return ObservationStore.of(db).window(cutover, window, baseline);
    }

    /** The observation table as people read it, e.g. {@code public.cutover_observation}. */
    public static String table(CutoverDatabase db, NotNullCutover cutover) {
        return ObservationStore.of(db).displayTable(cutover);
    }
}
