package dev.opskit.deadletter;

import dev.opskit.core.OpsKitException;

/** A dead-letter operation could not be done (database unreachable, bad stored data...). The message says what. */
public class DeadLetterException extends OpsKitException {
    private static final long serialVersionUID = 1L;

    public DeadLetterException(String message) {
        super(message);
    }

    public DeadLetterException(String message, Throwable cause) {
        super(message, cause);
    }
}
