package dev.cutover.core.gate;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The post-migration smoke latch of one cutover (one row of table {@code cutover_smoke}): after
 * the cutover migration a smoke run is <em>due</em>; once the application serves, the run
 * either passes or <em>latches</em> NO_GO "pause rollout" until someone re-arms it. Only the
 * names of the failed checks and the reconciliation count are kept, never a check's message.
 *
 * <pre>{@code
 * Observations.smoke(db, cutover).filter(SmokeLatchState::latched).ifPresent(state ->
 *         rollout.pause(state.reason()));
 * }</pre>
 *
 * @param target              the cutover's subject
 * @param due                 whether a smoke run is due (the cutover migration ran, no run since)
 * @param dueSince            when it became due, while due
 * @param dueMigration        the migration that made it due (its version or script), while due
 * @param latched             whether a failed smoke run latched NO_GO "pause rollout"
 * @param latchedAt           when it latched (the database's clock), while latched
 * @param failedChecks        the names of the checks that failed when it latched, while latched
 * @param reconciliationCount the reconciliation count read by the run that latched, while latched and when one was read
 * @param latchedBy           the instance that ran the failed run, while latched
 * @param lastRunAt           when the last smoke run finished, if ever
 * @param lastRunPassed       whether that run passed
 * @param rearmedAt           when the latch was last re-armed, if ever
 * @param rearmedBy           who last re-armed it, if ever
 */
public record SmokeLatchState(String target, boolean due, Optional<Instant> dueSince, Optional<String> dueMigration,
                              boolean latched, Optional<Instant> latchedAt, List<String> failedChecks,
                              OptionalLong reconciliationCount, Optional<String> latchedBy, Optional<Instant> lastRunAt,
                              boolean lastRunPassed, Optional<Instant> rearmedAt, Optional<String> rearmedBy) {

    public SmokeLatchState {
        Objects.requireNonNull(target, "target");
        failedChecks = List.copyOf(failedChecks);
    }

    /**
     * The latch in words with the next step, e.g. {@code public."user".organization_id is NO_GO: pause rollout. The
     * post-migration smoke run latched at ...}; for a state that is not latched, what it is.
     */
    public String reason() {
        if (!latched) {
            return target + (due ? " has a post-migration smoke run due" + dueMigration.map(m -> " since migration " + m).orElse("")
                    + ": run it once the application serves (PostMigrationSmoke)." : " has no post-migration smoke latch.");
        }
        return target + " is NO_GO: pause rollout. The post-migration smoke run latched at "
                + latchedAt.map(dev.cutover.core.internal.Texts::instant).orElse("an unknown time")
                + latchedBy.map(by -> " on " + by).orElse("") + " with " + failedChecks.size()
                + (failedChecks.size() == 1 ? " failed check" : " failed checks") + " (" + String.join(", ", failedChecks) + ")"
                + (reconciliationCount.isPresent() ? ", reconciliation count " + reconciliationCount.getAsLong() : "")
                + ". Investigate signup assignment/finalization events before additional deploys; nothing was rolled back. "
                + "Then re-arm it (PostMigrationSmoke.rearm) and run the smoke checks again.";
    }
}
