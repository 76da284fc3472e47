package dev.opskit.jobqueue.testing;

import dev.opskit.core.backoff.Backoff;
import dev.opskit.deadletter.testing.InMemoryDeadLetterStore;
import dev.opskit.jobqueue.CancelResult;
import dev.opskit.jobqueue.JobQueueReplayTarget;
import dev.opskit.jobqueue.internal.DeadLetters;
import dev.opskit.jobqueue.EnqueueResult;
import dev.opskit.jobqueue.Job;
import dev.opskit.jobqueue.JobContext;
import dev.opskit.jobqueue.JobHandler;
import dev.opskit.jobqueue.JobQueue;
import dev.opskit.jobqueue.JobRequest;
import dev.opskit.jobqueue.JobState;
import dev.opskit.jobqueue.QueueControl;
import dev.opskit.jobqueue.QueueCounts;
import dev.opskit.jobqueue.Schedule;
import dev.opskit.jobqueue.ScheduleInfo;
import dev.opskit.jobqueue.internal.DuePlan;
import dev.opskit.jobqueue.RateLimit;
import dev.opskit.jobqueue.internal.Outcome;
import dev.opskit.jobqueue.internal.OutcomePolicy;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * An in-memory {@link JobQueue} for application tests: no database, no threads. It passes the
 * same contract tests as {@link dev.opskit.jobqueue.PostgresJobQueue}.
 *
 * <pre>{@code
 * InMemoryJobQueue jobs = new InMemoryJobQueue();
 * jobs.handler("send-email", ctx -> sent.add(ctx.payload()));
 * signup.register("ana@example.com", jobs);          // the code under test enqueues
 * Job job = jobs.assertEnqueued("send-email");         // exactly one waiting job of that kind
 * assertThat(jobs.runUntilIdle()).isEqualTo(1);        // runs it on this thread
 * jobs.clock().advance(Duration.ofMinutes(5));         // scheduled jobs and retries become due
 * }</pre>
 *
 * <p>Differences from PostgreSQL, on purpose: jobs run only inside {@link #runUntilIdle()}, on
 * the caller's thread, one at a time; the connection passed to {@code enqueue(Connection, ...)}
 * is ignored (the job is visible at once, there is no transaction to roll back); handler timeouts
 * are not enforced; dead jobs are kept in memory ({@link #deadJobs()}); schedules are evaluated
 * only by {@link #runSchedules()} and {@link #runUntilIdle()}, at the clock's time. Finished jobs are kept
 * until {@link #clear()}. A cancel of the running job ({@link #requestCancel(long)}, from the
 * handler itself or from another thread while {@link #runUntilIdle()} runs) reaches the handler at
 * once, as if its worker's lease extension ran right then: the handler's thread is interrupted,
 * {@link JobContext#cancelled()} turns true, and the job ends cancelled whatever the handler then
 * does. Pauses and limits ({@link #pause}, {@link #limitConcurrency}, {@link #limitRate}) are
 * obeyed by {@link #runUntilIdle()}; rate windows move with the {@linkplain #clock() clock}.
 * Thread-safe (all methods synchronise on the queue; handlers run outside the lock).
 */
public final class InMemoryJobQueue implements JobQueue {
    private static final int MAX_RUNS = 100_000;

    private final ManualClock clock;
    private final InMemoryDeadLetterStore deadLetters;
    private final Map<Long, Job> jobs = new TreeMap<>();
    private final Map<String, JobHandler> handlers = new ConcurrentHashMap<>();
    private Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofHours(1));
    private final Map<String, Schedule> declared = new LinkedHashMap<>();
    private final Map<String, ScheduleRow> scheduleRows = new TreeMap<>();
    private long nextId = 1;
    private boolean running;
    // the job whose handler runs now, its thread, and whether a cancel reached it; guarded by this
    private @Nullable Long runningId;
    private @Nullable Thread runningThread;
    private boolean runningCancelled;
    private final Map<String, QueueControl> controls = new TreeMap<>();
    /** Per queue, the starts inside the rate window, oldest first: [rate key, start time]. */
    private final Map<String, java.util.ArrayDeque<Map.Entry<String, Instant>>> starts = new java.util.HashMap<>();

    /** A fake on a {@link ManualClock} at 2026-01-01T00:00:00Z. */
    public InMemoryJobQueue() {
        this(new ManualClock());
    }

    /** A fake on {@code clock}. */
    public InMemoryJobQueue(ManualClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
        this.deadLetters = new InMemoryDeadLetterStore(clock);
        deadLetters.registerReplayTarget(JobQueueReplayTarget.SOURCE_PATTERN, new JobQueueReplayTarget(this));
    }

    /**
     * The in-memory dead-letter store that receives jobs that give up, with a replay target for
     * {@code jobqueue:*} registered: {@code deadLetters().replay(id)} enqueues the job again here.
     */
    public InMemoryDeadLetterStore deadLetters() {
        return deadLetters;
    }

    /** The clock that decides when scheduled jobs and retries are due. */
    public ManualClock clock() {
        return clock;
    }

    /** Registers the handler of {@code kind} (replacing an earlier one). */
    public InMemoryJobQueue handler(String kind, JobHandler handler) {
        JobRequest.builder(kind); // validates the kind
        handlers.put(kind, Objects.requireNonNull(handler, "handler must not be null"));
        return this;
    }

    /** The delay between attempts, as {@link dev.opskit.jobqueue.Workers.Builder#backoff}; default exponential 1 s to 1 h. */
    public synchronized InMemoryJobQueue backoff(Backoff backoff) {
        this.backoff = Objects.requireNonNull(backoff, "backoff must not be null");
        return this;
    }

    // ---------------------------------------------------------------- schedules

    /** What the PostgreSQL table {@code schedules} holds for one schedule. */
    private static final class ScheduleRow {
        String spec;
        String kind;
        String queue;
        @Nullable Instant lastDue;
        @Nullable Instant nextDue;
        final Instant createdAt;
        Instant seenAt;

        ScheduleRow(Schedule s, Instant createdAt, Instant seenAt) {
            this.spec = s.spec();
            this.kind = s.template().kind();
            this.queue = s.template().queue();
            this.createdAt = createdAt;
            this.seenAt = seenAt;
        }
    }

    /**
     * Declares a recurring job, as {@code Workers.Builder.schedule} does: from now on (the clock's
     * time), {@link #runSchedules()} and {@link #runUntilIdle()} enqueue a job at each due time that
     * the clock passed, with the same catch-up as PostgreSQL. A schedule of the same name is replaced
     * (its last due time is kept).
     */
    public synchronized InMemoryJobQueue schedule(Schedule schedule) {
        Objects.requireNonNull(schedule, "schedule must not be null");
        declared.put(schedule.name(), schedule);
        seen(schedule, clock.instant());
        return this;
    }

    /**
     * Removes a schedule from the declared ones, as removing it from code does: it fires no more, and
     * after {@link Schedule#STALE_AFTER} it is listed as not declared.
     *
     * @return whether it was declared
     */
    public synchronized boolean unschedule(String name) {
        return declared.remove(Objects.requireNonNull(name, "name must not be null")) != null;
    }

    /**
     * Enqueues the jobs of every declared schedule whose due time the clock passed since its last
     * one (missed ones per its {@link dev.opskit.jobqueue.CatchUp}).
     *
     * @return how many jobs were enqueued
     */
    public synchronized int runSchedules() {
        Instant now = clock.instant();
        scheduleRows.values().removeIf(r -> r.seenAt.isBefore(now.minus(Schedule.FORGET_AFTER)));
        int n = 0;
        for (Schedule s : declared.values()) {
            ScheduleRow row = seen(s, now);
            DuePlan plan = DuePlan.plan(s, row.lastDue != null ? row.lastDue : row.createdAt, now);
            for (Instant due : plan.enqueue()) {
                if (enqueue(s.jobFor(due)).inserted()) {
                    n++;
                }
            }
            if (plan.last() != null) {
                row.lastDue = plan.last();
            }
            row.nextDue = plan.next();
        }
        return n;
    }

    /** The schedules, by name, as {@code PostgresJobQueue.schedules()} lists them. */
    public synchronized List<ScheduleInfo> schedules() {
        Instant now = clock.instant();
        List<ScheduleInfo> out = new ArrayList<>();
        scheduleRows.forEach((name, r) -> {
            boolean isDeclared = r.seenAt.isAfter(now.minus(Schedule.STALE_AFTER));
            out.add(new ScheduleInfo(name, r.spec, r.kind, r.queue, isDeclared, r.lastDue, isDeclared ? r.nextDue : null,
                    r.createdAt, r.seenAt));
        });
        return out;
    }

    private ScheduleRow seen(Schedule s, Instant now) {
        ScheduleRow row = scheduleRows.computeIfAbsent(s.name(),
                k -> new ScheduleRow(s, now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS), now));
        row.spec = s.spec();
        row.kind = s.template().kind();
        row.queue = s.template().queue();
        row.seenAt = now.isAfter(row.seenAt) ? now : row.seenAt;
        if (row.nextDue == null || row.lastDue == null) {
            row.nextDue = s.nextAfter(row.lastDue != null ? row.lastDue : row.createdAt);
        }
        return row;
    }

    @Override
    public synchronized EnqueueResult enqueue(JobRequest request) {
        Objects.requireNonNull(request, "request must not be null");
        if (request.uniqueKey().isPresent()) {
            for (Job j : jobs.values()) {
                if (j.kind().equals(request.kind()) && request.uniqueKey().get().equals(j.uniqueKey())
                        && (j.state() == JobState.AVAILABLE || j.state() == JobState.RUNNING)) {
                    return new EnqueueResult(j.id(), false);
                }
            }
        }
        Instant now = clock.instant();
        Instant runAt = request.runAt().map(t -> t.isBefore(now) ? now : t).orElse(now.plus(request.delay()));
        long id = nextId++;
        jobs.put(id, new Job(id, request.queue(), request.kind(), request.payload(), request.priority(), JobState.AVAILABLE,
                runAt, now, 0, request.maxAttempts(), request.uniqueKey().orElse(null), null, null, null, null, "[]",
                request.replayOf().orElse(null)));
        return new EnqueueResult(id, true);
    }

    /** Like {@link #enqueue(JobRequest)}; the connection is ignored. */
    @Override
    public EnqueueResult enqueue(Connection connection, JobRequest request) {
        return enqueue(request);
    }

    @Override
    public synchronized int enqueueAll(List<JobRequest> requests) {
        Objects.requireNonNull(requests, "requests must not be null");
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i) == null) {
                throw new IllegalArgumentException("requests[" + i + "] must not be null");
            }
        }
        int n = 0;
        for (JobRequest r : requests) {
            if (enqueue(r).inserted()) {
                n++;
            }
        }
        return n;
    }

    /** Like {@link #enqueueAll(List)}; the connection is ignored. */
    @Override
    public int enqueueAll(Connection connection, List<JobRequest> requests) {
        return enqueueAll(requests);
    }

    @Override
    public synchronized CancelResult requestCancel(long jobId) {
        Job j = jobs.get(jobId);
        if (j == null) {
            return CancelResult.NOT_FOUND;
        }
        switch (j.state()) {
            case AVAILABLE -> {
                jobs.put(jobId, with(j, JobState.CANCELLED, j.runAt(), j.attempt(), j.errors(), clock.instant()));
                return CancelResult.CANCELLED;
            }
            case RUNNING -> {
                Thread handlerThread = runningThread; // set together with runningId
                if (Long.valueOf(jobId).equals(runningId) && !runningCancelled && handlerThread != null) {
                    runningCancelled = true;
                    handlerThread.interrupt();
                }
                return CancelResult.CANCEL_REQUESTED;
            }
            default -> {
                return CancelResult.ALREADY_FINISHED;
            }
        }
    }

    @Override
    public synchronized Optional<Job> get(long jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    @Override
    public synchronized List<QueueCounts> counts() {
        Map<String, long[]> n = new TreeMap<>();
        Map<String, Duration> ages = new LinkedHashMap<>();
        Instant now = clock.instant();
        for (Job j : jobs.values()) {
            n.computeIfAbsent(j.queue(), q -> new long[5])[j.state().ordinal()]++;
            if (j.state() == JobState.AVAILABLE && !j.runAt().isAfter(now)) {
                Duration age = Duration.between(j.runAt(), now);
                ages.merge(j.queue(), age, (a, b) -> a.compareTo(b) >= 0 ? a : b);
            }
        }
        List<QueueCounts> out = new ArrayList<>();
        n.forEach((q, c) -> out.add(new QueueCounts(q, c[0], c[1], c[2], c[3], c[4], ages.get(q))));
        return out;
    }

    @Override
    public synchronized List<Job> stuckJobs(Duration runningLongerThan, int limit) {
        Objects.requireNonNull(runningLongerThan, "runningLongerThan must not be null");
        if (runningLongerThan.isNegative()) {
            throw new IllegalArgumentException("runningLongerThan must not be negative, but was " + runningLongerThan);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, but was " + limit);
        }
        Instant cutoff = clock.instant().minus(runningLongerThan);
        return jobs.values().stream()
                .filter(j -> j.state() == JobState.RUNNING && j.attemptedAt() != null && !j.attemptedAt().isAfter(cutoff))
                .sorted(Comparator.comparing(Job::attemptedAt).thenComparing(Job::id))
                .limit(limit).toList();
    }

    /**
     * Enqueues the due jobs of the declared schedules ({@link #runSchedules()}), then
     * runs due jobs on the caller's thread, by priority, due time and id, until none is due
     * (jobs scheduled later stay waiting until the {@linkplain #clock() clock} reaches them).
     * Retries and postponements that become due at once run in the same call.
     *
     * @return how many attempts ran
     * @throws IllegalStateException when called from a handler, or when jobs keep becoming due after 100,000 runs
     */
    public int runUntilIdle() {
        synchronized (this) {
            if (running) {
                throw new IllegalStateException("runUntilIdle() must not be called from a handler");
            }
            running = true;
        }
        try {
            runSchedules();
            int runs = 0;
            while (true) {
                Job job = claimNext();
                if (job == null) {
                    return runs;
                }
                if (++runs > MAX_RUNS) {
                    throw new IllegalStateException("jobs kept becoming due after " + MAX_RUNS + " runs; is a handler postponing forever?");
                }
                runOne(job);
            }
        } finally {
            synchronized (this) {
                running = false;
            }
        }
    }

    private synchronized @Nullable Job claimNext() {
        Instant now = clock.instant();
        Job next = jobs.values().stream()
                .filter(j -> j.state() == JobState.AVAILABLE && !j.runAt().isAfter(now) && allowed(j, now))
                .min(Comparator.comparingInt(Job::priority).thenComparing(Job::runAt).thenComparingLong(Job::id))
                .orElse(null);
        if (next == null) {
            return null;
        }
        QueueControl control = controls.get(next.queue());
        if (control != null && control.rateLimit() != null) {
            starts.computeIfAbsent(next.queue(), q -> new java.util.ArrayDeque<>())
                    .add(Map.entry(rateKey(next, control.rateLimit()), now));
        }
        Job claimed = new Job(next.id(), next.queue(), next.kind(), next.payload(), next.priority(), JobState.RUNNING,
                next.runAt(), next.createdAt(), next.attempt() + 1, next.maxAttempts(), next.uniqueKey(), "in-memory",
                now, now.plus(Duration.ofMinutes(5)), null, next.errors(), next.replayOf());
        jobs.put(claimed.id(), claimed);
        return claimed;
    }

    /** Whether the queue's pause and limits let {@code job} start now, as the PostgreSQL claim decides. */
    private boolean allowed(Job job, Instant now) {
        QueueControl control = controls.get(job.queue());
        if (control == null) {
            return true;
        }
        if (control.paused()) {
            return false;
        }
        if (control.maxRunning() != null) {
            long running = jobs.values().stream().filter(j -> j.queue().equals(job.queue()) && j.state() == JobState.RUNNING).count();
            if (running >= control.maxRunning()) {
                return false;
            }
        }
        RateLimit rate = control.rateLimit();
        if (rate != null) {
            java.util.ArrayDeque<Map.Entry<String, Instant>> log = starts.getOrDefault(job.queue(), new java.util.ArrayDeque<>());
            Instant windowStart = now.minus(rate.period());
            while (!log.isEmpty() && !log.peekFirst().getValue().isAfter(windowStart)) {
                log.pollFirst(); // a start counts for exactly one period
            }
            String key = rateKey(job, rate);
            return log.stream().filter(e -> e.getKey().equals(key)).count() < rate.permits();
        }
        return true;
    }

    /**
     * The bucket of {@code job}: the payload field's value as PostgreSQL's {@code ->>} prints it
     * for a string, number or boolean, "" when the field is absent or null.
     */
    static String rateKey(Job job, RateLimit rate) {
        if (rate.keyField() == null) {
            return "";
        }
        Object payload = dev.opskit.core.internal.json.JsonText.parse(job.payload());
        if (!(payload instanceof Map<?, ?> object)) {
            return "";
        }
        Object v = object.get(rate.keyField());
        if (v == null) {
            return "";
        }
        if (v instanceof java.math.BigDecimal n) {
            return n.toPlainString();
        }
        return String.valueOf(v); // strings, numbers and booleans print as in PostgreSQL; objects and arrays do not
    }

    private void runOne(Job job) {
        OutcomePolicy policy;
        synchronized (this) {
            policy = new OutcomePolicy(backoff, clock);
        }
        JobHandler handler = handlers.get(job.kind());
        if (handler == null) {
            store(job, policy.noHandler(job, null));
            return;
        }
        synchronized (this) {
            runningId = job.id();
            runningThread = Thread.currentThread();
            runningCancelled = false;
        }
        Throwable thrown = null;
        try {
            handler.handle(new JobContext() {
                @Override
                public Job job() {
                    return job;
                }

                @Override
                public boolean shutdownRequested() {
                    return false;
                }

                @Override
                public boolean cancelled() {
                    synchronized (InMemoryJobQueue.this) {
                        return runningCancelled && Long.valueOf(job.id()).equals(runningId);
                    }
                }
            });
        } catch (Throwable t) {
            thrown = t;
        }
        synchronized (this) {
            // decided and stored under one lock: a cancel comes before (the job ends cancelled) or
            // after (it finds the job finished), as with the PostgreSQL workers
            boolean cancelled = runningCancelled;
            runningId = null;
            runningThread = null;
            runningCancelled = false;
            if (cancelled) {
                Thread.interrupted(); // the cancel's interrupt must not leak into the caller of runUntilIdle
            }
            store(job, cancelled ? policy.cancelled(job, thrown, null)
                    : thrown == null ? policy.success()
                    : policy.failed(job, thrown, OutcomePolicy.Interruption.NONE, null, null));
        }
    }

    /** Stores an outcome as the PostgreSQL workers do (an attempt given back counts as not made). */
    private synchronized void store(Job job, Outcome o) {
        Instant now = clock.instant();
        String errors = o.errorJson() == null ? job.errors() : append(job.errors(), o.errorJson());
        switch (o.type()) {
            case SUCCESS -> jobs.put(job.id(), with(job, JobState.COMPLETED, job.runAt(), job.attempt(), errors, now));
            case CANCEL -> jobs.put(job.id(), with(job, JobState.CANCELLED, job.runAt(), job.attempt(), errors, now));
            case RETRY -> jobs.put(job.id(), with(job, JobState.AVAILABLE, now.plus(o.delay()), job.attempt(), errors, null));
            case POSTPONE, HAND_BACK -> jobs.put(job.id(), with(job, JobState.AVAILABLE, now.plus(o.delay()), job.attempt() - 1, errors, null));
            case DEAD -> {
                Job dead = with(job, JobState.DEAD, job.runAt(), job.attempt(), errors, now);
                jobs.put(job.id(), dead);
                deadLetters.add(null, DeadLetters.letter(dead, o.requireDeadReason(), o.error()));
            }
        }
    }

    private static String append(String errorsJson, String entry) {
        return errorsJson.equals("[]") ? "[" + entry + "]" : errorsJson.substring(0, errorsJson.length() - 1) + "," + entry + "]";
    }

    private static Job with(Job j, JobState state, Instant runAt, int attempt, String errors, @Nullable Instant finishedAt) {
        boolean running = state == JobState.RUNNING;
        return new Job(j.id(), j.queue(), j.kind(), j.payload(), j.priority(), state, runAt, j.createdAt(), attempt,
                j.maxAttempts(), j.uniqueKey(), state == JobState.AVAILABLE ? null : j.workerId(), j.attemptedAt(),
                running ? j.leaseExpiresAt() : null, finishedAt, errors, j.replayOf());
    }

    // ---------------------------------------------------------------- operator controls

    @Override
    public synchronized boolean pause(String queue) {
        JobRequest.requireQueue(queue);
        QueueControl c = controls.get(queue);
        if (c != null && c.paused()) {
            return false;
        }
        put(new QueueControl(queue, true, c == null ? null : c.maxRunning(), c == null ? null : c.rateLimit()));
        return true;
    }

    @Override
    public synchronized boolean resume(String queue) {
        JobRequest.requireQueue(queue);
        QueueControl c = controls.get(queue);
        if (c == null || !c.paused()) {
            return false;
        }
        put(new QueueControl(queue, false, c.maxRunning(), c.rateLimit()));
        return true;
    }

    @Override
    public synchronized Set<String> paused() {
        Set<String> out = new TreeSet<>();
        controls.values().stream().filter(QueueControl::paused).forEach(c -> out.add(c.queue()));
        return java.util.Collections.unmodifiableSet(out);
    }

    @Override
    public synchronized void limitConcurrency(String queue, int maxRunning) {
        JobRequest.requireQueue(queue);
        if (maxRunning < 1) {
            throw new IllegalArgumentException("maxRunning must be at least 1, but was " + maxRunning);
        }
        QueueControl c = controls.get(queue);
        put(new QueueControl(queue, c != null && c.paused(), maxRunning, c == null ? null : c.rateLimit()));
    }

    @Override
    public synchronized void limitRate(String queue, RateLimit limit) {
        JobRequest.requireQueue(queue);
        Objects.requireNonNull(limit, "limit must not be null");
        QueueControl c = controls.get(queue);
        if (c == null || c.rateLimit() == null || !Objects.equals(c.rateLimit().keyField(), limit.keyField())) {
            starts.remove(queue); // other buckets: as the PostgreSQL queue, forget the old starts
        }
        put(new QueueControl(queue, c != null && c.paused(), c == null ? null : c.maxRunning(), limit));
    }

    @Override
    public synchronized void removeLimits(String queue) {
        JobRequest.requireQueue(queue);
        QueueControl c = controls.get(queue);
        starts.remove(queue);
        if (c != null) {
            put(new QueueControl(queue, c.paused(), null, null));
        }
    }

    @Override
    public synchronized List<QueueControl> controls() {
        return List.copyOf(controls.values());
    }

    private void put(QueueControl c) {
        if (c.paused() || c.limited()) {
            controls.put(c.queue(), c);
        } else {
            controls.remove(c.queue());
        }
    }

    // ---------------------------------------------------------------- assertions

    /** Every job ever enqueued (until {@link #clear()}), in enqueue order, in its current state. */
    public synchronized List<Job> enqueued() {
        return List.copyOf(jobs.values());
    }

    /** The jobs of {@code kind}, in enqueue order, in any state. */
    public synchronized List<Job> enqueued(String kind) {
        return jobs.values().stream().filter(j -> j.kind().equals(kind)).toList();
    }

    /** Jobs waiting (due or scheduled) or running. */
    public synchronized List<Job> pending() {
        return jobs.values().stream().filter(j -> j.state() == JobState.AVAILABLE || j.state() == JobState.RUNNING).toList();
    }

    /** Jobs that went to the dead letters; their error history says why. */
    public synchronized List<Job> deadJobs() {
        return jobs.values().stream().filter(j -> j.state() == JobState.DEAD).toList();
    }

    /**
     * Asserts that exactly one job of {@code kind} waits, and returns it.
     *
     * @throws AssertionError listing what is enqueued when there is none or more than one
     */
    public synchronized Job assertEnqueued(String kind) {
        List<Job> waiting = jobs.values().stream().filter(j -> j.kind().equals(kind) && j.state() == JobState.AVAILABLE).toList();
        if (waiting.size() != 1) {
            throw new AssertionError("expected exactly one waiting job of kind '" + kind + "' but found " + waiting.size()
                    + "; enqueued: " + describe());
        }
        return waiting.get(0);
    }

    /** Asserts that no job waits or runs. */
    public synchronized void assertNothingPending() {
        if (!pending().isEmpty()) {
            throw new AssertionError("expected no pending jobs but found: " + describe());
        }
    }

    /** Forgets every job (handlers stay registered). */
    public synchronized void clear() {
        jobs.clear();
    }

    private String describe() {
        return jobs.values().stream().map(j -> j.id() + ":" + j.kind() + "@" + j.queue() + "=" + j.state()).toList().toString();
    }
}
