package dev.opskit.jobqueue;

import dev.opskit.core.jdbc.Jdbc;
import dev.opskit.deadletter.DeadLetterReason;
import dev.opskit.jobqueue.internal.DeadLetterSink;
import dev.opskit.jobqueue.internal.Json;
import dev.opskit.jobqueue.internal.Metrics;
import dev.opskit.jobqueue.internal.PgStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One thread ({@code opskit-jobqueue-maintenance}) that competes for the schema's leader lock
 * ({@code pg_try_advisory_lock} on a connection it holds while it leads). The leader rescues jobs
 * whose lease expired (back to the queue, or to the dead letters with reason
 * {@code rescued_after_lease} when their attempts are spent) or, when a cancel was requested for
 * them, ends them as cancelled (a rescue never brings a cancelled job back), vacuums the hot table when dead rows
 * piled up, and prunes finished jobs in batches. Every instance, leader or not, samples the
 * gauges. A failure releases the leadership (the connection is closed) and is tried again at the
 * next run.
 */
final class MaintenanceLeader {
    private static final Logger log = LoggerFactory.getLogger(MaintenanceLeader.class);
    private static final int RESCUE_BATCH = 1000;
    private static final int PRUNE_BATCH = 5000;
    private static final long VACUUM_MIN_DEAD_ROWS = 5_000;
    // and at least 1/50 of the live rows: a vacuum's cost grows with the table, the claims' cost with the dead
    // entries in front of them (burn-down of 200,000: with 1/10 a claim cost 0.293 ms, with no ratio 0.246 ms)
    private static final long VACUUM_LIVE_DIVISOR = 50;
    /** The window of {@code opskit.jobs.drains.unclean}: long enough for an alert to see a deploy's drains. */
    static final Duration UNCLEAN_DRAIN_WINDOW = Duration.ofHours(1);
    /** How long drain records are kept for {@code opskit jobs drains}. */
    static final Duration DRAIN_RETENTION = Duration.ofDays(30);
    /** Between maintenance runs the leader checks this often whether the hot table needs a vacuum. */
    private static final long VACUUM_CHECK_MS = 250;

    /** Jobs whose dead letter could not be made, reported once. */
    private final java.util.Set<Long> unburiable = new java.util.HashSet<>();
    private final String workerId;
    private final DataSource dataSource;
    private final PgStore store;
    private final boolean compete;
    private final Duration interval;
    private final Duration finishedRetention;
    private final boolean keepFinished;
    private final DeadLetterSink deadLetters;
    private final Metrics metrics;
    private final List<String> queues;
    private final StopSignals signals;
    private final Clock clock;
    private @Nullable Thread thread;

    MaintenanceLeader(String workerId, DataSource dataSource, PgStore store, boolean compete, Duration interval,
                      Duration finishedRetention, DeadLetterSink deadLetters, Metrics metrics, List<String> queues,
                      StopSignals signals, Clock clock) {
        this.workerId = workerId;
        this.dataSource = dataSource;
        this.store = store;
        this.compete = compete;
        this.interval = interval;
        this.finishedRetention = finishedRetention;
        this.keepFinished = !finishedRetention.isZero();
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.queues = List.copyOf(queues);
        this.signals = signals;
        this.clock = clock;
    }

    void start() {
        thread = StopSignals.daemon(this::loop, "opskit-jobqueue-maintenance");
        thread.start();
    }

    /** Waits up to {@code millis} for the thread to end (it ends within 25 ms of closing, or after its current run). */
    void awaitEnd(long millis) throws InterruptedException {
        if (thread != null) {
            thread.join(millis);
        }
    }

