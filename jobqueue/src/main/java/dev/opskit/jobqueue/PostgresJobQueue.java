package dev.opskit.jobqueue;

import dev.opskit.core.schema.SchemaInstaller;
import dev.opskit.core.schema.SchemaModule;
import dev.opskit.deadletter.DeadLetterStore;
import dev.opskit.deadletter.PostgresDeadLetterStore;
import dev.opskit.jobqueue.internal.DeadLetterSink;
import dev.opskit.jobqueue.internal.DeadLetters;
import dev.opskit.jobqueue.internal.Metrics;
import dev.opskit.jobqueue.internal.PgStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL {@link JobQueue}. Create it once per data source and schema and share it; it
 * holds no connection of its own (each call borrows one from the data source, or uses the
 * caller's). Sharing it also lets {@link #enqueue(JobRequest)} commit concurrent calls together:
 * calls that arrive while another call's statement is in flight are inserted in one statement
 * (group commit), and each returns after its own job is committed, with its own id or error.
 *
 * <pre>{@code
 * PostgresJobQueue queue = PostgresJobQueue.builder(dataSource).build();
 * queue.installSchema();                       // once at startup; idempotent
 * try (Connection c = dataSource.getConnection()) {
 *     c.setAutoCommit(false);
 *     insertOrder(c, order);
 *     queue.enqueue(c, JobRequest.of("send-email", "{\"order\":42}"));
 *     c.commit();                              // the job exists only if the order does
 * }
 * }</pre>
 */
public final class PostgresJobQueue implements JobQueue {
    /** The schema's versioned scripts, for {@link SchemaInstaller} or an application's own migrations. */
    public static final SchemaModule SCHEMA = SchemaModule.of("jobqueue", PostgresJobQueue.class, "V1__create_jobs.sql",
            "V2__record_drains.sql", "V3__cancel_running.sql", "V4__trace_context.sql", "V5__create_schedules.sql",
            "V6__queue_controls.sql");
    /** How long finished jobs are kept by default: one hour. */
    public static final Duration DEFAULT_FINISHED_RETENTION = Duration.ofHours(1);

    private final DataSource dataSource;
    private final String schema;
    private final Duration finishedRetention;
    private final PgStore store;
    private final Metrics metrics = new Metrics();
    private final DeadLetterStore deadLetters;
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> lastNotify = new java.util.concurrent.ConcurrentHashMap<>();
    private final GroupEnqueue group;
    /** The minimum time between two notifications of one queue from one client: 2 ms. */
    static final long NOTIFY_DEBOUNCE_NANOS = 2_000_000L;

    private PostgresJobQueue(Builder b) {
        this.deadLetters = b.deadLetters != null ? b.deadLetters
                : PostgresDeadLetterStore.builder(b.dataSource).schema(b.schema).build();
        if (!deadLetters.hasReplayTarget(DeadLetters.SOURCE_PREFIX + JobRequest.DEFAULT_QUEUE)) {
            deadLetters.registerReplayTarget(JobQueueReplayTarget.SOURCE_PATTERN, new JobQueueReplayTarget(this));
        }
        this.dataSource = b.dataSource;
        this.schema = b.schema;
        this.finishedRetention = b.finishedRetention;
        this.store = new PgStore(b.schema);
        this.group = new GroupEnqueue(b.dataSource, store, this::shouldNotify);
    }

    /** A queue on the default schema {@value SchemaInstaller#DEFAULT_SCHEMA} with default settings. */
    public static PostgresJobQueue create(DataSource dataSource) {
        return builder(dataSource).build();
    }

    /** Starts configuring a queue on {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Creates or upgrades the queue's tables and the dead-letter tables in the schema (and the
     * schema itself), under an advisory lock, so many instances may call it at startup at once.
     * Idempotent.
     */
    public void installSchema() {
        SchemaInstaller.forSchema(dataSource, schema).install(PostgresDeadLetterStore.SCHEMA, SCHEMA);
    }

    /**
     * The dead-letter store that receives jobs that give up (in the same transaction that removes
     * them from the queue). By default a {@link PostgresDeadLetterStore} on the same data source
     * and schema, with a {@link JobQueueReplayTarget} registered for {@code jobqueue:*}, so
     * {@code deadLetters().replay(id)} enqueues the job again.
     */
    public DeadLetterStore deadLetters() {
        return deadLetters;
    }

    /** The recorder shared with every {@link Workers} of this queue; {@link JobQueueMetrics} binds it. */
    Metrics metrics() {
        return metrics;
    }

    DeadLetterSink deadLetterSink() {
        return DeadLetters.sink(deadLetters);
    }

    /** The data source. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** The schema holding the tables. */
    public String schema() {
        return schema;
    }

    /** How long finished jobs are kept; zero means they are deleted at once. */
    public Duration finishedRetention() {
        return finishedRetention;
    }

    GroupEnqueue groupEnqueue() {
        return group;
    }

    PgStore store() {
        return store;
    }

    @Override
    public EnqueueResult enqueue(JobRequest request) {
        Objects.requireNonNull(request, "request must not be null");
        if (request.uniqueKey().isEmpty()) {
            try {
                return counted(request, group.enqueue(request));
            } catch (SQLException e) {
                throw failed("enqueue " + request, e);
            }
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            return counted(request, store.enqueue(c, request, shouldNotify(request.queue())));
        } catch (SQLException e) {
            throw failed("enqueue " + request, e);
        }
    }

    @Override
    public EnqueueResult enqueue(Connection connection, JobRequest request) {
        Objects.requireNonNull(connection, "connection must not be null");
        Objects.requireNonNull(request, "request must not be null");
        try {
            return counted(request, store.enqueue(connection, request, shouldNotify(request.queue())));
        } catch (SQLException e) {
            throw failed("enqueue " + request, e);
        }
    }

    @Override
    public int enqueueAll(List<JobRequest> requests) {
        requireRequests(requests);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            return counted(store.enqueueAll(c, requests));
        } catch (SQLException e) {
            throw failed("enqueue " + requests.size() + " jobs", e);
        }
    }

    @Override
    public int enqueueAll(Connection connection, List<JobRequest> requests) {
        Objects.requireNonNull(connection, "connection must not be null");
        requireRequests(requests);
        try {
            return counted(store.enqueueAll(connection, requests));
        } catch (SQLException e) {
            throw failed("enqueue " + requests.size() + " jobs", e);
        }
    }

    /**
     * At most one NOTIFY per queue every {@link #NOTIFY_DEBOUNCE_NANOS} from this client: a
     * notifying commit holds a database-wide lock through its WAL flush, so notifying on every
     * enqueue would serialise concurrent enqueues. A job enqueued inside the window is found by
     * the claim the earlier notification triggered, or by the workers' follow-up claim a few
     * milliseconds after a wake-up ({@code Workers}), or at the latest by polling.
     */
    private boolean shouldNotify(String queueName) {
        long now = System.nanoTime();
        java.util.concurrent.atomic.AtomicLong last = lastNotify.computeIfAbsent(queueName, q -> new java.util.concurrent.atomic.AtomicLong(now - NOTIFY_DEBOUNCE_NANOS));
        long prev = last.get();
        return now - prev >= NOTIFY_DEBOUNCE_NANOS && last.compareAndSet(prev, now);
    }

    // Counted when the statement succeeds; a caller's transaction that later rolls back is still counted.
    private EnqueueResult counted(JobRequest request, EnqueueResult result) {
        if (result.inserted()) {
            metrics.enqueued(request.queue(), 1);
        }
        return result;
    }

    private int counted(java.util.Map<String, Integer> perQueue) {
        perQueue.forEach(metrics::enqueued);
        return perQueue.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static void requireRequests(List<JobRequest> requests) {
        Objects.requireNonNull(requests, "requests must not be null");
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i) == null) {
                throw new IllegalArgumentException("requests[" + i + "] must not be null");
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A running job gets {@code cancel_requested_at} set; the worker holding it reads the flag
     * back from its next lease extension, from whatever process the cancel came. From then on no
     * statement puts the job back to waiting (retry, postpone, hand-back on shutdown, rescue after
     * an expired lease all end it as cancelled instead), so it cannot run again.
     */
    @Override
    public CancelResult requestCancel(long jobId) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            // Three statements, each atomic on the row; between them the job may move on (claimed,
            // retried, finished), which the next round sees. A job moves a few times a second at most.
            for (int round = 0; round < 10; round++) {
                String waiting = store.cancel(c, jobId);
                if (waiting != null) {
                    metrics.completed(waiting, "cancelled");
                    metrics.cancelled(waiting, Metrics.WHILE_WAITING);
                    return CancelResult.CANCELLED;
                }
                if (store.requestCancel(c, jobId) != null) {
                    return CancelResult.CANCEL_REQUESTED;
                }
                Job job = store.get(c, jobId);
                if (job == null) {
                    return CancelResult.NOT_FOUND;
                }
                if (job.state() != JobState.AVAILABLE && job.state() != JobState.RUNNING) {
                    return CancelResult.ALREADY_FINISHED;
                }
            }
            throw new JobQueueException("job queue '" + schema + "': job " + jobId + " kept changing state; cancel not completed", null);
        } catch (SQLException e) {
            throw failed("cancel job " + jobId, e);
        }
    }

    /**
     * When a cancel was requested for this job while it runs ({@link #requestCancel(long)}), for an
     * operator asking why a running job has not stopped yet; empty when none was requested, or the
     * job no longer runs (once it ended, {@link #get(long)} tells how).
     *
     * @throws JobQueueException when the database fails
     */
    public Optional<java.time.Instant> cancelRequestedAt(long jobId) {
        try (Connection c = dataSource.getConnection()) {
            return Optional.ofNullable(store.cancelRequestedAt(c, jobId));
        } catch (SQLException e) {
            throw failed("read job " + jobId, e);
        }
    }

    @Override
    public Optional<Job> get(long jobId) {
        try (Connection c = dataSource.getConnection()) {
            return Optional.ofNullable(store.get(c, jobId));
        } catch (SQLException e) {
            throw failed("read job " + jobId, e);
        }
    }

    /** {@inheritDoc} Counts finished jobs too, which scans {@code finished_jobs}; metrics use a cheaper query. */
    @Override
    public List<QueueCounts> counts() {
        try (Connection c = dataSource.getConnection()) {
            return store.counts(c, true);
        } catch (SQLException e) {
            throw failed("count jobs", e);
        }
    }

    @Override
    public List<Job> stuckJobs(Duration runningLongerThan, int limit) {
        Objects.requireNonNull(runningLongerThan, "runningLongerThan must not be null");
        if (runningLongerThan.isNegative()) {
            throw new IllegalArgumentException("runningLongerThan must not be negative, but was " + runningLongerThan);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, but was " + limit);
        }
        try (Connection c = dataSource.getConnection()) {
            return store.stuck(c, runningLongerThan, limit);
        } catch (SQLException e) {
            throw failed("query stuck jobs", e);
        }
    }

    /**
     * The graceful shutdowns of workers on this schema that ended within {@code within}, newest
     * first, at most {@code limit}: whether the last deploy drained cleanly, after its processes are
     * gone. Kept for 30 days (pruned by the maintenance leader).
     *
     * @param within positive
     * @param limit at least 1
     */
    public List<DrainRecord> drains(Duration within, int limit) {
        Objects.requireNonNull(within, "within must not be null");
        if (within.isNegative() || within.isZero()) {
            throw new IllegalArgumentException("within must be positive, but was " + within);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, but was " + limit);
        }
        try (Connection c = dataSource.getConnection()) {
            return store.drains(c, within, limit);
        } catch (SQLException e) {
            throw failed("list drains", e);
        }
    }

    /**
     * The recurring jobs of this schema, by name, with their last and next due times: those that
     * running workers declare ({@link ScheduleInfo#declared()}) and, for up to
     * {@link Schedule#FORGET_AFTER}, those no longer declared by any (removed from code: they fire
     * no more; listed with {@code declared} false once {@link Schedule#STALE_AFTER} passed).
     * "Declared" is judged on this process's clock against the times the workers wrote.
     */
    public List<ScheduleInfo> schedules() {
        return schedules(java.time.Instant.now());
    }

    List<ScheduleInfo> schedules(java.time.Instant now) {
        try (Connection c = dataSource.getConnection()) {
            return new dev.opskit.jobqueue.internal.ScheduleStore(schema).list(c, now);
        } catch (SQLException e) {
            throw failed("list schedules", e);
        }
    }

    // ------------------------------------------------------------ operator controls

    /** A change of the control row in one transaction of its own. */
    private interface ControlChange<T> {
        T apply(Connection c) throws SQLException;
    }

    /** A change of the control row that returns nothing. */
    private interface ControlUpdate {
        void apply(Connection c) throws SQLException;
    }

    private void update(String what, ControlUpdate update) {
        change(what, c -> {
            update.apply(c);
            return Boolean.TRUE;
        });
    }

    private <T> T change(String what, ControlChange<T> change) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = change.apply(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failed(what, e);
        }
    }

    /** {@inheritDoc} Sends a NOTIFY on the queue's channel, so every listening worker claims at once. */
    @Override
    public boolean pause(String queue) {
        return setPaused(queue, true);
    }

    /** {@inheritDoc} Sends a NOTIFY on the queue's channel, so every listening worker claims at once. */
    @Override
    public boolean resume(String queue) {
        return setPaused(queue, false);
    }

    private boolean setPaused(String queue, boolean paused) {
        JobRequest.requireQueue(queue);
        boolean changed = change((paused ? "pause" : "resume") + " queue " + queue, c -> store.setPaused(c, queue, paused));
        metrics.paused(queue, paused);
        return changed;
    }

    @Override
    public java.util.Set<String> paused() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (QueueControl q : controls()) {
            if (q.paused()) {
                out.add(q.queue());
            }
        }
        return java.util.Collections.unmodifiableSet(out);
    }

    @Override
    public void limitConcurrency(String queue, int maxRunning) {
        JobRequest.requireQueue(queue);
        if (maxRunning < 1) {
            throw new IllegalArgumentException("maxRunning must be at least 1, but was " + maxRunning);
        }
        update("limit the concurrency of queue " + queue, c -> store.setMaxRunning(c, queue, maxRunning));
    }

    @Override
    public void limitRate(String queue, RateLimit limit) {
        JobRequest.requireQueue(queue);
        Objects.requireNonNull(limit, "limit must not be null");
        update("limit the rate of queue " + queue, c -> store.setRate(c, queue, limit.permits(), limit.period().toMillis(),
                limit.keyField()));
    }

    @Override
    public void removeLimits(String queue) {
        JobRequest.requireQueue(queue);
        update("remove the limits of queue " + queue, c -> {
            store.setMaxRunning(c, queue, null);
            store.setRate(c, queue, null, null, null);
        });
    }

    @Override
    public List<QueueControl> controls() {
        try (Connection c = dataSource.getConnection()) {
            return store.controls(c).stream().map(PostgresJobQueue::control).toList();
        } catch (SQLException e) {
            throw failed("read queue controls", e);
        }
    }

    static QueueControl control(PgStore.Control r) {
        Integer permits = r.ratePermits();
        // the table's CHECK sets the period together with the permits
        RateLimit rate = permits == null ? null : new RateLimit(permits,
                Duration.ofMillis(Objects.requireNonNull(r.ratePeriodMs(), "a rate limit has a period")), r.rateKey());
        return new QueueControl(r.queue(), r.paused(), r.maxRunning(), rate);
    }

    private JobQueueException failed(String what, SQLException e) {
        return new JobQueueException("job queue '" + schema + "': could not " + what + ": " + e.getMessage(), e);
    }

    /** Configures a {@link PostgresJobQueue}. Not thread-safe. */
    public static final class Builder {
        private final DataSource dataSource;
        private String schema = SchemaInstaller.DEFAULT_SCHEMA;
        private Duration finishedRetention = DEFAULT_FINISHED_RETENTION;
        private @Nullable DeadLetterStore deadLetters;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
        }

        /** The schema of the tables; default {@value SchemaInstaller#DEFAULT_SCHEMA}; a lower-case identifier. */
        public Builder schema(String schema) {
            this.schema = SchemaInstaller.requireSchemaName(schema);
            return this;
        }

        /**
         * How long completed, cancelled and dead jobs stay readable through {@link #get(long)}
         * before the maintenance leader prunes them in batches; default one hour. Zero deletes
         * completed jobs at once (fastest); cancelled and dead ones are then pruned at the next
         * maintenance run.
         */
        public Builder finishedRetention(Duration retention) {
            Objects.requireNonNull(retention, "finishedRetention must not be null");
            if (retention.isNegative()) {
                throw new IllegalArgumentException("finishedRetention must not be negative, but was " + retention);
            }
            this.finishedRetention = retention;
            return this;
        }


        /**
         * The dead-letter store for jobs that give up; it must write to the same database, since
         * jobs move into it inside the queue's transaction. Default: a
         * {@link PostgresDeadLetterStore} on the same data source and schema.
         */
        public Builder deadLetterStore(DeadLetterStore store) {
            this.deadLetters = Objects.requireNonNull(store, "deadLetterStore must not be null");
            return this;
        }

        /** The queue. */
        public PostgresJobQueue build() {
            return new PostgresJobQueue(this);
        }
    }
}
