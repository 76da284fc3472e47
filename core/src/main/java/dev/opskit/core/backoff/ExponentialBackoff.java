package dev.opskit.core.backoff;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/** Full-jitter exponential backoff; all arithmetic in nanoseconds, saturating at the cap. */
final class ExponentialBackoff implements Backoff {
    private final long baseNanos;
    private final long capNanos;
    private final @Nullable RandomGenerator random; // null: ThreadLocalRandom

    ExponentialBackoff(Duration base, Duration cap, @Nullable RandomGenerator random) {
        Objects.requireNonNull(base, "base must not be null");
        Objects.requireNonNull(cap, "cap must not be null");
        if (base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("base must be greater than 0, but was " + base);
        }
        if (cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("cap must be at least base (" + base + "), but was " + cap);
        }
        this.baseNanos = toNanos(base, "base");
        this.capNanos = toNanos(cap, "cap");
        this.random = random;
    }

    @Override
    public Duration delay(int attempt) {
        requireAttempt(attempt);
        long ceiling = ceilingNanos(attempt);
        RandomGenerator r = random != null ? random : ThreadLocalRandom.current();
        // nextLong(bound) needs bound > 0; ceiling + 1 cannot overflow because ceiling <= capNanos < Long.MAX_VALUE.
        return Duration.ofNanos(r.nextLong(ceiling + 1));
    }

    /** min(cap, base * 2^(attempt-1)) without overflow. */
    long ceilingNanos(int attempt) {
        int shift = attempt - 1;
        if (shift >= 63 || baseNanos > (capNanos >> shift)) {
            return capNanos;
        }
        return Math.min(capNanos, baseNanos << shift);
    }

    static void requireAttempt(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, but was " + attempt);
        }
    }

    private static long toNanos(Duration d, String name) {
        try {
            long nanos = d.toNanos();
            if (nanos == Long.MAX_VALUE) {
                throw new ArithmeticException();
            }
            return nanos;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + " must be less than about 292 years, but was " + d, e);
        }
    }
}
