package dev.cutover.core.gate;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;

/** For tests in other packages: creates the observation table as the monitor would. */
public final class ObservationTables {

    private ObservationTables() {
    }

    public static void create(CutoverDatabase db, NotNullCutover cutover) {
        ObservationStore.of(db).ensureTable(cutover);
    }
}
