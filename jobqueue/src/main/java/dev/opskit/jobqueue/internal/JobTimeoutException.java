package dev.opskit.jobqueue.internal;

/**
 * Recorded in a job's error history (and a dead letter's error type) when its handler ran past its
 * timeout and was interrupted; the cause is what the interrupted handler threw.
 */
public final class JobTimeoutException extends Exception {
    private static final long serialVersionUID = 1L;

    public JobTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
