package dev.opskit.jobqueue;

import dev.opskit.jobqueue.internal.Metrics;
import dev.opskit.jobqueue.internal.PgStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The graceful shutdown of one runtime, in two steps that {@link Workers} calls in order.
 * {@link #stopAccepting}: stop claiming at once, wait for the fetchers to stop, and hand back the
 * claimed jobs that have not started (their attempt not spent). {@link #drainUntil}: let running
 * handlers finish until the soft deadline (70% of the time left), then interrupt them; at the
 * hard deadline (90%) stop waiting for them; wait for the outcomes to be stored; and last hand
 * back whatever still runs under this worker's name in the database, so nothing is left running
 * for a dead worker. What it did is counted in {@link DrainCounts}.
 *
 * <p>A job whose cancel was requested is never handed back, whether the worker knew of the
 * cancel or not: the hand-back statements skip it and the drain ends it as cancelled instead
 * (a drain racing with a cancel leaves the job cancelled, not waiting to run again elsewhere).
 */
final class Drain {
    private static final Logger log = LoggerFactory.getLogger(Drain.class);

    private final String workerId;
    private final DataSource dataSource;
    private final PgStore store;
    private final Collection<QueueRunner> runners;
    private final ActiveJobs active;
    private final Completer completer;
    private final StopSignals signals;
    private final DrainCounts counts;
    private final Metrics metrics;
    /** When claiming stopped (System.nanoTime), or null before. */
    private volatile @Nullable Long stoppedAt;

    Drain(String workerId, DataSource dataSource, PgStore store, Collection<QueueRunner> runners, ActiveJobs active,
          Completer completer, StopSignals signals, DrainCounts counts, Metrics metrics) {
        this.workerId = workerId;
        this.dataSource = dataSource;
        this.store = store;
        this.runners = List.copyOf(runners);
        this.active = active;
        this.completer = completer;
        this.signals = signals;
        this.counts = counts;
        this.metrics = metrics;
    }

    /** When claiming stopped (System.nanoTime), or {@code orElse} when it has not. */
    long stoppedAt(long orElse) {
        Long s = stoppedAt;
        return s != null ? s : orElse;
    }

    /** Stops claiming and hands back the jobs that have not started; only the first call does anything. */
    void stopAccepting(long deadlineNanos) throws InterruptedException {
        if (!signals.stopClaiming()) {
            return;
        }
        stoppedAt = System.nanoTime();
        // from here on a job that ends counts as finished during the drain, even before the DRAIN phase starts
        signals.startDraining();
        log.info("{} - stopping: no more claims, handing back jobs that have not started", workerId);
        runners.forEach(QueueRunner::wakeUp);
        for (QueueRunner r : runners) {
            r.awaitFetcher(java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
        }
        List<Execution> back = new ArrayList<>();
        for (Execution e : active.all()) {
            if (e.handBack()) {
                back.add(e);
            }
        }
        if (back.isEmpty()) {
            return;
        }
        long[] ids = back.stream().mapToLong(Execution::id).toArray();
        long[] tokens = back.stream().mapToLong(Execution::token).toArray();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            int n = store.handBack(c, ids, tokens);
            if (n < ids.length) {
                cancelled(store.cancelRunning(c, ids, tokens, null, true));
            }
            store.notifyQueues(c, back.stream().map(e -> e.runner.name).distinct().toList());
            counts.handedBack.addAndGet(n);
            log.info("{} - handed back {} claimed jobs that had not started", workerId, n);
        } catch (SQLException e) {
            log.warn("{} - could not hand back {} unstarted jobs; they will be rescued when their lease expires: {}",
                    workerId, ids.length, e.toString());
        }
        back.forEach(e -> {
            active.remove(e);
            e.runner.releaseSlot();
        });
    }

    /** Lets running jobs finish until {@code end} (System.nanoTime), as the class comment says; true when clean. */
    boolean drainUntil(long end) {
        signals.startDraining();
        long start = System.nanoTime();
        long total = Math.max(0, end - start);
        long soft = start + total * 7 / 10;
        long hard = start + total * 9 / 10;
        waitUntil(active::noneStarted, soft);
        if (!active.noneStarted()) {
            int n = 0;
            for (Execution e : active.all()) {
                if (e.interruptForShutdown()) {
                    n++;
                }
            }
            counts.interrupted.addAndGet(n);
            log.warn("{} - soft deadline reached: interrupted {} running jobs", workerId, n);
        }
        waitUntil(active::noneStarted, hard);
        waitUntil(() -> completer.pending() == 0, end);
        boolean clean = completer.pending() == 0 && active.noneStarted();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            cancelled(store.cancelRunningOf(c, workerId));
            List<Long> left = store.handBackAllOf(c, workerId);
            if (!left.isEmpty()) {
                counts.handedBack.addAndGet(left.size());
                store.notifyQueues(c, runners.stream().map(r -> r.name).toList());
                log.warn("{} - hard deadline: handed back {} jobs still running, reason shutdown: {}", workerId, left.size(), left);
                clean = false;
            }
        } catch (SQLException e) {
            clean = false;
            log.warn("{} - could not hand back the jobs still running; they will be rescued when their lease expires: {}",
                    workerId, e.toString());
        }
        return clean;
    }

    private void cancelled(List<PgStore.Cancelled> jobs) {
        for (PgStore.Cancelled j : jobs) {
            metrics.completed(j.queue(), "cancelled");
            metrics.cancelled(j.queue(), Metrics.WHILE_RUNNING);
        }
        if (!jobs.isEmpty()) {
            log.info("{} - ended {} jobs as cancelled instead of handing them back (their cancel was requested): {}", workerId,
                    jobs.size(), jobs.stream().map(PgStore.Cancelled::id).toList());
        }
    }

    private static void waitUntil(BooleanSupplier done, long deadlineNanos) {
        while (!done.getAsBoolean() && System.nanoTime() - deadlineNanos < 0) {
            StopSignals.sleepQuietly(10);
        }
    }
}
