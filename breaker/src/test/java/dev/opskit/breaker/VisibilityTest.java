package dev.opskit.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Metrics, health checks and snapshots. */
class VisibilityTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void metricsKeepResilience4jNamesAndAddStateAndTransitions() {
        Map<String, String> env = new ConcurrentHashMap<>();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (ProviderBreakers breakers = ProviderBreakers.builder().presets().switchSource(SwitchSource.of(env))
                .switchRefreshInterval(Duration.ZERO).build()) {
            new BreakerMetrics(breakers).bindTo(meters);
            breakers.callInline("openai", TIMEOUT, () -> "ok");

            assertThat(meters.get(BreakerMetrics.STATE).tag("name", "openai").gauge().value()).isZero();
            assertThat(meters.find("resilience4j.circuitbreaker.state").tag("name", "openai").gauges()).isNotEmpty();
            assertThat(meters.get("resilience4j.circuitbreaker.calls").tag("name", "openai").tag("kind", "successful")
                    .timer().count()).isEqualTo(1);

            env.put("OPENAI_CIRCUIT_OPEN", "true");
            breakers.refreshSwitches();
            assertThat(meters.get(BreakerMetrics.STATE).tag("name", "openai").gauge().value()).isEqualTo(4.0);
            assertThat(meters.get(BreakerMetrics.TRANSITIONS).tags("name", "openai", "from", "closed", "to", "forced_open")
                    .counter().count()).isEqualTo(1.0);
            env.clear();
            breakers.refreshSwitches();
            assertThat(meters.get(BreakerMetrics.TRANSITIONS).tags("name", "openai", "from", "forced_open", "to", "closed")
                    .counter().count()).isEqualTo(1.0);
        }
    }

    @Test
    void anOpenBreakerIsDegradedNeverDownWithDetailsForOperators() throws Exception {
        MutableClock clock = new MutableClock();
        try (ProviderBreakers breakers = ProviderBreakers.builder()
                .add(BreakerConfig.custom("email").slidingWindowSize(2).minimumNumberOfCalls(2)
                        .waitInOpenState(Duration.ofSeconds(60)).build())
                .clock(clock).switchSource(SwitchSource.of(Map.of())).switchRefreshInterval(Duration.ZERO).build()) {
            assertThat(breakers.healthChecks()).containsOnlyKeys("email");
            assertThat(breakers.healthChecks().get("email").check().status()).isEqualTo(HealthStatus.UP);
            for (int i = 0; i < 2; i++) {
                try {
                    breakers.callInline("email", TIMEOUT, () -> {
                        throw new IOException("smtp down");
                    });
                } catch (ProviderCallException expected) {
                    // counted
                }
            }
            clock.advance(Duration.ofSeconds(15));
            HealthResult health = breakers.healthChecks().get("email").check();
            assertThat(health.status()).isEqualTo(HealthStatus.DEGRADED);
            assertThat(health.details())
                    .containsEntry("state", "OPEN")
                    .containsEntry("forced", false)
                    .containsEntry("failureRate", 100.0f)
                    .containsEntry("slowCallRate", 0.0f)
                    .containsEntry("bufferedCalls", 2)
                    .containsEntry("nextAttemptInMs", 45_000L);

            BreakerSnapshot snap = breakers.snapshot().get(0);
            assertThat(snap.state()).isEqualTo(BreakerState.OPEN);
            assertThat(snap.retryAfter()).isEqualTo(Duration.ofSeconds(45));
            assertThat(snap.failedCalls()).isEqualTo(2);
        }
    }

    @Test
    void stateCodesAreOrderedByHowMuchTrafficIsCutOff() {
        assertThat(BreakerState.CLOSED.code()).isZero();
        assertThat(BreakerState.DISABLED.code()).isEqualTo(1);
        assertThat(BreakerState.HALF_OPEN.code()).isEqualTo(2);
        assertThat(BreakerState.OPEN.code()).isEqualTo(3);
        assertThat(BreakerState.FORCED_OPEN.code()).isEqualTo(4);
    }
}
