package dev.opskit.deadletter.internal;

import java.time.Duration;

/**
 * A store {@link dev.opskit.deadletter.DeadLetterMetrics} can bind: both opskit stores implement
 * it. Internal: applications bind with {@code new DeadLetterMetrics(store).bindTo(registry)}.
 */
public interface MeteredStore {
    /** The store's recorder. */
    DeadLetterMeters meters();

    /** Refreshes the size gauges every {@code interval} from now on (the first binding calls it once). */
    void startMetricsRefresh(Duration interval);
}
