package dev.cutover.core.migrate;

import java.time.Duration;
import java.util.List;

/**
 * What a running {@link NotNullMigration} tells its listeners. Listeners run on the
 * migration's thread; an exception from a listener is logged and ignored.
 *
 * <pre>{@code
 * NotNullMigration.builder(db, cutover)
 *     .onEvent(event -> {
 *         if (event instanceof MigrationEvent.Waiting waiting) {
 *             log.info("waiting for {}", waiting.blockers());
 *         }
 *     })
 *     .build().run();
 * }</pre>
 */
public sealed interface MigrationEvent {

    /** The step's name, as in the plan. */
    String step();

    /** The catalog showed the step done; it did not run. */
    record Skipped(String step) implements MigrationEvent {
    }

    /**
     * Before an attempt, other transactions have held the table longer than the lock timeout;
     * the step waits for them rather than queueing behind them. Told once per attempt.
     */
    record Waiting(String step, List<Blocker> blockers) implements MigrationEvent {

        public Waiting {
            blockers = List.copyOf(blockers);
        }
    }

    /**
     * An attempt failed to get its lock within the lock timeout ({@code 55P03}) and will be tried
     * again after {@code backoff}.
     */
    record Retrying(String step, int attempt, String sqlState, Duration backoff) implements MigrationEvent {
    }

    /** The step committed. */
    record Done(String step, MigrationReport.StepOutcome outcome) implements MigrationEvent {
    }
}
