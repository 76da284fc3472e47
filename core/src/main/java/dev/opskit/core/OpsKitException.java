package dev.opskit.core;

import org.jspecify.annotations.Nullable;

/**
 * The unchecked root of every exception opskit throws on purpose. Catch this to handle any opskit
 * failure in one place; catch a subclass to handle one kind.
 */
public class OpsKitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OpsKitException(String message) {
        super(message);
    }

    public OpsKitException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * For exceptions thrown often on a hot path (a rejected call, say), where a stack trace
     * costs more than it tells.
     */
    protected OpsKitException(String message, @Nullable Throwable cause, boolean writableStackTrace) {
        super(message, cause, false, writableStackTrace);
    }
}
