package dev.opskit.deadletter;

import dev.opskit.deadletter.internal.MeteredStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Objects;

/**
 * The dead-letter meters of one store, bound to a registry the one way every opskit module does it:
 *
 * <pre>{@code
 * new DeadLetterMetrics(store).bindTo(registry);
 * new DeadLetterMetrics(store, Duration.ofSeconds(5)).bindTo(registry);   // size gauges refreshed every 5 s
 * }</pre>
 *
 * Nothing is recorded before the first binding; a registry bound later (or a second one) counts
 * from then on. The first binding starts the store's size refresh (a {@code stats()} query every
 * refresh interval, on a daemon thread the store's {@code close()} stops); the in-memory fake
 * refreshes on each {@code refreshMetrics()} call instead.
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>meaning</th></tr>
 * <tr><td>{@code opskit.deadletter.size}</td><td>gauge</td><td>source</td><td>waiting letters, refreshed by a query every refresh interval (not per scrape)</td></tr>
 * <tr><td>{@code opskit.deadletter.oldest.age}</td><td>gauge, seconds</td><td>none</td><td>age of the oldest waiting letter (0 when none), same refresh</td></tr>
 * <tr><td>{@code opskit.deadletter.added}</td><td>counter</td><td>source, reason</td><td>letters added (counted when added, even if the caller's transaction later rolls back)</td></tr>
 * <tr><td>{@code opskit.deadletter.replayed}</td><td>counter</td><td>outcome</td><td>replay attempts by {@link ReplayOutcome#code()}</td></tr>
 * <tr><td>{@code opskit.deadletter.removed}</td><td>counter</td><td>cause</td><td>letters deleted: {@code cleanup}, {@code age}, {@code cap}, {@code manual}</td></tr>
 * </table>
 */
public final class DeadLetterMetrics implements MeterBinder {
    /** Gauge, tag {@code source}: waiting letters. */
    public static final String SIZE = "opskit.deadletter.size";
    /** Gauge, seconds: age of the oldest waiting letter. */
    public static final String OLDEST_AGE = "opskit.deadletter.oldest.age";
    /** Counter, tags {@code source}, {@code reason}: letters added. */
    public static final String ADDED = "opskit.deadletter.added";
    /** Counter, tag {@code outcome}: replay attempts. */
    public static final String REPLAYED = "opskit.deadletter.replayed";
    /** Counter, tag {@code cause}: letters deleted. */
    public static final String REMOVED = "opskit.deadletter.removed";
    /** Default interval of the size refresh. */
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(30);

    private final MeteredStore store;
    private final Duration refresh;

    /** The meters of {@code store}, size gauges refreshed every {@link #DEFAULT_REFRESH}. */
    public DeadLetterMetrics(DeadLetterStore store) {
        this(store, DEFAULT_REFRESH);
    }

    /**
     * The meters of {@code store}, size gauges refreshed every {@code refreshInterval}.
     *
     * @param store a {@code PostgresDeadLetterStore} or the {@code InMemoryDeadLetterStore} fake
     * @param refreshInterval at least 100 ms
     * @throws IllegalArgumentException for another store type or a shorter interval
     */
    public DeadLetterMetrics(DeadLetterStore store, Duration refreshInterval) {
        Objects.requireNonNull(store, "store must not be null");
        Objects.requireNonNull(refreshInterval, "refreshInterval must not be null");
        if (!(store instanceof MeteredStore metered)) {
            throw new IllegalArgumentException("store must be a PostgresDeadLetterStore or InMemoryDeadLetterStore, but was "
                    + store.getClass().getName());
        }
        if (refreshInterval.toMillis() < 100) {
            throw new IllegalArgumentException("refreshInterval must be at least 100ms, but was " + refreshInterval);
        }
        this.store = metered;
        this.refresh = refreshInterval;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        if (store.meters().bind(Objects.requireNonNull(registry, "registry must not be null"))) {
            store.startMetricsRefresh(refresh);
        }
    }
}
