package dev.cutover.core.internal;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The one retry policy of the engines: exponential backoff with jitter (factor 2, ±50 %),
 * retrying only what {@code worthRetrying} accepts.
 */
public final class Retries {

    private Retries() {
    }

    /**
     * A Resilience4j retry.
     *
     * @param name          for Resilience4j's registry and events
     * @param maxAttempts   attempts in all, the first included
     * @param firstWait     the wait before the second attempt, before jitter
     * @param longestWait   no wait is longer
     * @param remainingMillis the time left before a deadline, which bounds every wait; {@code () -> Long.MAX_VALUE} for none
     * @param worthRetrying which failures another attempt may cure
     */
    public static Retry backoff(String name, int maxAttempts, Duration firstWait, Duration longestWait,
                                LongSupplier remainingMillis, Predicate<Throwable> worthRetrying) {
        IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(firstWait, 2.0, 0.5, longestWait);
        IntervalFunction bounded = attempt -> Math.max(1L, Math.min(backoff.apply(attempt), remainingMillis.getAsLong()));
        RetryConfig config = RetryConfig.custom()
                .maxAttempts(maxAttempts)
                .intervalFunction(bounded)
                .retryOnException(worthRetrying)
                .build();
        return Retry.of(name, config);
    }
}
