package dev.opskit.core.backoff;

import java.time.Duration;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;

/**
 * How long to wait before retry number {@code attempt}. Used by the job queue between attempts
 * and by provider calls that retry.
 *
 * <p>Three kinds:
 * <ul>
 *   <li>{@link #exponential(Duration, Duration)}: "full jitter" (a uniformly random delay between
 *       zero and {@code min(cap, base * 2^(attempt-1))}), which spreads retries of many clients
 *       instead of synchronising them;</li>
 *   <li>{@link #fixed(Duration)}: the same delay every time ("retry after 5 minutes");</li>
 *   <li>{@link #custom(IntFunction)}: any function of the attempt number.</li>
 * </ul>
 *
 * <p>For every attempt number from 1 to {@link Integer#MAX_VALUE} the delay is between zero and
 * the cap: it never overflows and never goes negative. Implementations are thread-safe.
 */
@FunctionalInterface
public interface Backoff {

    /**
     * The delay before retry {@code attempt}.
     *
     * @param attempt the number of the attempt that just failed, starting at 1
     * @return a non-negative delay
     * @throws IllegalArgumentException when {@code attempt} is less than 1
     */
    Duration delay(int attempt);

    /**
     * Exponential backoff with full jitter and a cap, drawing from a thread-local random source.
     *
     * @param base the upper bound of the first delay; positive
     * @param cap the largest delay ever returned; at least {@code base}
     * @throws IllegalArgumentException naming the argument when either is out of range
     */
    static Backoff exponential(Duration base, Duration cap) {
        return new ExponentialBackoff(base, cap, null);
    }

    /**
     * Like {@link #exponential(Duration, Duration)}, but drawing from {@code random}: with a seeded
     * source ({@code new java.util.Random(42)}) the sequence of delays is reproducible. The source
     * must be thread-safe if the backoff is shared between threads ({@code java.util.Random} is).
     */
    static Backoff exponential(Duration base, Duration cap, RandomGenerator random) {
        return new ExponentialBackoff(base, cap, Objects.requireNonNull(random, "random must not be null"));
    }

    /**
     * The same delay for every attempt.
     *
     * @param delay zero or positive
     * @throws IllegalArgumentException when {@code delay} is negative
     */
    static Backoff fixed(Duration delay) {
        Objects.requireNonNull(delay, "delay must not be null");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, but was " + delay);
        }
        return attempt -> {
            ExponentialBackoff.requireAttempt(attempt);
            return delay;
        };
    }

    /**
     * A delay computed by {@code function} from the attempt number. The function's answer is
     * checked on every call: {@code null} or a negative duration throws
     * {@link IllegalStateException} naming the attempt, rather than scheduling a retry in the past.
     */
    static Backoff custom(IntFunction<Duration> function) {
        Objects.requireNonNull(function, "function must not be null");
        return attempt -> {
            ExponentialBackoff.requireAttempt(attempt);
            Duration d = function.apply(attempt);
            if (d == null || d.isNegative()) {
                throw new IllegalStateException("custom backoff returned " + d + " for attempt " + attempt
                        + "; it must return a non-negative duration");
            }
            return d;
        };
    }
}
