package dev.opskit.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BreakerConfigTest {

    @Test
    void presetsExistForTheThreeProvidersOfTheRunbooks() {
        assertThat(BreakerConfig.openai().name()).isEqualTo("openai");
        assertThat(BreakerConfig.openai().slowCallDuration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(BreakerConfig.stripe().slowCallDuration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(BreakerConfig.email().permittedCallsInHalfOpenState()).isEqualTo(1);
        assertThat(BreakerConfig.preset("stripe").waitInOpenState()).isEqualTo(BreakerConfig.stripe().waitInOpenState());
    }

    @Test
    void defaultsAreThePublishedConstants() {
        BreakerConfig c = BreakerConfig.ofDefaults("acme");
        assertThat(c.failureRateThreshold()).isEqualTo(BreakerConfig.DEFAULT_FAILURE_RATE_THRESHOLD);
        assertThat(c.waitInOpenState()).isEqualTo(BreakerConfig.DEFAULT_WAIT_IN_OPEN_STATE);
        assertThat(c.maxWaitInHalfOpenState()).isEqualTo(BreakerConfig.DEFAULT_MAX_WAIT_IN_HALF_OPEN_STATE);
        assertThat(c.maxAttempts()).isEqualTo(BreakerConfig.DEFAULT_MAX_ATTEMPTS);
    }

    @Test
    void aPresetCanBeTheBaseOfAnotherBreaker() {
        BreakerConfig eu = BreakerConfig.openai().toBuilder().name("openai-eu").failureRateThreshold(30).build();
        assertThat(eu.name()).isEqualTo("openai-eu");
        assertThat(eu.failureRateThreshold()).isEqualTo(30f);
        assertThat(eu.slowCallDuration()).isEqualTo(BreakerConfig.openai().slowCallDuration());
    }

    @Test
    void badValuesAreRejectedAtOnceAndNamed() {
        BreakerConfig.Builder b = BreakerConfig.custom("acme");
        assertThatThrownBy(() -> b.failureRateThreshold(0))
                .hasMessage("failureRateThreshold must be greater than 0 and at most 100, but was 0.0");
        assertThatThrownBy(() -> b.slowCallRateThreshold(101))
                .hasMessage("slowCallRateThreshold must be greater than 0 and at most 100, but was 101.0");
        assertThatThrownBy(() -> b.slidingWindowSize(0)).hasMessage("slidingWindowSize must be at least 1, but was 0");
        assertThatThrownBy(() -> b.permittedCallsInHalfOpenState(-3))
                .hasMessage("permittedCallsInHalfOpenState must be at least 1, but was -3");
        assertThatThrownBy(() -> b.maxAttempts(0)).hasMessage("maxAttempts must be at least 1, but was 0");
        assertThatThrownBy(() -> b.waitInOpenState(Duration.ZERO))
                .hasMessage("waitInOpenState must be at least 1 ms, but was PT0S");
        assertThatThrownBy(() -> b.maxWaitInHalfOpenState(Duration.ofMillis(-5)))
                .hasMessage("maxWaitInHalfOpenState must be at least 1 ms, but was PT-0.005S");
        assertThatThrownBy(() -> b.maxRetryAfter(Duration.ofSeconds(-1)))
                .hasMessage("maxRetryAfter must not be negative, but was PT-1S");
        assertThatThrownBy(() -> b.slowCallDuration(null)).hasMessage("slowCallDuration must not be null");
        assertThatThrownBy(() -> BreakerConfig.custom("acme").slidingWindowSize(5).minimumNumberOfCalls(6).build())
                .hasMessage("minimumNumberOfCalls must be at most slidingWindowSize (5), but was 6 for breaker 'acme'");
    }

    @Test
    void namesMustFitInASwitchName() {
        assertThatThrownBy(() -> BreakerConfig.custom("open ai")).hasMessageContaining("but was 'open ai'");
        assertThatThrownBy(() -> BreakerConfig.custom("")).hasMessageContaining("but was ''");
        assertThatThrownBy(() -> BreakerConfig.custom("-x")).hasMessageContaining("but was '-x'");
        assertThat(BreakerConfig.custom("send-grid_2").build().name()).isEqualTo("send-grid_2");
        assertThat(SwitchSource.switchKey("send-grid", "OPEN")).isEqualTo("SEND_GRID_CIRCUIT_OPEN");
    }

    @Test
    void unknownPresetNamesTheKnownOnes() {
        assertThatThrownBy(() -> BreakerConfig.preset("twilio"))
                .hasMessage("unknown breaker preset 'twilio'; known presets: [openai, stripe, email]");
    }

    @Test
    void registryBuilderRejectsDuplicatesEmptinessAndBadIntervals() {
        assertThatThrownBy(() -> ProviderBreakers.builder().presets().preset("openai"))
                .hasMessage("a circuit breaker named 'openai' was already added");
        assertThatThrownBy(() -> ProviderBreakers.builder().build())
                .hasMessageStartingWith("at least one circuit breaker must be added");
        assertThatThrownBy(() -> ProviderBreakers.builder().switchRefreshInterval(Duration.ofMillis(-1)))
                .hasMessage("switchRefreshInterval must be zero or at least 10 ms, but was PT-0.001S");
        try (ProviderBreakers breakers = ProviderBreakers.builder().presets()
                .switchSource(SwitchSource.of(java.util.Map.of())).switchRefreshInterval(Duration.ZERO).build()) {
            assertThat(breakers.names()).containsExactly("openai", "stripe", "email");
            assertThatThrownBy(() -> breakers.get("twilio"))
                    .hasMessage("no circuit breaker named 'twilio'; known: [openai, stripe, email]");
        }
    }

    @Test
    void badCallArgumentsAreNamed() {
        try (ProviderBreakers breakers = ProviderBreakers.builder().presets()
                .switchSource(SwitchSource.of(java.util.Map.of())).switchRefreshInterval(Duration.ZERO).build()) {
            assertThatThrownBy(() -> breakers.call("openai", Duration.ZERO, () -> "x"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, but was PT0S");
            assertThatThrownBy(() -> breakers.callInline("openai", null, () -> "x"))
                    .hasMessage("timeout must not be null");
            assertThatThrownBy(() -> breakers.callWithFallback("openai", Duration.ofSeconds(-1), () -> "x", e -> "y"))
                    .hasMessage("timeout must be positive, but was PT-1S");
        }
    }
}
