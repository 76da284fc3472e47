package dev.opskit.breaker;

import dev.opskit.core.backoff.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The immutable configuration of one provider breaker. Start from {@link #custom(String)}, a
 * preset ({@link #openai()}, {@link #stripe()}, {@link #email()}, {@link #preset(String)}) or an
 * existing config ({@link #toBuilder()}); the builder rejects a bad value at once and names it.
 *
 * <p>The breaker counts the last {@link #slidingWindowSize()} calls. Once at least
 * {@link #minimumNumberOfCalls()} were recorded, it opens when the share of failures reaches
 * {@link #failureRateThreshold()} percent or the share of calls slower than
 * {@link #slowCallDuration()} reaches {@link #slowCallRateThreshold()} percent. It stays open for
 * {@link #waitInOpenState()}, then lets {@link #permittedCallsInHalfOpenState()} probe calls
 * through: if they succeed it closes, if they fail it opens again, and if they have not all
 * finished within {@link #maxWaitInHalfOpenState()} it opens again, so a hung probe can never keep
 * it half-open.
 *
 * <p>Retries apply only to {@link ProviderBreaker#callIdempotent}: up to {@link #maxAttempts()}
 * attempts, waiting {@link #retryBackoff()} between them, or the provider's Retry-After when that is
 * longer; a Retry-After longer than {@link #maxRetryAfter()} is not waited for (the failure is
 * returned at once so the caller can schedule the work later).
 */
public final class BreakerConfig {
    public static final float DEFAULT_FAILURE_RATE_THRESHOLD = 50f;
    public static final float DEFAULT_SLOW_CALL_RATE_THRESHOLD = 100f;
    public static final Duration DEFAULT_SLOW_CALL_DURATION = Duration.ofSeconds(10);
    public static final int DEFAULT_SLIDING_WINDOW_SIZE = 20;
    public static final int DEFAULT_MINIMUM_NUMBER_OF_CALLS = 10;
    public static final Duration DEFAULT_WAIT_IN_OPEN_STATE = Duration.ofSeconds(30);
    public static final int DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE = 3;
    public static final Duration DEFAULT_MAX_WAIT_IN_HALF_OPEN_STATE = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Backoff DEFAULT_RETRY_BACKOFF = Backoff.exponential(Duration.ofMillis(200), Duration.ofSeconds(5));
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(30);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    private final String name;
    private final float failureRateThreshold;
    private final float slowCallRateThreshold;
    private final Duration slowCallDuration;
    private final int slidingWindowSize;
    private final int minimumNumberOfCalls;
    private final Duration waitInOpenState;
    private final int permittedCallsInHalfOpenState;
    private final Duration maxWaitInHalfOpenState;
    private final int maxAttempts;
    private final Backoff retryBackoff;
    private final Duration maxRetryAfter;
    private final List<Class<? extends Throwable>> ignoredExceptions;

    private BreakerConfig(Builder b) {
        this.name = b.name;
        this.failureRateThreshold = b.failureRateThreshold;
        this.slowCallRateThreshold = b.slowCallRateThreshold;
        this.slowCallDuration = b.slowCallDuration;
        this.slidingWindowSize = b.slidingWindowSize;
        this.minimumNumberOfCalls = b.minimumNumberOfCalls;
        this.waitInOpenState = b.waitInOpenState;
        this.permittedCallsInHalfOpenState = b.permittedCallsInHalfOpenState;
        this.maxWaitInHalfOpenState = b.maxWaitInHalfOpenState;
        this.maxAttempts = b.maxAttempts;
        this.retryBackoff = b.retryBackoff;
        this.maxRetryAfter = b.maxRetryAfter;
        this.ignoredExceptions = List.copyOf(b.ignoredExceptions);
    }

    /**
     * A builder with every default, for the breaker called {@code name}.
     *
     * @param name letters, digits, {@code _} and {@code -}, starting with a letter or digit, at most
     *     64 characters (it becomes part of a switch name such as {@code OPENAI_CIRCUIT_OPEN})
     * @throws IllegalArgumentException naming the bad name
     */
    public static Builder custom(String name) {
        return new Builder().name(name);
    }

    /** A config with every default. */
    public static BreakerConfig ofDefaults(String name) {
        return custom(name).build();
    }

    /**
     * OpenAI-style LLM APIs: slow by nature (a call slower than 60 s counts as slow, 80 % slow calls
     * open the breaker), failure threshold 50 %, 30 s open, 3 probes, 2 min max half-open,
     * 3 attempts with 0.5-10 s backoff.
     */
    public static BreakerConfig openai() {
        return custom("openai")
                .slowCallDuration(Duration.ofSeconds(60)).slowCallRateThreshold(80)
                .waitInOpenState(Duration.ofSeconds(30)).permittedCallsInHalfOpenState(3)
                .maxWaitInHalfOpenState(Duration.ofMinutes(2))
                .retryBackoff(Backoff.exponential(Duration.ofMillis(500), Duration.ofSeconds(10)))
                .build();
    }

    /**
     * Payment APIs (Stripe): fast when healthy (a call slower than 5 s is slow, 80 % slow calls open
     * the breaker), 15 s open, 2 probes, 60 s max half-open, 3 attempts with 0.25-4 s backoff (only
     * for calls you made idempotent with an idempotency key).
     */
    public static BreakerConfig stripe() {
        return custom("stripe")
                .slowCallDuration(Duration.ofSeconds(5)).slowCallRateThreshold(80)
                .waitInOpenState(Duration.ofSeconds(15)).permittedCallsInHalfOpenState(2)
                .maxWaitInHalfOpenState(Duration.ofSeconds(60))
                .retryBackoff(Backoff.exponential(Duration.ofMillis(250), Duration.ofSeconds(4)))
                .build();
    }

    /**
     * Transactional e-mail providers: a call slower than 10 s is slow, 60 s open (mail can wait; the
     * job queue postpones it), 1 probe, 60 s max half-open, 2 attempts.
     */
    public static BreakerConfig email() {
        return custom("email")
                .slowCallDuration(Duration.ofSeconds(10)).slowCallRateThreshold(80)
                .waitInOpenState(Duration.ofSeconds(60)).permittedCallsInHalfOpenState(1)
                .maxWaitInHalfOpenState(Duration.ofSeconds(60))
                .maxAttempts(2)
                .build();
    }

    /** The names {@link #preset(String)} knows. */
    public static List<String> presetNames() {
        return List.of("openai", "stripe", "email");
    }

    /**
     * A preset by name: {@code openai}, {@code stripe} or {@code email}.
     *
     * @throws IllegalArgumentException naming the unknown preset and the known ones
     */
    public static BreakerConfig preset(String name) {
        Objects.requireNonNull(name, "name must not be null");
        return switch (name) {
            case "openai" -> openai();
            case "stripe" -> stripe();
            case "email" -> email();
            default -> throw new IllegalArgumentException(
                    "unknown breaker preset '" + name + "'; known presets: " + presetNames());
        };
    }

    /** A builder holding this config's values, to derive another ({@code openai().toBuilder().name("openai-eu")}). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name;
        b.failureRateThreshold = failureRateThreshold;
        b.slowCallRateThreshold = slowCallRateThreshold;
        b.slowCallDuration = slowCallDuration;
        b.slidingWindowSize = slidingWindowSize;
        b.minimumNumberOfCalls = minimumNumberOfCalls;
        b.waitInOpenState = waitInOpenState;
        b.permittedCallsInHalfOpenState = permittedCallsInHalfOpenState;
        b.maxWaitInHalfOpenState = maxWaitInHalfOpenState;
        b.maxAttempts = maxAttempts;
        b.retryBackoff = retryBackoff;
        b.maxRetryAfter = maxRetryAfter;
        b.ignoredExceptions.addAll(ignoredExceptions);
        return b;
    }

    public String name() {
        return name;
    }

    /** Percent of failed calls (in the window) that opens the breaker; default 50. */
    public float failureRateThreshold() {
        return failureRateThreshold;
    }

    /** Percent of slow calls (in the window) that opens the breaker; default 100. */
    public float slowCallRateThreshold() {
        return slowCallRateThreshold;
    }

    /** A call taking longer than this is slow; default 10 s. */
    public Duration slowCallDuration() {
        return slowCallDuration;
    }

    /** How many of the latest calls are counted; default 20. */
    public int slidingWindowSize() {
        return slidingWindowSize;
    }

    /** Calls needed before rates are computed; default 10. */
    public int minimumNumberOfCalls() {
        return minimumNumberOfCalls;
    }

    /** How long the breaker stays open before probing; default 30 s. */
    public Duration waitInOpenState() {
        return waitInOpenState;
    }

    /** Probe calls let through when half-open; default 3. */
    public int permittedCallsInHalfOpenState() {
        return permittedCallsInHalfOpenState;
    }

    /** Longest time half-open before opening again if the probes have not finished; default 60 s. */
    public Duration maxWaitInHalfOpenState() {
        return maxWaitInHalfOpenState;
    }

    /** Attempts of an idempotent call, including the first; 1 means no retries; default 3. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Delay between attempts of an idempotent call; default exponential 200 ms..5 s, full jitter. */
    public Backoff retryBackoff() {
        return retryBackoff;
    }

    /** Longest Retry-After a retry waits for; default 30 s. */
    public Duration maxRetryAfter() {
        return maxRetryAfter;
    }

    /** Exception types that count neither as failure nor as success (with their subclasses). */
    public List<Class<? extends Throwable>> ignoredExceptions() {
        return ignoredExceptions;
    }

    @Override
    public String toString() {
        return "BreakerConfig[" + name + ": failureRateThreshold=" + failureRateThreshold + "%"
                + ", slowCallRateThreshold=" + slowCallRateThreshold + "%"
                + ", slowCallDuration=" + slowCallDuration
                + ", slidingWindowSize=" + slidingWindowSize
                + ", minimumNumberOfCalls=" + minimumNumberOfCalls
                + ", waitInOpenState=" + waitInOpenState
                + ", permittedCallsInHalfOpenState=" + permittedCallsInHalfOpenState
                + ", maxWaitInHalfOpenState=" + maxWaitInHalfOpenState
                + ", maxAttempts=" + maxAttempts
                + ", maxRetryAfter=" + maxRetryAfter
                + (ignoredExceptions.isEmpty() ? "" : ", ignoredExceptions=" + ignoredExceptions) + "]";
    }

    /** Checks every value as it is set; {@link #build()} checks the values that depend on each other. */
    public static final class Builder {
        private String name = ""; // set by builder(name) and toBuilder() before any use
        private float failureRateThreshold = DEFAULT_FAILURE_RATE_THRESHOLD;
        private float slowCallRateThreshold = DEFAULT_SLOW_CALL_RATE_THRESHOLD;
        private Duration slowCallDuration = DEFAULT_SLOW_CALL_DURATION;
        private int slidingWindowSize = DEFAULT_SLIDING_WINDOW_SIZE;
        private int minimumNumberOfCalls = DEFAULT_MINIMUM_NUMBER_OF_CALLS;
        private Duration waitInOpenState = DEFAULT_WAIT_IN_OPEN_STATE;
        private int permittedCallsInHalfOpenState = DEFAULT_PERMITTED_CALLS_IN_HALF_OPEN_STATE;
        private Duration maxWaitInHalfOpenState = DEFAULT_MAX_WAIT_IN_HALF_OPEN_STATE;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Backoff retryBackoff = DEFAULT_RETRY_BACKOFF;
        private Duration maxRetryAfter = DEFAULT_MAX_RETRY_AFTER;
        private final List<Class<? extends Throwable>> ignoredExceptions = new ArrayList<>();

        private Builder() {
        }

        /** See {@link BreakerConfig#custom(String)} for what a name may contain. */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name must not be null");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name must be 1-64 letters, digits, '_' or '-', starting with a"
                        + " letter or digit, but was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /** @param percent greater than 0 and at most 100 */
        public Builder failureRateThreshold(float percent) {
            this.failureRateThreshold = percent("failureRateThreshold", percent);
            return this;
        }

        /** @param percent greater than 0 and at most 100; 100 means only "every call is slow" opens */
        public Builder slowCallRateThreshold(float percent) {
            this.slowCallRateThreshold = percent("slowCallRateThreshold", percent);
            return this;
        }

        /** @param duration at least 1 ms */
        public Builder slowCallDuration(Duration duration) {
            this.slowCallDuration = atLeastOneMilli("slowCallDuration", duration);
            return this;
        }

        /** @param calls at least 1 */
        public Builder slidingWindowSize(int calls) {
            this.slidingWindowSize = atLeastOne("slidingWindowSize", calls);
            return this;
        }

        /** @param calls at least 1 and at most {@code slidingWindowSize} (checked by {@link #build()}) */
        public Builder minimumNumberOfCalls(int calls) {
            this.minimumNumberOfCalls = atLeastOne("minimumNumberOfCalls", calls);
            return this;
        }

        /** @param duration at least 1 ms */
        public Builder waitInOpenState(Duration duration) {
            this.waitInOpenState = atLeastOneMilli("waitInOpenState", duration);
            return this;
        }

        /** @param calls at least 1 */
        public Builder permittedCallsInHalfOpenState(int calls) {
            this.permittedCallsInHalfOpenState = atLeastOne("permittedCallsInHalfOpenState", calls);
            return this;
        }

        /** @param duration at least 1 ms; should exceed your call timeouts, or healthy probes get cut off */
        public Builder maxWaitInHalfOpenState(Duration duration) {
            this.maxWaitInHalfOpenState = atLeastOneMilli("maxWaitInHalfOpenState", duration);
            return this;
        }

        /** @param attempts at least 1 (1 = no retries) */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = atLeastOne("maxAttempts", attempts);
            return this;
        }

        public Builder retryBackoff(Backoff backoff) {
            this.retryBackoff = Objects.requireNonNull(backoff, "retryBackoff must not be null");
            return this;
        }

        /** @param duration zero (never wait for a Retry-After) or positive */
        public Builder maxRetryAfter(Duration duration) {
            Objects.requireNonNull(duration, "maxRetryAfter must not be null");
            if (duration.isNegative()) {
                throw new IllegalArgumentException("maxRetryAfter must not be negative, but was " + duration);
            }
            this.maxRetryAfter = duration;
            return this;
        }

        /**
         * Exception types (and subclasses) that are neither a failure nor a success of the provider,
         * for example your own validation errors thrown before the request is sent.
         */
        @SafeVarargs
        public final Builder ignoreExceptions(Class<? extends Throwable>... types) {
            Objects.requireNonNull(types, "types must not be null");
            for (int i = 0; i < types.length; i++) {
                ignoredExceptions.add(Objects.requireNonNull(types[i], "ignoreExceptions[" + i + "] must not be null"));
            }
            return this;
        }

        /**
         * @throws IllegalArgumentException when {@code minimumNumberOfCalls} exceeds
         *     {@code slidingWindowSize} (naming both values)
         */
        public BreakerConfig build() {
            if (minimumNumberOfCalls > slidingWindowSize) {
                throw new IllegalArgumentException("minimumNumberOfCalls must be at most slidingWindowSize ("
                        + slidingWindowSize + "), but was " + minimumNumberOfCalls + " for breaker '" + name + "'");
            }
            return new BreakerConfig(this);
        }

        private static float percent(String what, float value) {
            if (!(value > 0 && value <= 100)) {
                throw new IllegalArgumentException(what + " must be greater than 0 and at most 100, but was " + value);
            }
            return value;
        }

        private static int atLeastOne(String what, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(what + " must be at least 1, but was " + value);
            }
            return value;
        }

        private static Duration atLeastOneMilli(String what, Duration value) {
            Objects.requireNonNull(value, what + " must not be null");
            if (value.toMillis() < 1) {
                throw new IllegalArgumentException(what + " must be at least 1 ms, but was " + value);
            }
            return value;
        }
    }
}
