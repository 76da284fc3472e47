package dev.opskit.jobqueue;

import dev.opskit.core.backoff.Backoff;
import dev.opskit.core.shutdown.GracefulShutdown;
import dev.opskit.core.shutdown.ShutdownPhase;
import dev.opskit.jobqueue.JobExecutor.Handler;
import dev.opskit.core.internal.text.StoredText;
import dev.opskit.jobqueue.internal.Metrics;
import dev.opskit.jobqueue.internal.OutcomePolicy;
import dev.opskit.jobqueue.internal.PgStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The worker runtime: claims jobs of its queues from a {@link PostgresJobQueue}, runs them on
 * handlers registered by kind, and stores their outcomes. Run as many instances, in as many
 * processes and machines, as you like against one database: a job runs on at most one worker at a
 * time (it is claimed with {@code FOR UPDATE SKIP LOCKED} under a lease with a fencing token).
 *
 * <pre>{@code
 * Workers workers = Workers.builder(queue)
 *         .handler("send-email", ctx -> mailer.send(ctx.payload()))
 *         .queue("default", 10)
 *         .start();
 * workers.registerWith(gracefulShutdown);     // SIGTERM drains it
 * }</pre>
 *
 * <h2>How it works (the parts, each in its own package-private class, and their threads)</h2>
 * <ul>
 *   <li>{@link QueueRunner}, per queue: a fetcher thread ({@code opskit-jobqueue-fetch-<queue>})
 *       waits for a free slot, then claims as many due jobs as there are free slots in one
 *       statement, and hands them to the queue's worker threads ({@code opskit-jobqueue-<queue>-<n>},
 *       as many as the queue's concurrency, a {@link WorkerPool}). When a claim came back short,
 *       it sleeps until a NOTIFY for its queue or the poll interval, whichever comes first. Claims
 *       commit asynchronously ({@code synchronous_commit = off} for that transaction): a claim
 *       lost in a server crash only means the job runs again, which at-least-once delivery
 *       allows, and the random fencing token of each claim keeps a stale claimer from touching the
 *       new attempt.</li>
 *   <li>{@link JobExecutor}, on the worker threads: runs a claimed job ({@link Execution}) on its
 *       handler, asks the {@link OutcomePolicy} (shared with the in-memory fake) what its ending
 *       means, frees the slot and passes the outcome on.</li>
 *   <li>{@link Completer}, one thread ({@code opskit-jobqueue-complete}): stores outcomes,
 *       successes in batches, each statement fenced by the job's token.</li>
 *   <li>{@link LeaseKeeper}, one timer thread ({@code opskit-jobqueue-timer}): extends the leases
 *       of all of this worker's {@link ActiveJobs} in one statement every third of the lease (which
 *       also returns which of them were cancelled, {@link JobQueue#requestCancel(long)}: their
 *       handlers are interrupted), and interrupts handlers past their timeout.</li>
 *   <li>{@link NotifyListener}, one thread ({@code opskit-jobqueue-listen}) on a dedicated
 *       connection with {@code LISTEN}; turn it off with {@link Builder#listenNotify(boolean)}
 *       behind PgBouncer in transaction mode (polling alone then finds new jobs within the poll
 *       interval).</li>
 *   <li>{@link MaintenanceLeader}, one thread ({@code opskit-jobqueue-maintenance}): competes for
 *       the schema's leader lock; the leader rescues expired leases, vacuums the hot table and
 *       prunes finished jobs. Every instance samples the gauges.</li>
 *   <li>{@link ScheduleRunner}, one thread ({@code opskit-jobqueue-schedules}) when schedules are
 *       declared: sleeps until the next due time, then enqueues the due jobs under a compare-and-set
 *       on their rows in {@code schedules} (exactly one job per due time across processes).</li>
 *   <li>{@link Drain}: the graceful shutdown ({@link #shutdown(Duration)}), with the
 *       {@link StopSignals} every part reads.</li>
 * </ul>
 * So one instance uses at most: one connection per queue's fetcher at a time, one for the
 * completer, one for the timer, and two held permanently (listener and maintenance leader).
 */
public final class Workers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Workers.class);

    /** Default poll interval: 1 s. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    /** Default lease: 30 s, extended every 10 s while the job runs. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    /** Default per-job timeout: 15 minutes. */
    public static final Duration DEFAULT_JOB_TIMEOUT = Duration.ofMinutes(15);
    /** Default maintenance interval (rescue, prune, gauges): 2 s. */
    public static final Duration DEFAULT_MAINTENANCE_INTERVAL = Duration.ofSeconds(2);
    /** Default deadline of {@link #close()}: 30 s. */
    public static final Duration DEFAULT_SHUTDOWN_DEADLINE = Duration.ofSeconds(30);
    /** Default backoff between attempts: exponential with full jitter, 1 s base, capped at 1 hour. */
    public static final Backoff DEFAULT_BACKOFF = Backoff.exponential(Duration.ofSeconds(1), Duration.ofHours(1));
    /** Default longest sleep between two evaluations of the schedules: 1 s (they wake at each due time anyway). */
    public static final Duration DEFAULT_SCHEDULE_POLL_INTERVAL = Duration.ofSeconds(1);
    /** Default concurrency of a queue registered without one. */
    public static final int DEFAULT_CONCURRENCY = 10;

    private enum Phase { NEW, RUNNING, STOPPING, STOPPED }

    private final String workerId;
    private final String schema;
    private final Duration pollInterval;
    private final Duration lease;
    private final boolean listenNotify;
    private final boolean maintenance;
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NEW);
    private final StopSignals signals = new StopSignals();
    private final DrainCounts counts = new DrainCounts();
    private final ActiveJobs active = new ActiveJobs();
    private final Map<String, QueueRunner> runners = new LinkedHashMap<>();
    private final JobExecutor executor;
    private final Completer completer;
    private final LeaseKeeper leaseKeeper;
    private final @Nullable NotifyListener listener;
    private final MaintenanceLeader maintainer;
    private final Drain drain;
    private final @Nullable ScheduleRunner scheduler;
    private final DataSource dataSource;
    private final PgStore store;
    private final Metrics metrics;
    private volatile @Nullable DrainReport lastDrainReport;

    private Workers(Builder b, Map<String, Handler> handlers) {
        DataSource dataSource = b.queue.dataSource();
        PgStore store = b.queue.store();
        Metrics metrics = b.queue.metrics();
        this.dataSource = dataSource;
        this.store = store;
        this.metrics = metrics;
        this.workerId = b.workerId != null ? b.workerId : defaultWorkerId();
        this.schema = store.schema();
        this.pollInterval = b.pollInterval;
        this.lease = b.lease;
        this.listenNotify = b.listenNotify;
        this.maintenance = b.maintenance;
        Duration retention = b.queue.finishedRetention();
        this.completer = new Completer(workerId, dataSource, store, !retention.isZero(), b.queue.deadLetterSink(), metrics,
                active, signals, counts);
        this.executor = new JobExecutor(handlers, new OutcomePolicy(b.backoff, b.clock), workerId, metrics, completer);
        Map<String, Integer> queues = b.queues.isEmpty() ? Map.of(JobRequest.DEFAULT_QUEUE, DEFAULT_CONCURRENCY) : b.queues;
        queues.forEach((name, concurrency) -> runners.put(name, new QueueRunner(name, concurrency, workerId, dataSource, store,
                lease, pollInterval, metrics, signals, active, executor)));
        this.leaseKeeper = new LeaseKeeper(workerId, dataSource, store, lease, active);
        this.listener = b.listenNotify ? new NotifyListener(workerId, dataSource, store, Map.copyOf(runners), signals) : null;
        this.maintainer = new MaintenanceLeader(workerId, dataSource, store, b.maintenance, b.maintenanceInterval, retention,
                b.queue.deadLetterSink(), metrics, List.copyOf(runners.keySet()), signals, b.clock);
        this.scheduler = b.schedules.isEmpty() ? null : new ScheduleRunner(workerId, dataSource, store,
                List.copyOf(b.schedules.values()), b.clock, metrics, b.schedulePollInterval);
        this.drain = new Drain(workerId, dataSource, store, runners.values(), active, completer, signals, counts, metrics);
    }

    /** Starts configuring workers for {@code queue}'s database and schema. */
    public static Builder builder(PostgresJobQueue queue) {
        return new Builder(queue);
    }

    /** This worker's name, stored on the jobs it runs ({@code host-pid-random} unless configured). */
    public String workerId() {
        return workerId;
    }

    /** Jobs claimed by this worker whose outcome is not stored yet. */
    public int activeJobs() {
        return active.size();
    }

    /**
     * Starts the threads. Returns at once; call it once.
     *
     * @throws IllegalStateException when already started
     */
    public Workers start() {
        if (!phase.compareAndSet(Phase.NEW, Phase.RUNNING)) {
            throw new IllegalStateException("workers " + workerId + " were already started");
        }
        log.info("{} - starting: schema {}, queues {}, kinds {}, poll {} ms, lease {} ms, listen/notify {}, maintenance {}, schedules {}",
                workerId, schema, runners.values().stream().map(r -> r.name + "=" + r.concurrency).toList(),
                executor.kinds(), pollInterval.toMillis(), lease.toMillis(), listenNotify, maintenance,
                scheduler == null ? List.of() : scheduler.schedules().stream().map(sc -> sc.name() + "=" + sc.spec()).toList());
        completer.start();
        leaseKeeper.start();
        if (listener != null) {
            listener.start();
        }
        maintainer.start();
        runners.values().forEach(QueueRunner::start);
        if (scheduler != null) {
            scheduler.start();
        }
        return this;
    }

    /**
     * Registers this runtime with a shutdown coordinator: {@code STOP_ACCEPTING} stops claiming
     * and hands back claimed-but-unstarted jobs; {@code DRAIN} lets running jobs finish (see
     * {@link #shutdown(Duration)} for the deadlines) and flushes outcomes; {@code CLOSE} releases
     * the listener and leader connections. The {@link DrainReport} of the drain is logged once
     * (INFO, or WARN when it is not clean) with this worker's id, and is then available from
     * {@link #lastDrainReport()}.
     */
    public Workers registerWith(GracefulShutdown shutdown) {
        Objects.requireNonNull(shutdown, "shutdown must not be null");
        String name = "jobqueue-" + schema;
        shutdown.register(name + "-claims", ShutdownPhase.STOP_ACCEPTING, timeLeft -> stopAccepting(deadlineIn(timeLeft)));
        shutdown.register(name + "-jobs", ShutdownPhase.DRAIN, this::drainPhase);
        shutdown.register(name + "-connections", ShutdownPhase.CLOSE, timeLeft -> closeResources());
        return this;
    }

    /**
     * Shuts down gracefully within {@code deadline}: stops claiming at once and hands back
     * claimed jobs that have not started (their attempt is not spent); lets running jobs finish
     * until the soft deadline (70% of {@code deadline}); then interrupts them; at the hard
     * deadline (90%) hands back whatever still runs with reason {@code shutdown}; flushes
     * pending outcomes; closes its connections. Afterwards no job is left running under this
     * worker's name (unless the database was unreachable, in which case the leases expire and
     * the jobs are rescued). Safe to call more than once and from any thread; later calls do
     * nothing more and report the counts of the first. The report of the call that drained is
     * also kept as {@link #lastDrainReport()}; it is returned, not logged.
     *
     * @param deadline positive
     */
    public DrainReport shutdown(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline must not be null");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be greater than 0, but was " + deadline);
        }
        boolean drains = phase.get() == Phase.RUNNING;
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        try {
            stopAccepting(start + deadline.toNanos() / 5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean clean = drainUntil(end);
        closeResources();
        DrainReport report = counts.report(start, clean);
        if (drains) {
            lastDrainReport = report;
            record(report);
        }
        return report;
    }

    /**
     * The report of this runtime's graceful shutdown, whether it ran through {@link #shutdown(Duration)}
     * or through the coordinator given to {@link #registerWith(GracefulShutdown)}; empty until a
     * shutdown has drained (and when the runtime was never started). Its {@code took} counts from
     * the moment claiming stopped. Safe to call from any thread.
     */
    public Optional<DrainReport> lastDrainReport() {
        return Optional.ofNullable(lastDrainReport);
    }

    /** {@code shutdown(DEFAULT_SHUTDOWN_DEADLINE)}. */
    @Override
    public void close() {
        shutdown(DEFAULT_SHUTDOWN_DEADLINE);
    }

    // ================================================================ lifecycle

    private void stopAccepting(long deadlineNanos) throws InterruptedException {
        if (phase.get() == Phase.NEW) {
            phase.set(Phase.STOPPED);
            return;
        }
        if (scheduler != null) {
            // a stopping worker enqueues no more scheduled jobs; the other processes declaring them do
            scheduler.stop(2000);
        }
        drain.stopAccepting(deadlineNanos);
    }

    /** The DRAIN phase of a {@link GracefulShutdown}: nobody receives the report, so it is logged and kept. */
    private void drainPhase(Duration timeLeft) {
        if (phase.get() != Phase.RUNNING) {
            return;
        }
        long start = drain.stoppedAt(System.nanoTime());
        boolean clean = drainUntil(deadlineIn(timeLeft));
        DrainReport r = counts.report(start, clean);
        lastDrainReport = r;
        record(r);
        String line = "{} - drain report: finished={} handedBack={} interrupted={} took={}ms clean={}";
        Object[] args = {workerId, r.finished(), r.handedBack(), r.interrupted(), r.took().toMillis(), r.clean()};
        if (clean) {
            log.info(line, args);
        } else {
            log.warn(line, args);
        }
    }

    /**
     * Counts the drain and stores it in {@code drains}, where the other instances see it after this
     * process is gone ({@link JobQueueMetrics#UNCLEAN_DRAINS}, {@code opskit jobs drains}).
     */
    private void record(DrainReport r) {
        metrics.drained(r.clean());
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            store.recordDrain(c, workerId, r.clean(), r.finished(), r.handedBack(), r.interrupted(), r.took().toMillis());
        } catch (SQLException | RuntimeException e) {
            log.warn("{} - could not record the drain report in {}.drains: {}", workerId, store.schema(), e.toString());
        }
    }

    private boolean drainUntil(long end) {
        if (phase.get() != Phase.RUNNING) {
            return true;
        }
        boolean clean = drain.drainUntil(end);
        phase.set(Phase.STOPPING);
        return clean;
    }

    private void closeResources() {
        if (phase.get() == Phase.STOPPED) {
            return;
        }
        phase.set(Phase.STOPPED);
        signals.close();
        runners.values().forEach(QueueRunner::wakeUp);
        try {
            if (scheduler != null) {
                scheduler.stop(2000);
            }
            completer.awaitEnd(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runners.values().forEach(QueueRunner::stopThreads);
        leaseKeeper.stop();
        try {
            if (listener != null) {
                listener.awaitEnd(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            maintainer.awaitEnd(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("{} - stopped", workerId);
    }

    /** The schedule evaluator, null without schedules (tests drive it directly). */
    @Nullable ScheduleRunner scheduler() {
        return scheduler;
    }

    private static long deadlineIn(Duration timeLeft) {
        return System.nanoTime() + timeLeft.toNanos();
    }

    private static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown";
        }
        long pid = ProcessHandle.current().pid();
        return host + "-" + pid + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    }

    // ================================================================ builder

    /** Configures {@link Workers}; every setter checks its value at once. Not thread-safe. */
    public static final class Builder {
        private final PostgresJobQueue queue;
        private final Map<String, Registered> handlers = new LinkedHashMap<>();
        private final Map<String, Integer> queues = new LinkedHashMap<>();
        private final Map<String, Schedule> schedules = new LinkedHashMap<>();
        private Duration schedulePollInterval = DEFAULT_SCHEDULE_POLL_INTERVAL;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private Duration lease = DEFAULT_LEASE;
        private Duration defaultTimeout = DEFAULT_JOB_TIMEOUT;
        private boolean listenNotify = true;
        private boolean maintenance = true;
        private Duration maintenanceInterval = DEFAULT_MAINTENANCE_INTERVAL;
        private Backoff backoff = DEFAULT_BACKOFF;
        private @Nullable String workerId;
        private Clock clock = Clock.systemUTC();

        /** A handler as registered: with its own timeout, or null for {@link #jobTimeout(Duration)}'s. */
        private record Registered(JobHandler handler, @Nullable Duration timeout) {
        }

        private Builder(PostgresJobQueue queue) {
            this.queue = Objects.requireNonNull(queue, "queue must not be null");
        }

        /** Registers the handler of {@code kind}, with the default job timeout. */
        public Builder handler(String kind, JobHandler handler) {
            return handler(kind, handler, null);
        }

        /**
         * Registers the handler of {@code kind} with its own timeout, after which the handler's
         * thread is interrupted and the attempt counts as failed.
         *
         * @param timeout positive, or null for the default ({@link #jobTimeout(Duration)})
         * @throws IllegalArgumentException when the kind is invalid or already registered
         */
        public Builder handler(String kind, JobHandler handler, @Nullable Duration timeout) {
            JobRequest.requireKind(kind);
            Objects.requireNonNull(handler, "handler must not be null");
            if (timeout != null) {
                requirePositive("timeout of kind " + kind, timeout);
            }
            if (handlers.containsKey(kind)) {
                throw new IllegalArgumentException("a handler for kind '" + kind + "' is already registered");
            }
            handlers.put(kind, new Registered(handler, timeout));
            return this;
        }

        /**
         * Works on {@code queue} with up to {@code concurrency} jobs at once (that many worker
         * threads). Without any call, the workers serve {@value JobRequest#DEFAULT_QUEUE} with
         * {@value #DEFAULT_CONCURRENCY}.
         *
         * @param concurrency 1 to 1000
         */
        public Builder queue(String queue, int concurrency) {
            JobRequest.requireQueue(queue);
            if (concurrency < 1 || concurrency > 1000) {
                throw new IllegalArgumentException("concurrency of queue " + queue + " must be between 1 and 1000, but was " + concurrency);
            }
            queues.put(queue, concurrency);
            return this;
        }

        /**
         * Declares a recurring job: this runtime enqueues it at each due time, unless another process
         * declaring the same schedule name did so first (exactly one job per due time, see
         * {@link Schedule}). A schedule removed from code stops firing once no running process
         * declares it. The kind's handler may be registered here or on other workers.
         *
         * @throws IllegalArgumentException when a schedule of that name is already declared here
         */
        public Builder schedule(Schedule schedule) {
            Objects.requireNonNull(schedule, "schedule must not be null");
            if (schedules.containsKey(schedule.name())) {
                throw new IllegalArgumentException("a schedule named '" + schedule.name() + "' is already declared");
            }
            schedules.put(schedule.name(), schedule);
            return this;
        }

        /**
         * The longest sleep between two evaluations of the schedules; default 1 s, at least 10 ms.
         * They also wake at each due time, so this bounds only the delay after a clock step or a
         * failed evaluation, and how soon a due time that another process left open is taken over.
         */
        public Builder schedulePollInterval(Duration interval) {
            requireAtLeast("schedulePollInterval", interval, Duration.ofMillis(10));
            this.schedulePollInterval = interval;
            return this;
        }

        /** How often an idle queue polls when no notification arrives; default 1 s, at least 10 ms. */
        public Builder pollInterval(Duration pollInterval) {
            requireAtLeast("pollInterval", pollInterval, Duration.ofMillis(10));
            this.pollInterval = pollInterval;
            return this;
        }

        /**
         * How long a claim holds a job without being extended; default 30 s, at least 500 ms. The
         * lease is extended every third of it while the job runs; if the worker dies, the job is
         * rescued after the lease expires (plus up to one maintenance interval).
         */
        public Builder leaseDuration(Duration lease) {
            requireAtLeast("leaseDuration", lease, Duration.ofMillis(500));
            this.lease = lease;
            return this;
        }

        /** The timeout of handlers registered without one; default 15 minutes. */
        public Builder jobTimeout(Duration timeout) {
            requirePositive("jobTimeout", timeout);
            this.defaultTimeout = timeout;
            return this;
        }

        /** Wake idle queues with LISTEN/NOTIFY; default true. Turn off behind PgBouncer in transaction mode. */
        public Builder listenNotify(boolean listenNotify) {
            this.listenNotify = listenNotify;
            return this;
        }

        /** Take part in the election of the maintenance leader (rescue, prune); default true. */
        public Builder maintenance(boolean maintenance) {
            this.maintenance = maintenance;
            return this;
        }

        /** How often maintenance runs; default 2 s, at least 50 ms. */
        public Builder maintenanceInterval(Duration interval) {
            requireAtLeast("maintenanceInterval", interval, Duration.ofMillis(50));
            this.maintenanceInterval = interval;
            return this;
        }

        /** The delay before retry n; default {@link #DEFAULT_BACKOFF}. */
        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff must not be null");
            return this;
        }

        /** This worker's name, stored on the jobs it runs; default {@code host-pid-random}. */
        public Builder workerId(String workerId) {
            Objects.requireNonNull(workerId, "workerId must not be null");
            if (workerId.isBlank() || workerId.length() > 200) {
                throw new IllegalArgumentException("workerId must be non-blank and at most 200 characters, but was '" + workerId + "'");
            }
            // a NUL would make every claim statement fail: the worker would claim nothing, silently
            this.workerId = StoredText.requireStorable("workerId", workerId);
            return this;
        }


        /**
         * The clock of the times this runtime writes itself, such as the {@code at} of each
         * error-history entry, and of the due times of its {@linkplain #schedule schedules}; default
         * {@link Clock#systemUTC()}. When a job is due, when a lease
         * expires and how long a retry waits are measured on the database's clock, and handler
         * timeouts on {@link System#nanoTime()}, so this clock does not move them.
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** Builds the workers without starting them. */
        public Workers build() {
            Map<String, Handler> withTimeouts = new LinkedHashMap<>();
            handlers.forEach((k, r) -> withTimeouts.put(k, new Handler(r.handler(), r.timeout() != null ? r.timeout() : defaultTimeout)));
            return new Workers(this, withTimeouts);
        }

        /** Builds and {@linkplain Workers#start() starts} the workers. */
        public Workers start() {
            return build().start();
        }

        private static void requirePositive(String name, Duration d) {
            Objects.requireNonNull(d, name + " must not be null");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be greater than 0, but was " + d);
            }
        }

        private static void requireAtLeast(String name, Duration d, Duration min) {
            Objects.requireNonNull(d, name + " must not be null");
            if (d.compareTo(min) < 0) {
                throw new IllegalArgumentException(name + " must be at least " + min.toMillis() + " ms, but was " + d);
            }
        }
    }
}
