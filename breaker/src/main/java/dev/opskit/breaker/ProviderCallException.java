package dev.opskit.breaker;

import dev.opskit.core.OpsKitException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A call through a breaker failed with a checked exception (an {@link java.io.IOException}, say),
 * which is the {@linkplain #getCause() cause}; unchecked exceptions thrown by the call reach the
 * caller unchanged. Subclass {@link CallTimeoutException}: the call ran out of time.
 */
public class ProviderCallException extends OpsKitException {
    private static final long serialVersionUID = 1L;

    private final String provider;

    public ProviderCallException(String provider, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.provider = Objects.requireNonNull(provider, "provider must not be null");
    }

    /** The breaker's name. */
    public String provider() {
        return provider;
    }
}
