package dev.opskit.jobqueue;

/**
 * The names of the job queue's metrics, all in one place. Published to the
 * {@code MeterRegistry} given to {@link PostgresJobQueue.Builder#meterRegistry} (enqueue) and
 * {@link Workers.Builder#meterRegistry} (everything else). Tags are bounded: {@code queue} is a
 * configured queue name, {@code outcome} and {@code state} are fixed sets.
 */
public final class JobQueueMetrics {
    /** Counter, tag {@code queue}: jobs inserted (a duplicate unique key inserts nothing and is not counted). */
    public static final String ENQUEUED = "opskit.jobs.enqueued";
    /** Counter, tags {@code queue}, {@code outcome} = success | retried | dead | cancelled | postponed: attempts that ended. */
    public static final String COMPLETED = "opskit.jobs.completed";
    /** Timer, tag {@code queue}: how long handlers ran. */
    public static final String RUN_DURATION = "opskit.jobs.run.duration";
    /** Timer, tag {@code queue}: from due (enqueue or run-at) to the claim that started the attempt. */
    public static final String WAIT_DURATION = "opskit.jobs.wait.duration";
    /** Gauge, tags {@code queue}, {@code state} = available | running: jobs in the hot table, sampled by the workers. */
    public static final String COUNT = "opskit.jobs.count";
    /** Gauge, tag {@code queue}, seconds: age of the oldest due job; 0 when none waits. */
    public static final String OLDEST_AVAILABLE_AGE = "opskit.jobs.oldest.available.age";
    /** Counter, tag {@code queue}: jobs whose lease expired and that the maintenance leader returned to the queue or sent to the dead letters. */
    public static final String RESCUED = "opskit.jobs.rescued";

    private JobQueueMetrics() {
    }
}
