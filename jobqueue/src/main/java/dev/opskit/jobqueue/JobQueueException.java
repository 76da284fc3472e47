package dev.opskit.jobqueue;

import dev.opskit.core.OpsKitException;

/** The job queue could not do what was asked, usually because the database failed; the cause says why. */
public class JobQueueException extends OpsKitException {
    private static final long serialVersionUID = 1L;

    public JobQueueException(String message, Throwable cause) {
        super(message, cause);
    }
}
