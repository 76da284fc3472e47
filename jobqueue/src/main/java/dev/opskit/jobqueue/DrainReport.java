package dev.opskit.jobqueue;

import java.time.Duration;

/**
 * What a graceful shutdown of {@link Workers} did.
 *
 * @param finished jobs that ended during the drain (completed, failed or postponed) and whose outcome was stored
 * @param handedBack jobs returned to the queue without spending an attempt: claimed but not started, interrupted at the
 *                   soft deadline, or still running at the hard deadline (reason {@code shutdown})
 * @param interrupted running jobs interrupted at the soft deadline
 * @param took how long the shutdown took
 * @param clean true when every outcome was stored and nothing was left running under this worker
 */
public record DrainReport(int finished, int handedBack, int interrupted, Duration took, boolean clean) {
}
