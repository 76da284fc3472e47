package dev.opskit.jobqueue;

/**
 * Runs jobs of one kind. Registered with {@link Workers.Builder#handler(String, JobHandler)}.
 *
 * <p>Runs on a worker thread of the job's queue ({@code opskit-jobqueue-<queue>-<n>}); many jobs
 * of the same kind may run at once on different threads, so handlers must be thread-safe. The
 * thread is interrupted when the job's timeout passes or a graceful shutdown's soft deadline
 * arrives: blocking calls should let {@link InterruptedException} propagate.
 *
 * <p>How the handler ends decides what happens to the job:
 * <ul>
 *   <li>returns: the job is completed;</li>
 *   <li>throws {@link PostponeJobException}: the job runs again after the given delay, without spending an attempt;</li>
 *   <li>throws a {@link dev.opskit.core.RetryAfter} signal (or any exception caused by one), such as the
 *       {@code CallRejectedException} of an open circuit breaker ({@code opskit-breaker}): the job is postponed
 *       by its {@code retryAfter()}, without spending an attempt;</li>
 *   <li>throws {@link NonRetryableJobException}: the job goes to the dead letters at once;</li>
 *   <li>throws anything else, or runs past its timeout: the attempt failed; the job is retried after the
 *       worker's backoff, or goes to the dead letters when its attempts are spent.</li>
 * </ul>
 * A job may run more than once (at-least-once delivery: a worker that dies mid-job has its job
 * rescued after the lease), so handlers should be idempotent.
 */
@FunctionalInterface
public interface JobHandler {

    /**
     * Runs one job.
     *
     * @throws Exception to fail the attempt (see the class description for the special exceptions)
     */
    void handle(JobContext context) throws Exception;
}
