package dev.cutover.spring.boot.autoconfigure;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.CutoverException;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.gate.Observations;
import dev.cutover.core.gate.SmokeLatchState;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What the health indicator and the endpoint show of the post-migration smoke latch. Reads only. */
final class PostMigrationSmokeHealth {

    private PostMigrationSmokeHealth() {
    }

    /**
     * Adds the smoke latch to the details ({@code smoke}) and tells whether it is latched: then the
     * cutover is OUT_OF_SERVICE with state {@code PAUSE_ROLLOUT}, whatever the verification says.
     */
    static boolean pauseRollout(CutoverDatabase db, NotNullCutover cutover, Map<String, Object> details) {
        Optional<SmokeLatchState> read;
        try {
            read = Observations.smoke(db, cutover);
        } catch (CutoverException e) {
            details.put("smokeError", e.getMessage());
            return false;
        }
        if (read.isEmpty()) {
            return false;
        }
        SmokeLatchState state = read.get();
        Map<String, Object> smoke = new LinkedHashMap<>();
        smoke.put("latched", state.latched());
        smoke.put("due", state.due());
        state.dueMigration().ifPresent(m -> smoke.put("dueMigration", m));
        if (state.latched()) {
            state.latchedAt().ifPresent(at -> smoke.put("latchedAt", at.toString()));
            smoke.put("failedChecks", state.failedChecks());
            if (state.reconciliationCount().isPresent()) {
                smoke.put("reconciliationCount", state.reconciliationCount().getAsLong());
            }
            smoke.put("reason", state.reason());
        }
        state.lastRunAt().ifPresent(at -> smoke.put("lastRunAt", at.toString()));
        details.put("smoke", smoke);
        if (state.latched()) {
            details.put("state", "PAUSE_ROLLOUT");
        }
        return state.latched();
    }
}
