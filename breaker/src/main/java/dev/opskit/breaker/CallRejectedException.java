package dev.opskit.breaker;

import dev.opskit.core.OpsKitException;
import dev.opskit.core.RetryAfter;
import java.time.Duration;
import java.util.Objects;

/**
 * A call was not made because the provider's circuit breaker is open (or forced open). The
 * provider was not called, so this is never a failure of the provider, and work that hits it
 * should wait rather than fail: it is a {@link RetryAfter} signal, so the job queue postpones a job
 * by {@link #retryAfter()} without spending one of its attempts.
 *
 * <p>Thrown often while a provider is down, so it carries no stack trace.
 */
public class CallRejectedException extends OpsKitException implements RetryAfter {
    private static final long serialVersionUID = 1L;

    private final String provider;
    private final Duration retryAfter;
    private final boolean forced;

    /**
     * @param provider the breaker's name, for example {@code openai}
     * @param retryAfter how long until the provider may be tried again (zero or positive)
     * @param forced true when an operator forced the breaker open
     */
    public CallRejectedException(String provider, Duration retryAfter, boolean forced) {
        super("circuit breaker '" + provider + "' is " + (forced ? "forced open" : "open")
                + "; call not made, try again in " + retryAfter.toMillis() + " ms", null, false);
        this.provider = Objects.requireNonNull(provider, "provider must not be null");
        this.retryAfter = retryAfter.isNegative() ? Duration.ZERO : retryAfter;
        this.forced = forced;
    }

    /** The breaker's name. */
    public String provider() {
        return provider;
    }

    /** How long until the provider may be tried again; never negative. */
    @Override
    public Duration retryAfter() {
        return retryAfter;
    }

    /** True when the breaker was forced open by an operator's switch rather than by failures. */
    public boolean forced() {
        return forced;
    }
}