    private void loop() {
        Connection leader = null;
        long failures = 0;
        long nextSample = 0;
        while (!signals.closing()) {
            try {
                if (compete) {
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
                        metrics.sample(queues, store.counts(c, false));
                        metrics.sampleUncleanDrains(store.uncleanDrains(c, UNCLEAN_DRAIN_WINDOW));
                        metrics.samplePaused(queues, store.controls(c).stream().filter(PgStore.Control::paused)
                                .map(PgStore.Control::queue).toList());
                    }
                }
                failures = 0;
            } catch (SQLException | RuntimeException e) {
                failures++;
                if (failures == 1) {
                    log.warn("{} - maintenance failed{}: {}", workerId, leader != null ? " (leadership released)" : "", e.toString());
                }
                Jdbc.closeQuietly(leader);
                leader = null;
            }
            long nextRun = System.nanoTime() + interval.toNanos();
            long left;
            while (!signals.closing() && (left = nextRun - System.nanoTime()) > 0) {
                signals.sleepUnlessClosing(Math.min(VACUUM_CHECK_MS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
                if (leader != null && !signals.closing() && nextRun - System.nanoTime() > 0) {
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
        Jdbc.closeQuietly(leader);
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
            List<String> rescued = store.rescue(c, RESCUE_BATCH);
            if (!rescued.isEmpty()) {
                Map<String, Long> byQueue = new LinkedHashMap<>();
                rescued.forEach(q -> byQueue.merge(q, 1L, Long::sum));
                byQueue.forEach(metrics::rescued);
                store.notifyQueues(c, byQueue.keySet());
                log.warn("{} - rescued {} jobs whose lease expired: {}", workerId, rescued.size(), byQueue);
            }
            if (rescued.size() < RESCUE_BATCH) {
                break;
            }
        }
        // Expired leases of jobs whose cancel was requested: their worker died or lost the database
        // after the cancel; they end cancelled (the rescue and the burial above skip them).
        while (true) {
            List<PgStore.Cancelled> cancelled = store.cancelExpired(c, RESCUE_BATCH);
            for (PgStore.Cancelled j : cancelled) {
                metrics.completed(j.queue(), "cancelled");
                metrics.cancelled(j.queue(), Metrics.WHILE_RUNNING);
            }
            if (!cancelled.isEmpty()) {
                log.warn("{} - ended {} jobs as cancelled whose lease expired after their cancel was requested: {}", workerId,
                        cancelled.size(), cancelled.stream().map(PgStore.Cancelled::id).toList());
            }
            if (cancelled.size() < RESCUE_BATCH) {
                break;
            }
        }
        buryExpiredSpent(c);
        // Every claim and completion leaves dead row versions, and their index entries stay in front of
        // the claim index scan until vacuum removes them: at thousands of jobs per second each claim
        // would walk past ever more of them, long before autovacuum's next nap ends. The leader
        // vacuums the (small) hot table itself once enough dead rows piled up.
        vacuumIfDue(c);
        for (int i = 0; i < 20; i++) {
            if (store.prune(c, finishedRetention, PRUNE_BATCH) < PRUNE_BATCH) {
                break;
            }
        }
        store.pruneDrains(c, DRAIN_RETENTION);
        store.pruneStarts(c); // the rate windows' old starts: the claims only count rows inside the window
    }

    /** Expired leases with no attempts left: to the dead letters, each in its own transaction. */
    private void buryExpiredSpent(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try {
            List<Long> spent = store.lockExpiredSpent(c, RESCUE_BATCH);
            c.commit();
            for (long id : spent) {
                DeadLetterReason reason = DeadLetterReason.RESCUED_AFTER_LEASE;
                String error = Json.error(0, clock.instant(), "lease_expired", "the lease expired and no attempts were left",
                        reason.code(), null);
                Job dead = store.bury(c, id, null, error, keepFinished);
                if (dead != null) {
                    try {
                        deadLetters.store(c, dead, reason, null, null); // a dead worker's job: its context is not read back
                    } catch (RuntimeException e) {
                        if (Completer.causedBySql(e)) {
                            throw e; // the database: this pass ends, the next one tries again
                        }
                        // Not the database: this job's letter cannot be made. Leave the job as it is
                        // (rolled back) and bury the others; it is reported once per leader.
                        Jdbc.rollbackQuietly(c);
                        if (unburiable.add(id)) {
                            log.error("{} - job {} ({}) cannot be moved to the dead letters and stays running with an expired"
                                    + " lease", workerId, id, dead.kind(), e);
                        }
                        continue;
                    }
                    metrics.rescued(dead.queue(), 1);
                    metrics.completed(dead.queue(), "dead");
                    log.warn("{} - job {} ({}) moved to the dead letters: its lease expired on its last attempt", workerId, id, dead.kind());
                }
                c.commit();
            }
        } catch (SQLException | RuntimeException e) {
            Jdbc.rollbackQuietly(c);
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
