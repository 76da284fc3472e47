package dev.opskit.deadletter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The dead-letter meters. Stores create one when given a {@code MeterRegistry}; the names are here
 * in one place.
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
public final class DeadLetterMetrics {
    /** Meter names. */
    public static final class Names {
        public static final String SIZE = "opskit.deadletter.size";
        public static final String OLDEST_AGE = "opskit.deadletter.oldest.age";
        public static final String ADDED = "opskit.deadletter.added";
        public static final String REPLAYED = "opskit.deadletter.replayed";
        public static final String REMOVED = "opskit.deadletter.removed";

        private Names() {
        }
    }

    private final MeterRegistry registry;
    private final MultiGauge size;
    private final AtomicReference<Double> oldestAgeSeconds = new AtomicReference<>(0.0);

    /** Registers the gauges on {@code registry}; counters are registered when first used. */
    public DeadLetterMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry must not be null");
        this.size = MultiGauge.builder(Names.SIZE).description("Dead letters waiting for replay, by source")
                .baseUnit("letters").register(registry);
        Gauge.builder(Names.OLDEST_AGE, oldestAgeSeconds, AtomicReference::get)
                .description("Age of the oldest waiting dead letter").baseUnit("seconds").register(registry);
    }

    /** Counts one added letter. */
    public void added(String source, DeadLetterReason reason) {
        Counter.builder(Names.ADDED).description("Dead letters added").baseUnit("letters")
                .tags(Tags.of("source", source, "reason", reason.code())).register(registry).increment();
    }

    /** Counts one replay attempt's outcome. */
    public void replayed(ReplayOutcome outcome) {
        Counter.builder(Names.REPLAYED).description("Dead-letter replay attempts by outcome").baseUnit("letters")
                .tags(Tags.of("outcome", outcome.code())).register(registry).increment();
    }

    /** Counts removed letters. */
    public void removed(String cause, long count) {
        if (count > 0) {
            Counter.builder(Names.REMOVED).description("Dead letters deleted, by cause").baseUnit("letters")
                    .tags(Tags.of("cause", cause)).register(registry).increment(count);
        }
    }

    /** Sets the gauges from a fresh {@link DeadLetterStore#stats()} result. */
    public void refresh(List<SourceStats> stats, Instant now) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        Instant oldest = null;
        for (SourceStats s : stats) {
            rows.add(MultiGauge.Row.of(Tags.of("source", s.source()), s.waiting()));
            if (s.oldestWaitingDiedAt() != null && (oldest == null || s.oldestWaitingDiedAt().isBefore(oldest))) {
                oldest = s.oldestWaitingDiedAt();
            }
        }
        size.register(rows, true);
        oldestAgeSeconds.set(oldest == null ? 0.0 : Math.max(0, (now.toEpochMilli() - oldest.toEpochMilli()) / 1000.0));
    }

}
