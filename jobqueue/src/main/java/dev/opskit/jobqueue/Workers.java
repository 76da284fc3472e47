package dev.opskit.jobqueue;

import dev.opskit.core.backoff.Backoff;
import dev.opskit.core.breaker.CallRejectedException;
import dev.opskit.core.shutdown.GracefulShutdown;
import dev.opskit.core.shutdown.ShutdownPhase;
import dev.opskit.jobqueue.internal.DeadLetterSink;
import dev.opskit.jobqueue.internal.Json;
import dev.opskit.jobqueue.internal.Metrics;
import dev.opskit.jobqueue.internal.NotifyPeek;
import dev.opskit.jobqueue.internal.PgStore;
import dev.opskit.jobqueue.internal.PgStore.Claimed;
import io.micrometer.core.instrument.MeterRegistry;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
 * <h2>How it works (and the threads it uses)</h2>
 * <ul>
 *   <li>Per queue, a fetcher thread ({@code opskit-jobqueue-fetch-<queue>}) waits for a free slot,
 *       then claims as many due jobs as there are free slots in one statement, and hands them to
 *       the queue's worker threads ({@code opskit-jobqueue-<queue>-<n>}, as many as the queue's
 *       concurrency). When a claim came back short, it sleeps until a NOTIFY for its queue or the
 *       poll interval, whichever comes first. Claims commit asynchronously
 *       ({@code synchronous_commit = off} for that transaction): a claim lost in a server crash
 *       only means the job runs again, which at-least-once delivery allows, and the random
 *       fencing token of each claim keeps a stale claimer from touching the new attempt.</li>
 *   <li>One listener thread ({@code opskit-jobqueue-listen}) holds a dedicated connection with
 *       {@code LISTEN}; turn it off with {@link Builder#listenNotify(boolean)} behind PgBouncer in
 *       transaction mode (polling alone then finds new jobs within the poll interval).</li>
 *   <li>One completer thread ({@code opskit-jobqueue-complete}) stores outcomes: successes in
 *       batches (one {@code DELETE ... USING unnest(ids, tokens)} for all that finished since the
 *       last flush, so batches grow with load and latency stays low when idle), failures one
 *       transaction each. Each statement checks the job's fencing token; a stale one changes
 *       nothing and is logged. While the database is unreachable outcomes wait and are retried.</li>
 *   <li>A scheduler thread ({@code opskit-jobqueue-timer}) extends the leases of all this
 *       worker's running jobs in one statement every third of the lease, and enforces per-job
 *       timeouts by interrupting the handler.</li>
 *   <li>A maintenance thread ({@code opskit-jobqueue-maintenance}) competes for the schema's
 *       leader lock ({@code pg_try_advisory_lock} on a dedicated connection); the leader rescues
 *       jobs whose lease expired (back to the queue, or to the dead letters with reason
 *       {@code rescued_after_lease} when their attempts are spent) and prunes finished jobs in
 *       batches. Every instance samples the gauges.</li>
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
    /** Default concurrency of a queue registered without one. */
    public static final int DEFAULT_CONCURRENCY = 10;

    private static final int MAX_COMPLETION_BATCH = 1000;
    private static final int COMPLETION_BUSY_BATCH = 4;
    private static final int COMPLETION_LINGER_BATCH = 200;
    private static final long COMPLETION_LINGER_MICROS = 1000;
    private static final int RESCUE_BATCH = 1000;
    private static final int PRUNE_BATCH = 5000;
    private static final long TIMEOUT_SWEEP_MS = 50;
    private static final long FOLLOW_UP_MS = 5;
    private static final long VACUUM_MIN_DEAD_ROWS = 5_000;
    // and at least 1/50 of the live rows: a vacuum's cost grows with the table, the claims' cost with the dead
    // entries in front of them (burn-down of 200,000: with 1/10 a claim cost 0.293 ms, with no ratio 0.246 ms)
    private static final long VACUUM_LIVE_DIVISOR = 50;
    /** Between maintenance runs the leader checks this often whether the hot table needs a vacuum. */
    private static final long VACUUM_CHECK_MS = 250;

    private enum Phase { NEW, RUNNING, STOPPING, STOPPED }

    private final PostgresJobQueue queue;
    private final DataSource dataSource;
    private final PgStore store;
    private final Map<String, Handler> handlers;
    private final Map<String, Runner> runners = new LinkedHashMap<>();
    private final Duration pollInterval;
    private final Duration lease;
    private final boolean listenNotify;
    private final boolean maintenance;
    private final Duration maintenanceInterval;
    private final Backoff backoff;
    private final String workerId;
    private final Metrics metrics;
    private final DeadLetterSink deadLetters;
    private final boolean keepFinished;

    private final Map<Long, Execution> active = new ConcurrentHashMap<>();
    private final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
    private final AtomicInteger pendingOutcomes = new AtomicInteger();
    private final AtomicReferencePhase phase = new AtomicReferencePhase();
    private final AtomicBoolean stopClaiming = new AtomicBoolean();
    private final AtomicInteger finishedDuringDrain = new AtomicInteger();
    private final AtomicInteger handedBack = new AtomicInteger();
    private final AtomicInteger interrupted = new AtomicInteger();
    private volatile boolean draining;
    /** When the stop-accepting step of a shutdown began (System.nanoTime), or null before. */
    private volatile Long stopStartedNanos;
    private volatile DrainReport lastDrainReport;
    private volatile boolean closing;

    private final ScheduledExecutorService timer;
    private Thread completer;
    private Thread listener;
    private Thread maintainer;
    private volatile Connection listenConnection;

    private record Handler(JobHandler handler, Duration timeout) {
    }

    private Workers(Builder b) {
        this.queue = b.queue;
        this.dataSource = b.queue.dataSource();
        this.store = b.queue.store();
        this.handlers = Map.copyOf(b.handlers);
        this.pollInterval = b.pollInterval;
        this.lease = b.lease;
        this.listenNotify = b.listenNotify;
        this.maintenance = b.maintenance;
        this.maintenanceInterval = b.maintenanceInterval;
        this.backoff = b.backoff;
        this.workerId = b.workerId != null ? b.workerId : defaultWorkerId();
        this.metrics = Metrics.of(b.meterRegistry);
        this.deadLetters = b.queue.deadLetterSink();
        this.keepFinished = !b.queue.finishedRetention().isZero();
        Map<String, Integer> queues = b.queues.isEmpty() ? Map.of(JobRequest.DEFAULT_QUEUE, DEFAULT_CONCURRENCY) : b.queues;
        queues.forEach((name, concurrency) -> runners.put(name, new Runner(name, concurrency)));
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "opskit-jobqueue-timer"));
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
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
        log.info("{} - starting: schema {}, queues {}, kinds {}, poll {} ms, lease {} ms, listen/notify {}, maintenance {}",
                workerId, store.schema(), runners.values().stream().map(r -> r.name + "=" + r.concurrency).toList(),
                handlers.keySet(), pollInterval.toMillis(), lease.toMillis(), listenNotify, maintenance);
        completer = daemon(this::completeLoop, "opskit-jobqueue-complete");
        completer.start();
        long every = Math.max(100, lease.toMillis() / 3);
        timer.scheduleWithFixedDelay(this::extendLeases, every, every, TimeUnit.MILLISECONDS);
        // One sweep for all per-job timeouts, rather than a timer task per job (cheaper at thousands of jobs per second).
        timer.scheduleWithFixedDelay(this::interruptOverdue, TIMEOUT_SWEEP_MS, TIMEOUT_SWEEP_MS, TimeUnit.MILLISECONDS);
        if (listenNotify) {
            listener = daemon(this::listenLoop, "opskit-jobqueue-listen");
            listener.start();
        }
        maintainer = daemon(this::maintenanceLoop, "opskit-jobqueue-maintenance");
        maintainer.start();
        runners.values().forEach(Runner::start);
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
        String name = "jobqueue-" + store.schema();
        shutdown.register(name + "-claims", ShutdownPhase.STOP_ACCEPTING, timeLeft -> stopAccepting(deadlineIn(timeLeft)));
        shutdown.register(name + "-jobs", ShutdownPhase.DRAIN, this::drain);
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
        DrainReport report = new DrainReport(finishedDuringDrain.get(), handedBack.get(), interrupted.get(),
                Duration.ofNanos(System.nanoTime() - start), clean);
        if (drains) {
            lastDrainReport = report;
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

    // ================================================================ claiming

    /** One queue: its slots, its fetcher and its worker threads. */
    private final class Runner {
        final String name;
        final int concurrency;
        final Semaphore slots;
        volatile WorkerPool pool; // threads start with the runtime, not with the builder
        final Object wakeLock = new Object();
        boolean wake;
        Thread fetcher;

        Runner(String name, int concurrency) {
            this.name = name;
            this.concurrency = concurrency;
            this.slots = new Semaphore(concurrency);
        }

        void start() {
            pool = new WorkerPool("opskit-jobqueue-" + name + "-", concurrency);
            fetcher = daemon(this::fetchLoop, "opskit-jobqueue-fetch-" + name);
            fetcher.start();
        }

        void wakeUp() {
            synchronized (wakeLock) {
                wake = true;
                wakeLock.notifyAll();
            }
        }

        private void awaitWake(long millis) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            synchronized (wakeLock) {
                while (!wake && !stopClaiming.get()) {
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    TimeUnit.NANOSECONDS.timedWait(wakeLock, left);
                }
                wake = false;
            }
        }

        private void fetchLoop() {
            boolean more = true; // the last claim filled every slot: probably more jobs are due
            boolean followUp = false; // claim once more shortly after a wake-up, for jobs enqueued without their own NOTIFY
            long failures = 0;
            while (!stopClaiming.get()) {
                int n = 0;
                try {
                    slots.acquire();
                    n = 1;
                    if (more) {
                        // Let a few more slots free up, so a busy queue claims in batches rather than one by one.
                        int want = Math.max(0, concurrency / 2 - 1);
                        if (want > 0 && slots.tryAcquire(want, 1, TimeUnit.MILLISECONDS)) {
                            n += want;
                        }
                    } else {
                        awaitWake(followUp ? FOLLOW_UP_MS : pollInterval.toMillis());
                    }
                    n += slots.drainPermits();
                    if (stopClaiming.get()) {
                        break;
                    }
                    int limit = n;
                    List<Claimed> claimed = claim(limit);
                    if (failures > 0) {
                        log.info("{} - queue {}: claiming works again after {} failed attempts", workerId, name, failures);
                    }
                    failures = 0;
                    slots.release(limit - claimed.size());
                    n = 0;
                    more = claimed.size() == limit;
                    followUp = !more && !claimed.isEmpty();
                    List<Runnable> batch = new ArrayList<>(claimed.size());
                    for (Claimed c : claimed) {
                        Execution e = new Execution(c, this);
                        active.put(c.job().id(), e);
                        metrics.waited(name, c.waitedMicros());
                        batch.add(() -> run(e));
                    }
                    pool.executeAll(batch);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (SQLException | RuntimeException e) {
                    failures++;
                    if (failures == 1) {
                        log.warn("{} - queue {}: claiming failed, retrying: {}", workerId, name, e.toString());
                    } else {
                        log.debug("{} - queue {}: claiming failed again ({} times): {}", workerId, name, failures, e.toString());
                    }
                    more = false;
                    try {
                        Thread.sleep(Math.min(pollInterval.toMillis() * Math.min(failures, 5), 5000));
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                } finally {
                    if (n > 0) {
                        slots.release(n);
                    }
                }
            }
        }

        private List<Claimed> claim(int limit) throws SQLException {
            long token = ThreadLocalRandom.current().nextLong();
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                return store.claim(c, name, limit, workerId, token, lease);
            }
        }
    }

    // ================================================================ running

    private static final int CLAIMED = 0;
    private static final int STARTED = 1;
    private static final int DONE = 2;
    private static final int HANDED_BACK = 3;

    /**
     * One claimed job on this worker. State moves CLAIMED -> STARTED -> DONE, or CLAIMED ->
     * HANDED_BACK when a shutdown takes it back before a thread picked it up; the transitions and
     * the interrupts of timeouts and shutdown happen under the object's lock, so an interrupt
     * never hits a pool thread after its job ended.
     */
    private final class Execution implements JobContext {
        final Claimed claimed;
        final Runner runner;
        int state = CLAIMED;
        Thread thread;
        boolean timedOut;
        boolean stopRequested;
        volatile long deadline = Long.MAX_VALUE; // System.nanoTime() after which the handler is interrupted

        Execution(Claimed claimed, Runner runner) {
            this.claimed = claimed;
            this.runner = runner;
        }

        synchronized boolean begin() {
            if (state != CLAIMED) {
                return false;
            }
            state = STARTED;
            thread = Thread.currentThread();
            return true;
        }

        synchronized void end() {
            state = DONE;
            thread = null;
            Thread.interrupted(); // clear a late interrupt before the pool thread runs another job
        }

        synchronized boolean handBack() {
            if (state != CLAIMED) {
                return false;
            }
            state = HANDED_BACK;
            return true;
        }

        synchronized boolean isStarted() {
            return state == STARTED;
        }

        synchronized void interruptForTimeout() {
            if (state == STARTED) {
                timedOut = true;
                thread.interrupt();
            }
        }

        synchronized boolean interruptForShutdown() {
            if (state == STARTED) {
                stopRequested = true;
                thread.interrupt();
                return true;
            }
            return false;
        }

        @Override
        public Job job() {
            return claimed.job();
        }

        @Override
        public boolean shutdownRequested() {
            return draining || stopClaiming.get();
        }
    }

    private void run(Execution e) {
        if (!e.begin()) {
            return; // handed back by a shutdown before it started
        }
        Job job = e.job();
        Handler h = handlers.get(job.kind());
        long start = System.nanoTime();
        Outcome outcome;
        try {
            if (h == null) {
                outcome = Outcome.dead(e, "no_handler", "no handler is registered for kind '" + job.kind() + "' on worker " + workerId, null);
            } else {
                e.deadline = start + h.timeout.toNanos();
                try {
                    h.handler.handle(e);
                    outcome = Outcome.success(e);
                } catch (Throwable t) {
                    if (t instanceof Error && !(t instanceof AssertionError) && !(t instanceof StackOverflowError)) {
                        log.error("{} - job {} ({}): handler threw an Error", workerId, job.id(), job.kind(), t);
                    }
                    outcome = classify(e, h, t);
                }
            }
        } finally {
            e.end();
            metrics.ran(e.runner.name, System.nanoTime() - start);
        }
        e.runner.slots.release();
        submit(outcome);
    }

    private Outcome classify(Execution e, Handler h, Throwable t) {
        Job job = e.job();
        synchronized (e) {
            if (e.timedOut) {
                return failure(e, "timeout", new JobTimeoutException("job " + job.id() + " (" + job.kind()
                        + ") ran longer than its timeout of " + h.timeout.toMillis() + " ms and was interrupted", t));
            }
            if (e.stopRequested) {
                return Outcome.handBack(e, Json.error(job.attempt(), Instant.now(), t.getClass().getName(),
                        "interrupted by the graceful shutdown of worker " + workerId, "shutdown", t));
            }
        }
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof CallRejectedException rejected) {
                return Outcome.postpone(e, rejected.retryAfter());
            }
            if (c instanceof PostponeJobException postpone) {
                return Outcome.postpone(e, postpone.delay());
            }
        }
        if (t instanceof NonRetryableJobException) {
            return Outcome.dead(e, "non_retryable", t.getMessage(), t);
        }
        return failure(e, "error", t);
    }

    private Outcome failure(Execution e, String kindOfFailure, Throwable t) {
        Job job = e.job();
        if (job.attempt() >= job.maxAttempts()) {
            return Outcome.dead(e, "max_attempts", t.getMessage(), t);
        }
        Duration delay = backoff.delay(job.attempt());
        String error = Json.error(job.attempt(), Instant.now(), t.getClass().getName(), t.getMessage(),
                kindOfFailure.equals("timeout") ? "timeout" : "retry", t);
        return new Outcome(OutcomeType.RETRY, e, delay, error, null, t);
    }

    /** Raised into the error history when a job overran its timeout. */
    static final class JobTimeoutException extends Exception {
        private static final long serialVersionUID = 1L;

        JobTimeoutException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    // ================================================================ outcomes

    private enum OutcomeType { SUCCESS, RETRY, POSTPONE, DEAD, HAND_BACK }

    private record Outcome(OutcomeType type, Execution execution, Duration delay, String errorJson, String reason, Throwable error) {
        static Outcome success(Execution e) {
            return new Outcome(OutcomeType.SUCCESS, e, Duration.ZERO, null, null, null);
        }

        static Outcome postpone(Execution e, Duration delay) {
            return new Outcome(OutcomeType.POSTPONE, e, delay, null, null, null);
        }

        static Outcome handBack(Execution e, String errorJson) {
            return new Outcome(OutcomeType.HAND_BACK, e, Duration.ZERO, errorJson, "shutdown", null);
        }

        static Outcome dead(Execution e, String reason, String message, Throwable error) {
            Job job = e.job();
            String json = Json.error(job.attempt(), Instant.now(), error == null ? reason : error.getClass().getName(),
                    message, reason, error);
            return new Outcome(OutcomeType.DEAD, e, Duration.ZERO, json, reason, error);
        }

        long id() {
            return execution.job().id();
        }

        long token() {
            return execution.claimed.token();
        }
    }

    private void submit(Outcome o) {
        pendingOutcomes.incrementAndGet();
        outcomes.add(o);
    }

    private void completeLoop() {
        List<Outcome> batch = new ArrayList<>();
        long failures = 0;
        while (true) {
            try {
                if (batch.isEmpty()) {
                    Outcome first = outcomes.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (closing) {
                            return;
                        }
                        continue;
                    }
                    batch.add(first);
                    outcomes.drainTo(batch, MAX_COMPLETION_BATCH - 1);
                    lingerIfBusy(batch);
                }
                store(batch);
                pendingOutcomes.addAndGet(-batch.size());
                batch.clear();
                if (failures > 0) {
                    log.info("{} - job outcomes are stored again after {} failed attempts", workerId, failures);
                }
                failures = 0;
            } catch (InterruptedException e) {
                return;
            } catch (SQLException | RuntimeException e) {
                failures++;
                if (closing) {
                    log.warn("{} - could not store {} job outcomes while shutting down; their leases will expire and the jobs will be rescued: {}",
                            workerId, batch.size(), e.toString());
                    return;
                }
                if (failures == 1) {
                    log.warn("{} - storing {} job outcomes failed, retrying: {}", workerId, batch.size(), e.toString());
                } else {
                    log.debug("{} - storing job outcomes failed again ({} times): {}", workerId, failures, e.toString());
                }
                try {
                    Thread.sleep(Math.min(100L * failures, 2000));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /**
     * Under load, gathers outcomes for up to {@link #COMPLETION_LINGER_MICROS} more before storing
     * them: each statement has a fixed cost on the server, and a burn-down of no-op jobs otherwise
     * stores some 15 per statement. A batch that came alone (a quiet queue) is stored at once, and
     * so is everything while stopping. Slots are freed when a job ends, not when its outcome is
     * stored, so the wait delays no claim.
     */
    private void lingerIfBusy(List<Outcome> batch) throws InterruptedException {
        if (batch.size() < COMPLETION_BUSY_BATCH || draining || closing) {
            return;
        }
        long until = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(COMPLETION_LINGER_MICROS);
        while (batch.size() < COMPLETION_LINGER_BATCH) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Outcome next = outcomes.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
            outcomes.drainTo(batch, MAX_COMPLETION_BATCH - batch.size());
        }
    }

    private void store(List<Outcome> batch) throws SQLException {
        List<Outcome> successes = new ArrayList<>();
        List<Outcome> others = new ArrayList<>();
        for (Outcome o : batch) {
            (o.type == OutcomeType.SUCCESS ? successes : others).add(o);
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            if (!successes.isEmpty()) {
                long[] ids = new long[successes.size()];
                long[] tokens = new long[successes.size()];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = successes.get(i).id();
                    tokens[i] = successes.get(i).token();
                }
                List<Long> matched = store.complete(c, ids, tokens, keepFinished);
                java.util.Set<Long> ok = new java.util.HashSet<>(matched);
                for (Outcome o : successes) {
                    if (ok.contains(o.id())) {
                        metrics.completed(o.execution.runner.name, "success");
                    } else {
                        stale(o);
                    }
                    finished(o);
                }
            }
            for (Outcome o : others) {
                storeOne(c, o);
                finished(o);
            }
        }
    }

    private void storeOne(Connection c, Outcome o) throws SQLException {
        Execution e = o.execution;
        String queueName = e.runner.name;
        switch (o.type) {
            case RETRY -> {
                if (store.release(c, o.id(), o.token(), o.delay, true, o.errorJson)) {
                    metrics.completed(queueName, "retried");
                    log.debug("{} - job {} ({}) attempt {} failed, retry in {} ms", workerId, o.id(), e.job().kind(),
                            e.job().attempt(), o.delay.toMillis());
                } else {
                    stale(o);
                }
            }
            case POSTPONE -> {
                if (store.release(c, o.id(), o.token(), o.delay, false, null)) {
                    metrics.completed(queueName, "postponed");
                } else {
                    stale(o);
                }
            }
            case HAND_BACK -> {
                if (store.release(c, o.id(), o.token(), Duration.ZERO, false, o.errorJson)) {
                    handedBack.incrementAndGet();
                    store.notifyQueues(c, List.of(queueName));
                } else {
                    stale(o);
                }
            }
            case DEAD -> {
                c.setAutoCommit(false);
                try {
                    Job dead = store.bury(c, o.id(), o.token(), o.errorJson, keepFinished);
                    if (dead != null) {
                        deadLetters.store(c, dead, o.reason, o.error);
                    }
                    c.commit();
                    if (dead != null) {
                        metrics.completed(queueName, "dead");
                        log.warn("{} - job {} ({}) moved to the dead letters, reason {}: {}", workerId, o.id(), e.job().kind(),
                                o.reason, o.error == null ? "" : o.error.toString());
                    } else {
                        stale(o);
                    }
                } catch (SQLException | RuntimeException ex) {
                    rollbackQuietly(c);
                    throw ex;
                } finally {
                    c.setAutoCommit(true);
                }
            }
            case SUCCESS -> throw new IllegalStateException("successes are stored in batches");
        }
    }

    private void stale(Outcome o) {
        log.info("{} - job {} ({}): outcome {} ignored, the lease was lost (the job was rescued and may run again elsewhere)",
                workerId, o.id(), o.execution.job().kind(), o.type);
    }

    private void finished(Outcome o) {
        active.remove(o.id());
        if (draining && o.type != OutcomeType.HAND_BACK) {
            finishedDuringDrain.incrementAndGet();
        }
    }

    private void interruptOverdue() {
        long now = System.nanoTime();
        for (Execution e : active.values()) {
            if (now - e.deadline > 0) {
                e.interruptForTimeout();
            }
        }
    }

    // ================================================================ leases

    private void extendLeases() {
        if (active.isEmpty()) {
            return;
        }
        List<Execution> running = new ArrayList<>(active.values());
        long[] ids = new long[running.size()];
        long[] tokens = new long[running.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = running.get(i).job().id();
            tokens[i] = running.get(i).claimed.token();
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute("SET LOCAL synchronous_commit TO OFF");
                }
                java.util.Set<Long> kept = new java.util.HashSet<>(store.extend(c, ids, tokens, lease));
                c.commit();
                for (Execution e : running) {
                    // Not extended: either being completed right now (row locked, skipped) or the lease was lost
                    // (rescued); the fenced outcome statement tells which and logs a lost lease.
                    if (!kept.contains(e.job().id()) && log.isDebugEnabled()) {
                        log.debug("{} - job {} ({}): lease not extended (completing, or lost)", workerId, e.job().id(), e.job().kind());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("{} - extending the leases of {} jobs failed: {}", workerId, ids.length, e.toString());
        }
    }

    // ================================================================ listen / notify

    private void listenLoop() {
        long failures = 0;
        while (!closing) {
            try (Connection c = dataSource.getConnection()) {
                listenConnection = c;
                c.setAutoCommit(true);
                store.listen(c);
                PGConnection pg = c.unwrap(PGConnection.class);
                if (failures > 0) {
                    log.info("{} - listening for new jobs again", workerId);
                }
                failures = 0;
                runners.values().forEach(Runner::wakeUp); // notifications sent while we were not listening are lost
                Long peek = NotifyPeek.disable(c); // 1 ms less per notification, see NotifyPeek
                try {
                    while (!closing) {
                        PGNotification[] ns = pg.getNotifications(250);
                        if (ns == null) {
                            continue;
                        }
                        for (PGNotification n : ns) {
                            Runner r = runners.get(n.getParameter());
                            if (r != null) {
                                r.wakeUp();
                            }
                        }
                    }
                } finally {
                    NotifyPeek.restore(c, peek);
                }
            } catch (SQLException | RuntimeException e) {
                if (closing) {
                    return;
                }
                failures++;
                if (failures == 1) {
                    log.warn("{} - the LISTEN connection failed, reconnecting (polling continues meanwhile): {}", workerId, e.toString());
                }
                sleepUnlessClosing(Math.min(250L * failures, 5000));
            } finally {
                listenConnection = null;
            }
        }
    }

    // ================================================================ maintenance

    private void maintenanceLoop() {
        Connection leader = null;
        long failures = 0;
        long nextSample = 0;
        while (!closing) {
            try {
                if (maintenance) {
                    if (leader == null) {
                        Connection c = dataSource.getConnection();
                        c.setAutoCommit(true);
                        if (store.tryLeaderLock(c)) {
                            leader = c;
                            log.info("{} - became the maintenance leader of schema {}", workerId, store.schema());
                        } else {
                            c.close();
                        }
                    }
                    if (leader != null) {
                        maintain(leader);
                    }
                }
                if (metrics.enabled() && System.nanoTime() - nextSample >= 0) {
                    nextSample = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    try (Connection c = dataSource.getConnection()) {
                        metrics.sample(List.copyOf(runners.keySet()), store.counts(c, false));
                    }
                }
                failures = 0;
            } catch (SQLException | RuntimeException e) {
                failures++;
                if (failures == 1) {
                    log.warn("{} - maintenance failed{}: {}", workerId, leader != null ? " (leadership released)" : "", e.toString());
                }
                closeQuietly(leader);
                leader = null;
            }
            long nextRun = System.nanoTime() + maintenanceInterval.toNanos();
            long left;
            while (!closing && (left = nextRun - System.nanoTime()) > 0) {
                sleepUnlessClosing(Math.min(VACUUM_CHECK_MS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
                if (leader != null && !closing && nextRun - System.nanoTime() > 0) {
                    try {
                        vacuumIfDue(leader);
                    } catch (SQLException | RuntimeException e) {
                        // the next maintenance run meets the same problem and handles it (leadership released)
                        log.debug("{} - vacuum check failed: {}", workerId, e.toString());
                        break;
                    }
                }
            }
        }
        closeQuietly(leader);
    }

    /**
     * Vacuums the hot table when at least {@link #VACUUM_MIN_DEAD_ROWS} dead row versions (and a
     * fiftieth of the live rows) piled up. Checked at every maintenance run and, on the leader, every
     * {@link #VACUUM_CHECK_MS} in between: at 20,000 jobs per second, 2 s between vacuums leave
     * some 40,000 dead entries at the front of the claim index, and every claim reads past their
     * pages (a 16-job claim read 294 buffers in 0.9 ms of index scan after 48,000 claims).
     */
    private void vacuumIfDue(Connection c) throws SQLException {
        long[] deadLive = store.deadAndLiveRows(c);
        if (deadLive[0] >= VACUUM_MIN_DEAD_ROWS && deadLive[0] >= deadLive[1] / VACUUM_LIVE_DIVISOR) {
            long t0 = System.nanoTime();
            store.vacuum(c);
            log.debug("{} - vacuumed {}.jobs ({} dead rows) in {} ms", workerId, store.schema(), deadLive[0],
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
    }

    private void maintain(Connection c) throws SQLException {
        // Expired leases with attempts left: back to the queue, and wake the workers of those queues.
        while (true) {
            List<String> queues = store.rescue(c, RESCUE_BATCH);
            if (!queues.isEmpty()) {
                Map<String, Long> byQueue = new LinkedHashMap<>();
                queues.forEach(q -> byQueue.merge(q, 1L, Long::sum));
                byQueue.forEach(metrics::rescued);
                store.notifyQueues(c, byQueue.keySet());
                log.warn("{} - rescued {} jobs whose lease expired: {}", workerId, queues.size(), byQueue);
            }
            if (queues.size() < RESCUE_BATCH) {
                break;
            }
        }
        // Expired leases with no attempts left: to the dead letters, each in its own transaction.
        c.setAutoCommit(false);
        try {
            List<Long> spent = store.lockExpiredSpent(c, RESCUE_BATCH);
            c.commit();
            for (long id : spent) {
                String error = Json.error(0, Instant.now(), "lease_expired", "the lease expired and no attempts were left",
                        "rescued_after_lease", null);
                Job dead = store.bury(c, id, null, error, keepFinished);
                if (dead != null) {
                    deadLetters.store(c, dead, "rescued_after_lease", null);
                    metrics.rescued(dead.queue(), 1);
                    metrics.completed(dead.queue(), "dead");
                    log.warn("{} - job {} ({}) moved to the dead letters: its lease expired on its last attempt", workerId, id, dead.kind());
                }
                c.commit();
            }
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        // Every claim and completion leaves dead row versions, and their index entries stay in front of
        // the claim index scan until vacuum removes them: at thousands of jobs per second each claim
        // would walk past ever more of them, long before autovacuum's next nap ends. The leader
        // vacuums the (small) hot table itself once enough dead rows piled up.
        vacuumIfDue(c);
        Duration retention = queue.finishedRetention();
        for (int i = 0; i < 20; i++) {
            if (store.prune(c, retention, PRUNE_BATCH) < PRUNE_BATCH) {
                break;
            }
        }
    }

    // ================================================================ shutdown

    private void stopAccepting(long deadlineNanos) throws InterruptedException {
        if (phase.get() == Phase.NEW) {
            phase.set(Phase.STOPPED);
            return;
        }
        if (!stopClaiming.compareAndSet(false, true)) {
            return;
        }
        stopStartedNanos = System.nanoTime();
        // from here on a job that ends counts as finished during the drain, even before the DRAIN phase starts
        draining = true;
        log.info("{} - stopping: no more claims, handing back jobs that have not started", workerId);
        for (Runner r : runners.values()) {
            r.wakeUp();
        }
        for (Runner r : runners.values()) {
            long left = deadlineNanos - System.nanoTime();
            r.fetcher.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
        List<Execution> back = new ArrayList<>();
        for (Execution e : active.values()) {
            if (e.handBack()) {
                back.add(e);
            }
        }
        if (back.isEmpty()) {
            return;
        }
        long[] ids = back.stream().mapToLong(e -> e.job().id()).toArray();
        long[] tokens = back.stream().mapToLong(e -> e.claimed.token()).toArray();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            int n = store.handBack(c, ids, tokens);
            store.notifyQueues(c, back.stream().map(e -> e.runner.name).distinct().toList());
            handedBack.addAndGet(n);
            log.info("{} - handed back {} claimed jobs that had not started", workerId, n);
        } catch (SQLException e) {
            log.warn("{} - could not hand back {} unstarted jobs; they will be rescued when their lease expires: {}",
                    workerId, ids.length, e.toString());
        }
        back.forEach(e -> {
            active.remove(e.job().id());
            e.runner.slots.release();
        });
    }

    /** The DRAIN phase of a {@link GracefulShutdown}: nobody receives the report, so it is logged and kept. */
    private void drain(Duration timeLeft) {
        if (phase.get() != Phase.RUNNING) {
            return;
        }
        Long stopped = stopStartedNanos;
        long start = stopped != null ? stopped : System.nanoTime();
        boolean clean = drainUntil(deadlineIn(timeLeft));
        DrainReport r = new DrainReport(finishedDuringDrain.get(), handedBack.get(), interrupted.get(),
                Duration.ofNanos(System.nanoTime() - start), clean);
        lastDrainReport = r;
        String line = "{} - drain report: finished={} handedBack={} interrupted={} took={}ms clean={}";
        Object[] args = {workerId, r.finished(), r.handedBack(), r.interrupted(), r.took().toMillis(), r.clean()};
        if (clean) {
            log.info(line, args);
        } else {
            log.warn(line, args);
        }
    }

    private boolean drainUntil(long end) {
        if (phase.get() != Phase.RUNNING) {
            return true;
        }
        draining = true;
        long start = System.nanoTime();
        long total = Math.max(0, end - start);
        long soft = start + total * 7 / 10;
        long hard = start + total * 9 / 10;
        waitUntil(() -> noneStarted(), soft);
        if (!noneStarted()) {
            int n = 0;
            for (Execution e : active.values()) {
                if (e.interruptForShutdown()) {
                    n++;
                }
            }
            interrupted.addAndGet(n);
            log.warn("{} - soft deadline reached: interrupted {} running jobs", workerId, n);
        }
        waitUntil(() -> noneStarted(), hard);
        waitUntil(() -> pendingOutcomes.get() == 0, end);
        boolean clean = pendingOutcomes.get() == 0 && noneStarted();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            List<Long> left = store.handBackAllOf(c, workerId);
            if (!left.isEmpty()) {
                handedBack.addAndGet(left.size());
                store.notifyQueues(c, List.copyOf(runners.keySet()));
                log.warn("{} - hard deadline: handed back {} jobs still running, reason shutdown: {}", workerId, left.size(), left);
                clean = false;
            }
        } catch (SQLException e) {
            clean = false;
            log.warn("{} - could not hand back the jobs still running; they will be rescued when their lease expires: {}",
                    workerId, e.toString());
        }
        phase.set(Phase.STOPPING);
        return clean;
    }

    private boolean noneStarted() {
        for (Execution e : active.values()) {
            if (e.isStarted()) {
                return false;
            }
        }
        return true;
    }

    private void closeResources() {
        if (phase.get() == Phase.STOPPED) {
            return;
        }
        phase.set(Phase.STOPPED);
        closing = true;
        stopClaiming.set(true);
        runners.values().forEach(Runner::wakeUp);
        try {
            if (completer != null) {
                completer.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runners.values().forEach(r -> {
            if (r.pool != null) {
                r.pool.shutdownNow();
            }
        });
        timer.shutdownNow();
        for (Thread t : new Thread[] {listener, maintainer}) {
            if (t != null) {
                try {
                    t.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        log.info("{} - stopped", workerId);
    }

    // ================================================================ helpers

    private static final class AtomicReferencePhase extends java.util.concurrent.atomic.AtomicReference<Phase> {
        private static final long serialVersionUID = 1L;

        AtomicReferencePhase() {
            super(Phase.NEW);
        }
    }

    private static long deadlineIn(Duration timeLeft) {
        return System.nanoTime() + timeLeft.toNanos();
    }

    private static void waitUntil(java.util.function.BooleanSupplier done, long deadlineNanos) {
        while (!done.getAsBoolean() && System.nanoTime() - deadlineNanos < 0) {
            sleepQuietly(10);
        }
    }

    private void sleepUnlessClosing(long millis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!closing && System.nanoTime() - until < 0) {
            sleepQuietly(Math.min(25, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the transaction is gone with it
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already broken
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
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
        private final Map<String, Handler> handlers = new LinkedHashMap<>();
        private final Map<String, Integer> queues = new LinkedHashMap<>();
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private Duration lease = DEFAULT_LEASE;
        private Duration defaultTimeout = DEFAULT_JOB_TIMEOUT;
        private boolean listenNotify = true;
        private boolean maintenance = true;
        private Duration maintenanceInterval = DEFAULT_MAINTENANCE_INTERVAL;
        private Backoff backoff = DEFAULT_BACKOFF;
        private String workerId;
        private MeterRegistry meterRegistry;

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
        public Builder handler(String kind, JobHandler handler, Duration timeout) {
            JobRequest.requireKind(kind);
            Objects.requireNonNull(handler, "handler must not be null");
            if (timeout != null) {
                requirePositive("timeout of kind " + kind, timeout);
            }
            if (handlers.containsKey(kind)) {
                throw new IllegalArgumentException("a handler for kind '" + kind + "' is already registered");
            }
            handlers.put(kind, new Handler(handler, timeout));
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
            this.workerId = workerId;
            return this;
        }

        /** Where to publish the metrics named in {@link JobQueueMetrics}; default none. */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry must not be null");
            return this;
        }

        /** Builds the workers without starting them. */
        public Workers build() {
            Map<String, Handler> withTimeouts = new LinkedHashMap<>();
            handlers.forEach((k, h) -> withTimeouts.put(k, new Handler(h.handler, h.timeout != null ? h.timeout : defaultTimeout)));
            handlers.clear();
            handlers.putAll(withTimeouts);
            return new Workers(this);
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
