package dev.opskit.jobqueue;

import dev.opskit.core.OpsKitException;
import org.jspecify.annotations.Nullable;

/** The job queue could not do what was asked, usually because the database failed; the cause says why. */
public class JobQueueException extends OpsKitException {
    private static final long serialVersionUID = 1L;

    /** @param cause what failed, or null when nothing underneath did */
    public JobQueueException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
