package dev.opskit.jobqueue;

import dev.opskit.jobqueue.internal.Metrics;
import dev.opskit.jobqueue.internal.PgStore;
import dev.opskit.jobqueue.internal.PgStore.Claimed;
import dev.opskit.jobqueue.internal.PgStore.Control;
import dev.opskit.jobqueue.internal.PgStore.ControlledClaim;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The claimer of one queue: its slots (one per job it may run at once), its fetcher thread
 * ({@code opskit-jobqueue-fetch-<queue>}) and its worker threads. The fetcher waits for a free
 * slot, claims as many due jobs as there are free slots in one statement, and hands them to the
 * worker threads ({@link WorkerPool}). When a claim came back short it sleeps until a wake-up (a
 * NOTIFY for its queue, see {@link NotifyListener}) or the poll interval, whichever comes first;
 * after a wake-up that found jobs it claims once more shortly after, for jobs enqueued without a
 * notification of their own. A slot is freed when a job's handler ends, not when its outcome is
 * stored.
 *
 * <p>A paused or limited queue (a row in {@code queue_controls}, set by any process) is claimed
 * through {@link PgStore#claimControlled}, which locks that row; the plain claim finds nothing
 * while the row exists, so the switch happens at the next claim of every worker. While a limit
 * holds jobs back, the fetcher claims again when one of its own jobs' outcomes is stored (that
 * job no longer counts as running) or after {@link #LIMITED_RETRY_MS} (jobs of other workers
 * ended), and a rate-limited queue when its window should have room again.
 */
final class QueueRunner {
    private static final Logger log = LoggerFactory.getLogger(QueueRunner.class);
    /** After a claim that found jobs but not enough to fill the slots, claim again this soon. */
    private static final long FOLLOW_UP_MS = 5;
    /** A queue held back by its concurrency limit claims again at least this often. */
    static final long LIMITED_RETRY_MS = 100;

    final String name;
    final int concurrency;
    private final Semaphore slots;
    private final String workerId;
    private final DataSource dataSource;
    private final PgStore store;
    private final Duration lease;
    private final Duration pollInterval;
    private final Metrics metrics;
    private final StopSignals signals;
    private final ActiveJobs active;
    private final JobExecutor executor;
    private final Object wakeLock = new Object();
    private boolean wake; // guarded by wakeLock
    /** The queue had a control row at the last claim: claim through the locking path. Fetcher thread writes. */
    private volatile boolean controlled;
    /** Above 0: the last claim was held back by a limit; claim again after this many ms without a wake-up. Fetcher thread only. */
    private long limitedRetryMs;
    /** The queue had a rate limit at the last controlled claim. Fetcher thread only. */
    private boolean rated;
    private volatile @Nullable WorkerPool pool; // threads start with the runtime, not with the builder
    private @Nullable Thread fetcher;

    QueueRunner(String name, int concurrency, String workerId, DataSource dataSource, PgStore store, Duration lease,
                Duration pollInterval, Metrics metrics, StopSignals signals, ActiveJobs active, JobExecutor executor) {
        this.name = name;
        this.concurrency = concurrency;
        this.slots = new Semaphore(concurrency);
        this.workerId = workerId;
        this.dataSource = dataSource;
        this.store = store;
        this.lease = lease;
        this.pollInterval = pollInterval;
        this.metrics = metrics;
        this.signals = signals;
        this.active = active;
        this.executor = executor;
    }

    void start() {
        WorkerPool workers = new WorkerPool("opskit-jobqueue-" + name + "-", concurrency);
        pool = workers;
        Thread t = StopSignals.daemon(() -> fetchLoop(workers), "opskit-jobqueue-fetch-" + name);
        fetcher = t;
        t.start();
    }

    /** Claim now rather than at the next poll. Any thread. */
    void wakeUp() {
        synchronized (wakeLock) {
            wake = true;
            wakeLock.notifyAll();
        }
    }

    /**
     * Jobs of this runner whose handlers ended and whose outcomes are not stored yet (id to claim
     * token), while the queue is controlled: the database still says they run, and the controlled
     * claim is told not to count them against the concurrency limit.
     */
    private final java.util.Map<Long, Long> ended = new java.util.concurrent.ConcurrentHashMap<>();

