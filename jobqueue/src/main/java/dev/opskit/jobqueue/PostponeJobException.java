package dev.opskit.jobqueue;

import dev.opskit.core.OpsKitException;
import dev.opskit.core.RetryAfter;

import java.time.Duration;
import java.util.Objects;

/**
 * Thrown by a handler to run the job again later without spending an attempt ("the provider
 * asked us to come back in 10 minutes"): a {@link RetryAfter} signal whose {@link #retryAfter()}
 * is the delay. Carries no stack trace.
 */
public class PostponeJobException extends OpsKitException implements RetryAfter {
    private static final long serialVersionUID = 1L;

    private final Duration delay;

    /**
     * @param delay how long to wait; zero or positive
     * @param reason why, for logs
     */
    public PostponeJobException(Duration delay, String reason) {
        super("job postponed by " + Objects.requireNonNull(delay, "delay must not be null").toMillis() + " ms: " + reason, null, false);
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, but was " + delay);
        }
        this.delay = delay;
    }

    /** How long the job waits before it runs again. */
    public Duration delay() {
        return delay;
    }

    /** The same as {@link #delay()}. */
    @Override
    public Duration retryAfter() {
        return delay;
    }
}
