package dev.opskit.console.internal;

import dev.opskit.core.OpsKitException;
import org.jspecify.annotations.Nullable;

/**
 * A request the console answers with a 4xx status and a JSON message: bad input (400, naming the
 * parameter and the value), a refused action (401, 403), an unknown id (404), a wrong method (405).
 */
public final class ApiException extends OpsKitException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final @Nullable String parameter;
    private final @Nullable String value;

    ApiException(int status, String message, @Nullable String parameter, @Nullable String value) {
        super(message);
        this.status = status;
        this.parameter = parameter;
        this.value = value;
    }

    /** 400: parameter {@code parameter} has the unusable value {@code value}; {@code message} says why. */
    static ApiException badParameter(String parameter, String value, String message) {
        return new ApiException(400, message, parameter, value);
    }

    static ApiException status(int status, String message) {
        return new ApiException(status, message, null, null);
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The query parameter (or header) at fault, for a 400. */
    public @Nullable String parameter() {
        return parameter;
    }

    /** The value that was refused, for a 400. */
    public @Nullable String value() {
        return value;
    }
}