    /** A handler of this queue ended and its outcome was submitted. Worker thread. */
    void handlerEnded(Execution e) {
        if (controlled) {
            ended.put(e.id(), e.token());
        }
    }

    /** An outcome of this queue was stored: under a concurrency limit, that frees a place now. Completer thread. */
    void outcomeStored(Execution e) {
        ended.remove(e.id(), e.token());
        if (controlled) {
            wakeUp();
        }
    }

    /** Frees the slot of a job that ended or was handed back before it started. */
    void releaseSlot() {
        slots.release();
    }

    /** Waits up to {@code millis} for the fetcher to end (after claiming stopped and a {@link #wakeUp()}). */
    void awaitFetcher(long millis) throws InterruptedException {
        if (fetcher != null) {
            fetcher.join(Math.max(1, millis));
        }
    }

    /** Stops the worker threads: running handlers are interrupted. */
    void stopThreads() {
        WorkerPool p = pool;
        if (p != null) {
            p.shutdownNow();
        }
    }

    private void awaitWake(long millis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (wakeLock) {
            while (!wake && !signals.claimingStopped()) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(wakeLock, left);
            }
            wake = false;
        }
    }

    private void fetchLoop(WorkerPool workers) {
        boolean more = true; // the last claim filled every slot: probably more jobs are due
        boolean followUp = false; // claim once more shortly after a wake-up, for jobs enqueued without their own NOTIFY
        long failures = 0;
        while (!signals.claimingStopped()) {
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
                    long wait = followUp ? FOLLOW_UP_MS : pollInterval.toMillis();
                    awaitWake(limitedRetryMs > 0 ? Math.min(wait, limitedRetryMs) : wait);
                }
                n += slots.drainPermits();
                if (signals.claimingStopped()) {
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
                    Execution e = new Execution(c, this, signals);
                    active.add(e);
                    metrics.waited(name, c.waitedMicros());
                    batch.add(() -> executor.run(e));
                }
                workers.executeAll(batch);
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
            if (!controlled) {
                List<Claimed> got = store.claim(c, name, limit, workerId, token, lease);
                // an empty claim may mean a control row: one more look (idle queues only, cheap)
                if (!got.isEmpty() || store.control(c, name) == null) {
                    limitedRetryMs = 0;
                    return got;
                }
                controlled = true;
                log.info("{} - queue {}: paused or limited, claiming under the queue's control row", workerId, name);
            }
            // a weakly consistent copy: an entry removed meanwhile was stored, so it no longer runs anyway
            List<java.util.Map.Entry<Long, Long>> copy = new ArrayList<>(ended.entrySet());
            long[] endedIds = copy.stream().mapToLong(java.util.Map.Entry::getKey).toArray();
            long[] endedTokens = copy.stream().mapToLong(java.util.Map.Entry::getValue).toArray();
            ControlledClaim r = store.claimControlled(c, name, limit, workerId, token, lease, endedIds, endedTokens, rated);
            if (r.control() != null && (r.control().ratePermits() != null) != rated) {
                rated = r.control().ratePermits() != null; // set or removed since the last claim: the other statement
                r = store.claimControlled(c, name, limit, workerId, token, lease, endedIds, endedTokens, rated);
            }
            Control control = r.control();
            if (control == null) {
                controlled = false;
                limitedRetryMs = 0;
                log.info("{} - queue {}: no longer paused or limited", workerId, name);
                return store.claim(c, name, limit, workerId, token, lease);
            }
            limitedRetryMs = control.paused() || r.jobs().size() == limit ? 0 : retryAfterLimit(control);
            return r.jobs();
        }
    }

    /** When a claim held back by {@code control}'s limits should try again without a wake-up. */
    static long retryAfterLimit(Control control) {
        long retry = control.maxRunning() != null ? LIMITED_RETRY_MS : Long.MAX_VALUE;
        Integer permits = control.ratePermits();
        Long periodMs = control.ratePeriodMs();
        if (permits != null && periodMs != null) { // the table's CHECK sets both or neither
            // about when the next start of a full window leaves it
            retry = Math.min(retry, Math.max(10, periodMs / permits));
        }
        return retry == Long.MAX_VALUE ? 0 : retry;
    }
}
