package dev.cutover.core.gate;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import java.time.Duration;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
     * Reads and summarises the observations of the last {@code window}, streaming them, with
     * the shared latch as it is now; reads nothing but the observation and gate tables, and
     * creates nothing.
     *
     * @param baseline the count above which an observation counts as a rise
     */
    public static ObservationWindow window(CutoverDatabase db, NotNullCutover cutover, Duration window, long baseline) {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(cutover, "cutover");
        return ObservationStore.of(db).window(cutover, window, baseline);
    }

    /**
     * The latch all monitors of this cutover share, as stored now; empty when no monitor has
     * evaluated it yet. Reads only; creates nothing.
     *
     * <pre>{@code
     * boolean noGo = Observations.gate(db, cutover).map(GateState::latched).orElse(false);
     * }</pre>
     */
    public static Optional<GateState> gate(CutoverDatabase db, NotNullCutover cutover) {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(cutover, "cutover");
        DatabaseHandle handle = DatabaseHandle.of(db);
        String schema = handle.stateSchema(cutover);
        return Optional.ofNullable(handle.read("read the shared gate of " + cutover.subject(),
                dsl -> SharedLatch.read(dsl, schema, cutover)));
    }

    /**
     * The post-migration smoke latch of this cutover ({@link SmokeLatch}), as stored now; empty
     * when no smoke run was ever due or run. Reads only; creates nothing.
     *
     * <pre>{@code
     * boolean pauseRollout = Observations.smoke(db, cutover).map(SmokeLatchState::latched).orElse(false);
     * }</pre>
     */
    public static Optional<SmokeLatchState> smoke(CutoverDatabase db, NotNullCutover cutover) {
        return SmokeLatch.state(db, cutover);
    }

    /**
     * The DDL of the monitor's tables ({@code cutover_observation}, {@code cutover_gate} and {@code cutover_smoke}) in
     * {@code schema}, one statement a string, as {@link dev.cutover.core.StateTables#script(String)}
     * renders it for the migration role.
     *
     * <pre>{@code
     * Observations.ddl("cutover").forEach(System.out::println);
     * }</pre>
     */
    public static List<String> ddl(String schema) {
        String checked = dev.cutover.core.catalog.Names.require("schema", schema);
        List<String> all = new ArrayList<>(Sql.renderDdl(ObservationStore::ddl, checked));
        all.addAll(Sql.renderDdl(SharedLatch::ddl, checked));
        all.addAll(Sql.renderDdl(SmokeLatch::ddl, checked));
        return List.copyOf(all);
    }

    /** The observation table as people read it, e.g. {@code public.cutover_observation}. */
    public static String table(CutoverDatabase db, NotNullCutover cutover) {
        return ObservationStore.of(db).displayTable(cutover);
    }
}
