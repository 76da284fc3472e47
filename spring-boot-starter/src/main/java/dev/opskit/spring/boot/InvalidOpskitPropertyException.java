package dev.opskit.spring.boot;

import dev.opskit.core.OpsKitException;
import org.jspecify.annotations.Nullable;

/**
 * An {@code opskit.*} property has a value the library refuses; the message names the property,
 * the value and the library's reason. Thrown while the context starts, so the application does
 * not start with a half-configured opskit.
 */
public final class InvalidOpskitPropertyException extends OpsKitException {
    private static final long serialVersionUID = 1L;

    private final String property;

    InvalidOpskitPropertyException(String property, @Nullable Object value, @Nullable Throwable cause) {
        super("invalid value for " + property + ": '" + value + "'"
                + (cause != null && cause.getMessage() != null ? ": " + cause.getMessage() : ""), cause);
        this.property = property;
    }

    InvalidOpskitPropertyException(String property, @Nullable Object value, String reason) {
        super("invalid value for " + property + ": '" + value + "': " + reason);
        this.property = property;
    }

    /** The property at fault, for example {@code opskit.jobqueue.workers.queues.emails}. */
    public String property() {
        return property;
    }
}
