package dev.opskit.jobqueue;

import dev.opskit.core.OpsKitException;

/**
 * Thrown by a handler when retrying cannot help (the payload refers to a deleted account, the
 * provider answered 400): the job goes to the dead letters at once, with reason
 * {@code non_retryable} and this exception in its error history.
 */
public class NonRetryableJobException extends OpsKitException {
    private static final long serialVersionUID = 1L;

    public NonRetryableJobException(String message) {
        super(message);
    }

    public NonRetryableJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
