package dev.opskit.core;

import java.time.Duration;

/**
 * A signal, carried by an exception, that the work was not attempted and should simply be tried
 * again after {@link #retryAfter()}: it is not a failure of the work. The job queue reads it
 * anywhere in a handler's cause chain and postpones the job by that delay without spending an
 * attempt. The circuit breakers' {@code CallRejectedException} (the provider's breaker is open) and
 * the job queue's {@code PostponeJobException} carry it, and any exception of an application's own
 * may implement it, without a dependency on either module.
 */
public interface RetryAfter {
    /** How long to wait before trying again; zero or positive. */
    Duration retryAfter();
}
