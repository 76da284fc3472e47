package dev.opskit.jobqueue;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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

    // ------------------------------------------------------------ operator controls

    /**
     * Pauses a queue: from the next claim on (at once for idle workers, which are notified) no
     * worker on any machine starts a job of it; running jobs finish, and enqueue still works (the
     * jobs wait). Held in the database, so it outlives the process that paused it. Idempotent.
     *
     * @return true when the queue was running and is now paused, false when it was paused already
     * @throws IllegalArgumentException when {@code queue} is not a valid queue name
     */
    boolean pause(String queue);

    /**
     * Resumes a paused queue; idle workers are notified and claim at once. Limits stay.
     *
     * @return true when the queue was paused, false when it was not
     */
    boolean resume(String queue);

    /** The paused queues, sorted. */
    Set<String> paused();

    /**
     * Lets at most {@code maxRunning} jobs of {@code queue} run at once, counted over every worker
     * on every machine (a job counts from its claim until its outcome is stored). Replaces an
     * earlier concurrency limit of the queue; takes effect at the next claim. Jobs over the limit
     * wait. Independent of each worker's own {@code Workers.Builder#queue(name, concurrency)}.
     *
     * @throws IllegalArgumentException when {@code maxRunning} is below 1 or the queue name is invalid
     */
    void limitConcurrency(String queue, int maxRunning);

    /**
     * Limits how many jobs of {@code queue} start per period over every worker, optionally per
     * value of a payload field (see {@link RateLimit}); replaces an earlier rate limit of the queue.
     * Jobs over the limit stay waiting and start later; they are not failed.
     */
    void limitRate(String queue, RateLimit limit);

    /** Removes the concurrency and rate limits of {@code queue} (a pause stays). */
    void removeLimits(String queue);

    /** The queues that are paused or limited, by name. */
    List<QueueControl> controls();
}
