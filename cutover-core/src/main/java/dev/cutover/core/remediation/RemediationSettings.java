package dev.cutover.core.remediation;
import dev.cutover.core.internal.DatabaseHandle;
import dev.cutover.core.internal.Identifiers;
import dev.cutover.core.internal.Sql;
import dev.cutover.core.internal.Target;
import dev.cutover.core.internal.Masking;
import dev.cutover.core.internal.Values;
import dev.cutover.core.internal.Catalog;
import dev.cutover.core.internal.Texts;
import dev.cutover.core.internal.Retries;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** The checked settings of a remediation, handed from the public builder to the engine. */
record RemediationSettings(CutoverDatabase db, NotNullCutover cutover, RemediationPolicy policy, int batchSize,
                              int maxRowsPerSecond, boolean dryRun, int maxRounds, Duration lockTimeout,
                              Duration batchTimeout, int maxAttempts, Duration maxRetryTime, int reportLimit,
                              List<Consumer<? super RemediationEvent>> listeners, Duration maxReplicaLag) {

    public RemediationSettings {
        listeners = List.copyOf(listeners);
    }

    @Override
    public String toString() {
        return cutover.subject() + ", policy " + PolicyTree.describe(policy) + ", batchSize " + batchSize
                + (maxRowsPerSecond > 0 ? ", maxRowsPerSecond " + maxRowsPerSecond : "") + (dryRun ? ", dry run" : "");
    }
}
