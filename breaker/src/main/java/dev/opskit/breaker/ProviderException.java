package dev.opskit.breaker;

import dev.opskit.core.OpsKitException;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The provider answered with an error status. Throw it from a {@link ProviderCall} when you turn
 * an HTTP response into an exception; breakers count it as a provider failure only when the status
 * is a provider fault (5xx or 429, see {@link ProviderResponse#isProviderFault(int)}). A 400 or 404
 * thrown this way reaches the caller but leaves the breaker's failure rate alone.
 *
 * <p>Also what a fallback receives when a call returned a faulty {@link ProviderResponse} or
 * {@link java.net.http.HttpResponse} instead of throwing.
 */
public class ProviderException extends OpsKitException {
    private static final long serialVersionUID = 1L;

    private final int statusCode;
    private final @Nullable Duration retryAfter;

    /**
     * @param message what happened, for example {@code "openai answered 503"}
     * @param statusCode the HTTP status, 100..599
     * @param retryAfter the provider's Retry-After, or {@code null} when it gave none; not negative
     * @throws IllegalArgumentException when the status or retryAfter is out of range
     */
    public ProviderException(String message, int statusCode, @Nullable Duration retryAfter) {
        super(message);
        if (statusCode < 100 || statusCode > 599) {
            throw new IllegalArgumentException("statusCode must be between 100 and 599, but was " + statusCode);
        }
        if (retryAfter != null && retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, but was " + retryAfter);
        }
        this.statusCode = statusCode;
        this.retryAfter = retryAfter;
    }

    /** A provider exception with no Retry-After. */
    public ProviderException(String message, int statusCode) {
        this(message, statusCode, null);
    }

    /** The status the provider answered with. */
    public int statusCode() {
        return statusCode;
    }

    /** The provider's Retry-After, if it sent one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** True when the status is 5xx or 429, i.e. when it counts against the provider. */
    public boolean isProviderFault() {
        return ProviderResponse.isProviderFault(statusCode);
    }
}
