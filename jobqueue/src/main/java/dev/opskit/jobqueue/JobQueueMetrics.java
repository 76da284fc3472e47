package dev.opskit.jobqueue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * The job queue's metrics, bound to a registry the one way every opskit module does it:
 *
 * <pre>{@code
 * new JobQueueMetrics(queue).bindTo(registry);
 * }</pre>
 *
 * The queue records enqueues and cancels; every {@link Workers} built on the queue, before or after
 * the binding, records the rest. Nothing is recorded before the first binding; a registry bound
 * later (or a second one) counts from then on. Tags are bounded:
 * {@code queue} is a configured queue name, {@code schedule} a schedule declared in code, {@code outcome} and {@code state} are fixed sets.
 */
public final class JobQueueMetrics implements MeterBinder {
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

    /**
     * Counter, tags {@code queue}, {@code while} = waiting | running: jobs that ended
     * {@link JobState#CANCELLED}. {@code waiting}: cancelled before they ran, counted by the queue
     * that cancelled them. {@code running}: stopped after a cancel while they ran, counted by the
     * {@link Workers} that ran them when the job ended (or by the maintenance leader, when the
     * job's lease expired after the cancel). A cancel requested too late (the handler had already
     * returned successfully) is not counted here: that job completed.
     */
    public static final String CANCELLED = "opskit.jobs.cancelled";
    /**
     * Gauge, tag {@code queue}: 1 while the queue is paused ({@link JobQueue#pause}), else 0; for the
     * queues the workers of this process serve, sampled with {@link #COUNT}, and set at once by a
     * pause or resume through this queue object.
     */
    public static final String QUEUE_PAUSED = "opskit.jobs.queue.paused";

    /** Counter, tag {@code outcome} = clean | unclean: graceful shutdowns of the workers in this process (see {@link #UNCLEAN_DRAINS}). */
    public static final String DRAINS = "opskit.jobs.drains";
    /**
     * Gauge: graceful shutdowns of any worker on this schema, in the last hour, that were not clean
     * ({@link DrainReport#clean()} false) or interrupted running jobs at the soft deadline. Read from the
     * table {@code drains} by every running instance, so it outlives the process that drained (whose own
     * {@link #DRAINS} counter usually dies before the next scrape).
     */
    public static final String UNCLEAN_DRAINS = "opskit.jobs.drains.unclean";

    /**
     * Counter, tag {@code schedule} (a {@link Schedule} name declared in code): jobs a recurring
     * schedule enqueued, counted by the process that won the due time (sum over processes).
     */
    public static final String SCHEDULE_ENQUEUED = "opskit.jobs.schedule.enqueued";
    /**
     * Counter, tag {@code schedule}: due times skipped because no worker ran when they were due and
     * catch-up enqueued only the latest ({@link CatchUp#ONCE}) or hit {@link Schedule#MAX_CATCH_UP}.
     */
    public static final String SCHEDULE_MISSED = "opskit.jobs.schedule.missed";

    private final PostgresJobQueue queue;

    /** The metrics of {@code queue} and of the workers built on it. */
    public JobQueueMetrics(PostgresJobQueue queue) {
        this.queue = Objects.requireNonNull(queue, "queue must not be null");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        queue.metrics().bind(Objects.requireNonNull(registry, "registry must not be null"));
    }
}
