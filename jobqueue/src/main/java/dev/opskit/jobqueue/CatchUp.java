package dev.opskit.jobqueue;

/**
 * What a {@link Schedule} does with due times that passed while no worker declaring it ran (every
 * instance down, or the schedule newly back in code).
 */
public enum CatchUp {
    /**
     * The default: enqueue one job, for the latest missed due time, and count the earlier ones as
     * missed ({@link JobQueueMetrics#SCHEDULE_MISSED}, logged as a warning). Due times at most
     * {@link Schedule#LATE_GRACE} late are late, not missed: each is enqueued.
     */
    ONCE,
    /**
     * Enqueue a job for every missed due time, oldest first, but at most
     * {@value Schedule#MAX_CATCH_UP}: beyond that the oldest are skipped, counted as missed and logged.
     */
    ALL
}
