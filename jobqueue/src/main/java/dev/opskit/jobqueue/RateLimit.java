package dev.opskit.jobqueue;

import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A limit on how many jobs of a queue start per period, over all workers:
 * {@code RateLimit.perKey(10, Duration.ofSeconds(1), "customerId")} lets at most 10 jobs per
 * second start for each value of the payload's {@code customerId} field. The window slides: a
 * start counts for exactly {@code period} after it. Jobs over the limit stay waiting and start
 * when the window has room; they are never failed.
 *
 * @param permits starts allowed per period, at least 1
 * @param period the window, at least 1 ms (millisecond precision)
 * @param keyField the payload's top-level field whose value (as PostgreSQL's {@code ->>} gives it)
 *                 selects the bucket, or {@code null} for one bucket per queue; jobs whose payload
 *                 lacks the field share one bucket
 */
public record RateLimit(int permits, Duration period, @Nullable String keyField) {

    /** Checks every value and names the bad one. */
    public RateLimit {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, but was " + permits);
        }
        Objects.requireNonNull(period, "period must not be null");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be greater than 0, but was " + period);
        }
        if (period.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException("period must be at least 1 ms, but was " + period);
        }
        if (keyField != null && (keyField.isBlank() || keyField.length() > 200)) {
            throw new IllegalArgumentException("keyField must be a non-blank payload field name of at most 200 characters, but was '"
                    + JobRequest.abbreviate(keyField) + "'");
        }
        if (keyField != null && keyField.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("keyField must not contain the NUL character, but was '" + keyField.replace("\0", "\\u0000") + "'");
        }
    }

    /** At most {@code permits} starts per {@code period} for the whole queue. */
    public static RateLimit of(int permits, Duration period) {
        return new RateLimit(permits, period, null);
    }

    /** At most {@code permits} starts per {@code period} for each value of the payload field {@code keyField}. */
    public static RateLimit perKey(int permits, Duration period, String keyField) {
        Objects.requireNonNull(keyField, "keyField must not be null");
        return new RateLimit(permits, period, keyField);
    }

    /** {@link #keyField()} as an optional. */
    public Optional<String> key() {
        return Optional.ofNullable(keyField);
    }

    @Override
    public String toString() {
        return permits + "/" + period.toMillis() + "ms" + (keyField == null ? "" : " per " + keyField);
    }
}
