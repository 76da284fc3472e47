package dev.opskit.breaker;

import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetricsPublisher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Publishes the breakers' metrics to Micrometer: resilience4j's own meters under their usual names
 * ({@code resilience4j.circuitbreaker.state}, {@code .calls}, {@code .failure.rate},
 * {@code .slow.call.rate}, {@code .buffered.calls}, {@code .not.permitted.calls}, ... tagged
 * {@code name}) plus:
 * <ul>
 *   <li>{@value #STATE} (gauge, tag {@code name}): the current {@link BreakerState#code()}:
 *       0 CLOSED, 1 DISABLED, 2 HALF_OPEN, 3 OPEN, 4 FORCED_OPEN;</li>
 *   <li>{@value #TRANSITIONS} (counter, tags {@code name}, {@code from}, {@code to}, values the
 *       lower-case state names such as {@code half_open}): state changes seen.</li>
 * </ul>
 * Note: binding resilience4j's meters registers event consumers on each breaker, after which
 * resilience4j allocates an event object per call (its own cost, measured in {@code bench}).
 */
public final class BreakerMetrics implements MeterBinder {
    /** Gauge: current state code per breaker. */
    public static final String STATE = "opskit.circuitbreaker.state";
    /** Counter: state transitions per breaker, from and to. */
    public static final String TRANSITIONS = "opskit.circuitbreaker.transitions";

    private final ProviderBreakers breakers;

    public BreakerMetrics(ProviderBreakers breakers) {
        this.breakers = Objects.requireNonNull(breakers, "breakers must not be null");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry must not be null");
        TaggedCircuitBreakerMetricsPublisher resilience4j = new TaggedCircuitBreakerMetricsPublisher(registry);
        for (ProviderBreaker b : breakers.breakers()) {
            resilience4j.publishMetrics(b.circuitBreaker());
            Gauge.builder(STATE, b, breaker -> breaker.currentState().code())
                    .description("Circuit breaker state: 0 closed, 1 disabled, 2 half-open, 3 open, 4 forced open")
                    .tag("name", b.name())
                    .register(registry);
            b.onTransition(t -> Counter.builder(TRANSITIONS)
                    .description("Circuit breaker state transitions")
                    .tag("name", t.name())
                    .tag("from", t.from().tagValue())
                    .tag("to", t.to().tagValue())
                    .register(registry)
                    .increment());
        }
    }
}
