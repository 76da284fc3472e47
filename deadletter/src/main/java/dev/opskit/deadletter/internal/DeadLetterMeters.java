package dev.opskit.deadletter.internal;

import dev.opskit.deadletter.DeadLetterMetrics;
import dev.opskit.deadletter.DeadLetterReason;
import dev.opskit.deadletter.ReplayOutcome;
import dev.opskit.deadletter.SourceStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Records one store's dead-letter meters on a composite registry that {@link DeadLetterMetrics}
 * binds registries to. Every method is a no-op until the first binding, so a store nobody observes
 * pays nothing. Thread-safe.
 */
public final class DeadLetterMeters {
    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final AtomicReference<Double> oldestAgeSeconds = new AtomicReference<>(0.0);
    private volatile @Nullable MultiGauge size; // set by the first bind, before enabled
    private volatile boolean enabled;

    /**
     * Publishes the meters on {@code target} too.
     *
     * @return true for the first binding (the caller then starts the size refresh)
     */
    public synchronized boolean bind(MeterRegistry target) {
        registry.add(target);
        if (enabled) {
            return false;
        }
        size = MultiGauge.builder(DeadLetterMetrics.SIZE).description("Dead letters waiting for replay, by source")
                .baseUnit("letters").register(registry);
        Gauge.builder(DeadLetterMetrics.OLDEST_AGE, oldestAgeSeconds, AtomicReference::get)
                .description("Age of the oldest waiting dead letter").baseUnit("seconds").register(registry);
        enabled = true;
        return true;
    }

    /** Whether a registry is bound. */
    public boolean enabled() {
        return enabled;
    }

    /** Counts one added letter. */
    public void added(String source, DeadLetterReason reason) {
        if (enabled) {
            Counter.builder(DeadLetterMetrics.ADDED).description("Dead letters added").baseUnit("letters")
                    .tags(Tags.of("source", source, "reason", reason.code())).register(registry).increment();
        }
    }

    /** Counts one replay attempt's outcome. */
    public void replayed(ReplayOutcome outcome) {
        if (enabled) {
            Counter.builder(DeadLetterMetrics.REPLAYED).description("Dead-letter replay attempts by outcome").baseUnit("letters")
                    .tags(Tags.of("outcome", outcome.code())).register(registry).increment();
        }
    }

    /** Counts removed letters. */
    public void removed(String cause, long count) {
        if (enabled && count > 0) {
            Counter.builder(DeadLetterMetrics.REMOVED).description("Dead letters deleted, by cause").baseUnit("letters")
                    .tags(Tags.of("cause", cause)).register(registry).increment(count);
        }
    }

    /** Sets the gauges from a fresh {@code stats()} result. */
    public void refresh(List<SourceStats> stats, Instant now) {
        if (!enabled) {
            return;
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        Instant oldest = null;
        for (SourceStats s : stats) {
            rows.add(MultiGauge.Row.of(Tags.of("source", s.source()), s.waiting()));
            if (s.oldestWaitingDiedAt() != null && (oldest == null || s.oldestWaitingDiedAt().isBefore(oldest))) {
                oldest = s.oldestWaitingDiedAt();
            }
        }
        Objects.requireNonNull(size, "bind sets size before enabled").register(rows, true);
        oldestAgeSeconds.set(oldest == null ? 0.0 : Math.max(0, (now.toEpochMilli() - oldest.toEpochMilli()) / 1000.0));
    }
}
