package dev.opskit.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opskit.core.backoff.Backoff;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retries of idempotent calls, with the core backoff and the provider's Retry-After. */
class RetriesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final Map<String, String> env = new ConcurrentHashMap<>();
    private ProviderBreakers breakers;

    private ProviderBreaker breaker(BreakerConfig.Builder config) {
        breakers = ProviderBreakers.builder().add(config.build()).switchSource(SwitchSource.of(env))
                .switchRefreshInterval(Duration.ZERO).build();
        return breakers.get("acme");
    }

    private static BreakerConfig.Builder config() {
        return BreakerConfig.custom("acme").maxAttempts(3).retryBackoff(Backoff.fixed(Duration.ofMillis(1)))
                .slidingWindowSize(50).minimumNumberOfCalls(50);
    }

    @AfterEach
    void close() {
        breakers.close();
    }

    @Test
    void providerFaultsAreRetriedUntilTheCallSucceeds() {
        ProviderBreaker b = breaker(config());
        AtomicInteger attempts = new AtomicInteger();
        String result = b.callIdempotent(TIMEOUT, () -> {
            if (attempts.incrementAndGet() < 3) {
                throw new ProviderException("acme answered 502", 502);
            }
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(attempts).hasValue(3);
        assertThat(b.snapshot().failedCalls()).as("each attempt went through the breaker").isEqualTo(2);
    }

    @Test
    void faultyResponsesAreRetriedAndTheLastOneReturnedWhenAttemptsRunOut() {
        ProviderBreaker b = breaker(config());
        AtomicInteger attempts = new AtomicInteger();
        ProviderResponse r = b.callIdempotent(TIMEOUT, () -> {
            attempts.incrementAndGet();
            return ProviderResponse.of(503, null);
        });
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(attempts).hasValue(3);
    }

    @Test
    void clientErrorsAreNotRetried() {
        ProviderBreaker b = breaker(config());
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> b.callIdempotent(TIMEOUT, () -> {
            attempts.incrementAndGet();
            throw new ProviderException("acme answered 400", 400);
        })).isInstanceOf(ProviderException.class);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void theLastFailureIsThrownWhenAttemptsRunOut() {
        ProviderBreaker b = breaker(config());
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> b.callIdempotent(TIMEOUT, () -> {
            throw new IOException("attempt " + attempts.incrementAndGet());
        })).isInstanceOf(ProviderCallException.class).hasRootCauseMessage("attempt 3");
    }

    @Test
    void aRetryWaitsAtLeastTheProvidersRetryAfter() {
        ProviderBreaker b = breaker(config());
        long[] startedAt = new long[2];
        AtomicInteger attempts = new AtomicInteger();
        b.callIdempotent(TIMEOUT, () -> {
            int n = attempts.incrementAndGet();
            startedAt[n - 1] = System.nanoTime();
            if (n == 1) {
                throw new ProviderException("acme answered 429", 429, Duration.ofMillis(300));
            }
            return "ok";
        });
        assertThat(Duration.ofNanos(startedAt[1] - startedAt[0])).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void aRetryAfterLongerThanTheMaximumIsNotWaitedFor() {
        ProviderBreaker b = breaker(config().maxRetryAfter(Duration.ofSeconds(10)));
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> b.callIdempotent(TIMEOUT, () -> {
            attempts.incrementAndGet();
            throw new ProviderException("acme answered 503", 503, Duration.ofMinutes(5));
        })).isInstanceOfSatisfying(ProviderException.class,
                e -> assertThat(e.retryAfter()).contains(Duration.ofMinutes(5)));
        assertThat(attempts).hasValue(1);
    }

    @Test
    void aRejectionEndsTheRetriesAtOnce() {
        ProviderBreaker b = breaker(config());
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> b.callIdempotent(TIMEOUT, () -> {
            attempts.incrementAndGet();
            env.put("ACME_CIRCUIT_OPEN", "true");
            breakers.refreshSwitches(); // the operator forces the breaker open during the first attempt
            throw new IOException("down");
        })).isInstanceOfSatisfying(CallRejectedException.class, e -> assertThat(e.forced()).isTrue());
        assertThat(attempts).hasValue(1);
    }

    @Test
    void oneAttemptMeansNoRetries() {
        ProviderBreaker b = breaker(config().maxAttempts(1));
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> b.callIdempotent(TIMEOUT, () -> {
            attempts.incrementAndGet();
            throw new IOException("down");
        })).isInstanceOf(ProviderCallException.class);
        assertThat(attempts).hasValue(1);
    }
}
