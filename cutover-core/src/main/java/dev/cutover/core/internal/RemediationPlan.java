package dev.cutover.core.internal;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import dev.cutover.core.remediation.RemediationEvent;
import dev.cutover.core.remediation.RemediationPolicy;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** The checked settings of a remediation, handed from the public builder to the engine. */
public record RemediationPlan(CutoverDatabase db, NotNullCutover cutover, RemediationPolicy policy, int batchSize,
                              int maxRowsPerSecond, boolean dryRun, int maxRounds, Duration lockTimeout,
                              Duration batchTimeout, int maxAttempts, Duration maxRetryTime, int reportLimit,
                              List<Consumer<? super RemediationEvent>> listeners) {

    public RemediationPlan {
        listeners = List.copyOf(listeners);
    }

    @Override
    public String toString() {
        return cutover.subject() + ", policy " + PolicyTree.describe(policy) + ", batchSize " + batchSize
                + (maxRowsPerSecond > 0 ? ", maxRowsPerSecond " + maxRowsPerSecond : "") + (dryRun ? ", dry run" : "");
    }
}
