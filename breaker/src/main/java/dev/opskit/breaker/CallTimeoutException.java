package dev.opskit.breaker;

import java.time.Duration;

/**
 * A provider call took longer than its timeout. It counts as a provider failure.
 *
 * <p>From {@link ProviderBreaker#call}: the caller stopped waiting and the call's thread was
 * interrupted. From {@link ProviderBreaker#callInline}: never thrown; the late call is recorded as
 * this failure and its result is still returned, because the work was done.
 */
public class CallTimeoutException extends ProviderCallException {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    public CallTimeoutException(String provider, Duration timeout) {
        super(provider, "call to provider '" + provider + "' did not finish within its timeout of "
                + timeout.toMillis() + " ms", null);
        this.timeout = timeout;
    }

    /** The timeout the call exceeded. */
    public Duration timeout() {
        return timeout;
    }
}
