package dev.opskit.deadletter;

import dev.opskit.core.health.HealthCheck;
import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * DEGRADED (never DOWN: dead letters need a human, not a restart) when more than
 * {@code maxWaiting} letters wait (default {@value #DEFAULT_MAX_WAITING}) or the oldest waiting
 * letter is older than {@code maxOldestAge} (default 24 hours); UP otherwise. Details (camelCase, like every opskit check):
 * {@code waiting}, {@code maxWaiting}, {@code oldestAgeSeconds} (0 when none waits), {@code maxOldestAgeSeconds},
 * {@code sources} (waiting per source). Runs one {@link DeadLetterStore#stats()}
 * query per check; an unreachable database makes the check throw, which health registries report as DOWN.
 *
 * <pre>{@code
 * HealthCheck check = DeadLetterHealthCheck.builder(store).maxWaiting(10).maxOldestAge(Duration.ofHours(1)).build();
 * }</pre>
 */
public final class DeadLetterHealthCheck implements HealthCheck {
    /** Default most letters allowed to wait before the check turns DEGRADED. */
    public static final long DEFAULT_MAX_WAITING = 10;
    /** Default oldest waiting age before the check turns DEGRADED. */
    public static final Duration DEFAULT_MAX_OLDEST_AGE = Duration.ofHours(24);

    private final DeadLetterStore store;
    private final long maxWaiting;
    private final Duration maxOldestAge;
    private final Clock clock;

    private DeadLetterHealthCheck(Builder b) {
        this.store = b.store;
        this.maxWaiting = b.maxWaiting;
        this.maxOldestAge = b.maxOldestAge;
        this.clock = b.clock;
    }

    /** A builder with the defaults. */
    public static Builder builder(DeadLetterStore store) {
        return new Builder(store);
    }

    @Override
    public HealthResult check() {
        List<SourceStats> stats = store.stats();
        long waiting = 0;
        java.time.Instant oldest = null;
        Map<String, Long> perSource = new LinkedHashMap<>();
        for (SourceStats s : stats) {
            if (s.waiting() > 0) {
                perSource.put(s.source(), s.waiting());
            }
            waiting += s.waiting();
            if (s.oldestWaitingDiedAt() != null && (oldest == null || s.oldestWaitingDiedAt().isBefore(oldest))) {
                oldest = s.oldestWaitingDiedAt();
            }
        }
        long ageSeconds = oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).getSeconds());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("waiting", waiting);
        details.put("maxWaiting", maxWaiting);
        details.put("oldestAgeSeconds", ageSeconds);
        details.put("maxOldestAgeSeconds", maxOldestAge.getSeconds());
        details.put("sources", perSource);
        boolean degraded = waiting > maxWaiting || (oldest != null && ageSeconds > maxOldestAge.getSeconds());
        return HealthResult.of(degraded ? HealthStatus.DEGRADED : HealthStatus.UP, details);
    }

    /** Builder; not thread-safe. */
    public static final class Builder {
        private final DeadLetterStore store;
        private long maxWaiting = DEFAULT_MAX_WAITING;
        private Duration maxOldestAge = DEFAULT_MAX_OLDEST_AGE;
        private Clock clock = Clock.systemUTC();

        private Builder(DeadLetterStore store) {
            this.store = Objects.requireNonNull(store, "store must not be null");
        }

        /** DEGRADED when more than this many letters wait; 0 or more (default 10). */
        public Builder maxWaiting(long maxWaiting) {
            if (maxWaiting < 0) {
                throw new IllegalArgumentException("maxWaiting must be 0 or more, but was " + maxWaiting);
            }
            this.maxWaiting = maxWaiting;
            return this;
        }

        /** DEGRADED when the oldest waiting letter is older than this (default 24 h); positive. */
        public Builder maxOldestAge(Duration age) {
            Objects.requireNonNull(age, "maxOldestAge must not be null");
            if (age.isNegative() || age.isZero()) {
                throw new IllegalArgumentException("maxOldestAge must be positive, but was " + age);
            }
            this.maxOldestAge = age;
            return this;
        }

        /** The clock ages are measured with (default UTC system clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        public DeadLetterHealthCheck build() {
            return new DeadLetterHealthCheck(this);
        }
    }
}
