package dev.opskit.jobqueue;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The producer's side of the queue: enqueue, cancel, read, count. Workers, which run jobs, are
 * separate ({@link Workers}), so a web tier can enqueue without running anything.
 *
 * <p>Two implementations pass the same contract tests: {@link PostgresJobQueue} and the in-memory
 * {@link dev.opskit.jobqueue.testing.InMemoryJobQueue}. All methods are thread-safe.
 */
public interface JobQueue {

    /**
     * Enqueues a job in its own transaction (on a connection from the queue's data source). The
     * job is committed when this returns. The PostgreSQL queue may commit it together with jobs
     * of concurrent calls (group commit, see {@link PostgresJobQueue}); each call still gets its
     * own result or its own error.
     *
     * @return the new job's id, or the existing job's id when the unique key is taken
     * @throws JobQueueException when the database fails; nothing was enqueued
     */
    EnqueueResult enqueue(JobRequest request);

    /**
     * Enqueues a job on the caller's connection, inside the caller's transaction: the job
     * exists only if that transaction commits, and workers are woken at commit. The connection
     * is neither committed nor closed.
     *
     * @throws JobQueueException when the statement fails; the caller's transaction is then aborted (PostgreSQL rule) and should roll back
     */
    EnqueueResult enqueue(Connection connection, JobRequest request);

    /**
     * Enqueues many jobs in one statement and one transaction. Jobs whose unique key is taken
     * (by a waiting or running job, or by an earlier request in the same list) are skipped.
     *
     * @return how many jobs were inserted
     */
    int enqueueAll(List<JobRequest> requests);

    /** Like {@link #enqueueAll(List)}, on the caller's connection and transaction. */
    int enqueueAll(Connection connection, List<JobRequest> requests);

    /**
     * Cancels a job and says how: a waiting job is cancelled at once
     * ({@link CancelResult#CANCELLED}); a running job is marked, and its worker interrupts the
     * handler within one lease extension and ends the job {@link JobState#CANCELLED}, never to
     * retry ({@link CancelResult#CANCEL_REQUESTED}, which says what a handler that returns
     * successfully before its worker learned of the cancel leaves); a finished job is left alone
     * ({@link CancelResult#ALREADY_FINISHED}); an unknown id is {@link CancelResult#NOT_FOUND}.
     *
     * @throws JobQueueException when the database fails
     */
    CancelResult requestCancel(long jobId);

    /**
     * {@link #requestCancel(long)}, as a yes or no.
     *
     * @return true when the job was cancelled (it waited) or its cancel requested (it runs); false
     *     when it finished or is unknown
     */
    default boolean cancel(long jobId) {
        return requestCancel(jobId).accepted();
    }

    /** The job, waiting, running or finished (finished jobs only while retained). */
    Optional<Job> get(long jobId);

    /** Counts per queue and state, with the age of the oldest due job; queues with no jobs are absent. */
    List<QueueCounts> counts();

    /**
     * The stuck-job query an operator runs during an incident: jobs running for longer than
     * {@code runningLongerThan} (since their current attempt started), oldest first, at most
     * {@code limit}. {@code stuckJobs(Duration.ofMinutes(10), 100)} answers "what has been running
     * for more than 10 minutes?".
     */
    List<Job> stuckJobs(Duration runningLongerThan, int limit);
}
