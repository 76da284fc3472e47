package dev.opskit.jobqueue;

import java.util.Locale;

/** Where a job is in its life. */
public enum JobState {
    /** Waiting to be claimed: due now, or scheduled for later ({@link Job#runAt()}), including retries. */
    AVAILABLE,
    /** Claimed by a worker, under a lease. */
    RUNNING,
    /** Finished successfully (kept for the configured retention). */
    COMPLETED,
    /**
     * Cancelled: before it ran, or while it ran, stopped by its worker after
     * {@link JobQueue#requestCancel(long)} (kept for the configured retention). Never retried.
     */
    CANCELLED,
    /** Gave up: attempts spent, non-retryable error, no handler, or rescued with no attempts left; the dead-letter store has it. */
    DEAD;

    /** The name stored in the database, lower case. */
    public String sqlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static JobState fromSql(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
