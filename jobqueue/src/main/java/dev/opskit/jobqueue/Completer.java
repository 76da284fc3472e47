package dev.opskit.jobqueue;

import dev.opskit.core.jdbc.Jdbc;
import dev.opskit.jobqueue.internal.DeadLetterSink;
import dev.opskit.jobqueue.internal.Metrics;
import dev.opskit.jobqueue.internal.Outcome;
import dev.opskit.jobqueue.internal.PgStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Stores outcomes on one thread ({@code opskit-jobqueue-complete}): successes in batches (one
 * {@code DELETE ... USING unnest(ids, tokens)} for all that finished since the last flush, so
 * batches grow with load and latency stays low when idle), every other outcome in a transaction
 * of its own (a job going to the dead letters moves there in the same transaction). Each
 * statement checks the job's fencing token; a stale one changes nothing and is logged. A job whose
 * cancel was requested in the database is never put back to waiting nor buried: when the retry,
 * postpone, hand-back or dead statement finds it marked (the worker had not learned of the cancel
 * yet), the job ends cancelled instead, with the attempt's error in its history. While the
 * database is unreachable outcomes wait and are retried; once closing, what cannot be stored is
 * left to the lease rescue.
 */
final class Completer {
    private static final Logger log = LoggerFactory.getLogger(Completer.class);
    private static final int MAX_BATCH = 1000;
    /** Outcomes waiting at once from which the completer counts as busy and lingers. */
    private static final int BUSY_BATCH = 4;
    private static final int LINGER_BATCH = 200;
    private static final long LINGER_MICROS = 1000;

    /** One execution's outcome, waiting to be stored. */
    private record Finished(Execution execution, Outcome outcome) {
        long id() {
            return execution.id();
        }

        long token() {
            return execution.token();
        }

        String queue() {
            return execution.runner.name;
        }
    }

    private final String workerId;
    private final DataSource dataSource;
    private final PgStore store;
    private final boolean keepFinished;
    private final DeadLetterSink deadLetters;
    private final Metrics metrics;
    private final ActiveJobs active;
    private final StopSignals signals;
    private final DrainCounts counts;
    private final BlockingQueue<Finished> outcomes = new LinkedBlockingQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private @Nullable Thread thread;

    Completer(String workerId, DataSource dataSource, PgStore store, boolean keepFinished, DeadLetterSink deadLetters,
              Metrics metrics, ActiveJobs active, StopSignals signals, DrainCounts counts) {
        this.workerId = workerId;
        this.dataSource = dataSource;
        this.store = store;
        this.keepFinished = keepFinished;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.active = active;
        this.signals = signals;
        this.counts = counts;
    }

    void start() {
        thread = StopSignals.daemon(this::loop, "opskit-jobqueue-complete");
        thread.start();
    }

    /** Waits up to {@code millis} for the thread to end (it ends once closing and nothing is waiting). */
    void awaitEnd(long millis) throws InterruptedException {
        if (thread != null) {
            thread.join(millis);
        }
    }

    /** Any thread. */
    void submit(Execution e, Outcome o) {
        pending.incrementAndGet();
        outcomes.add(new Finished(e, o));
    }

    /** Outcomes submitted and not stored yet. */
    int pending() {
        return pending.get();
    }

    private void loop() {
        List<Finished> batch = new ArrayList<>();
        long failures = 0;
        while (true) {
            try {
                if (batch.isEmpty()) {
                    Finished first = outcomes.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        if (signals.closing()) {
                            return;
                        }
                        continue;
                    }
                    batch.add(first);
                    outcomes.drainTo(batch, MAX_BATCH - 1);
                    lingerIfBusy(batch);
                }
                store(batch); // removes each outcome from the batch once it is stored
                batch.clear();
                if (failures > 0) {
                    log.info("{} - job outcomes are stored again after {} failed attempts", workerId, failures);
                }
                failures = 0;
            } catch (InterruptedException e) {
                return;
            } catch (SQLException | RuntimeException e) {
                failures++;
                if (signals.closing()) {
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
     * Under load, gathers outcomes for up to {@link #LINGER_MICROS} more before storing them: each
     * statement has a fixed cost on the server, and a burn-down of no-op jobs otherwise stores some
     * 15 per statement. A batch that came alone (a quiet queue) is stored at once, and so is
     * everything while stopping. Slots are freed when a job ends, not when its outcome is stored,
     * so the wait delays no claim.
     */
    private void lingerIfBusy(List<Finished> batch) throws InterruptedException {
        if (batch.size() < BUSY_BATCH || signals.draining() || signals.closing()) {
            return;
        }
        long until = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(LINGER_MICROS);
        while (batch.size() < LINGER_BATCH) {
            long left = until - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Finished next = outcomes.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
            outcomes.drainTo(batch, MAX_BATCH - batch.size());
        }
    }

    private void store(List<Finished> batch) throws SQLException {
        List<Finished> successes = new ArrayList<>();
        List<Finished> others = new ArrayList<>();
        for (Finished f : batch) {
            (f.outcome().type() == Outcome.Type.SUCCESS ? successes : others).add(f);
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
                Set<Long> ok = new HashSet<>(store.complete(c, ids, tokens, keepFinished));
                for (Finished f : successes) {
                    if (ok.contains(f.id())) {
                        metrics.completed(f.queue(), Outcome.Type.SUCCESS.metricTag());
                    } else {
                        stale(f);
                    }
                    stored(f);
                }
                // stored: a retry of this batch after a later failure must not store them again
                batch.removeAll(successes);
            }
            for (Finished f : others) {
                try {
                    storeOne(c, f);
                } catch (RuntimeException e) {
                    if (causedBySql(e)) {
                        throw e; // the database (a wrapped SQLException): retry the rest of the batch
                    }
                    // Not the database: this outcome cannot be stored at all (a bug or data the dead
                    // letters refuse). Retrying it would stop every other outcome of this worker
                    // behind it; give it up instead: its lease expires and maintenance rescues it.
                    log.error("{} - job {} ({}): its {} outcome cannot be stored and is dropped; the lease will expire and"
                            + " the job be rescued", workerId, f.id(), f.execution().job().kind(), f.outcome().type(), e);
                    active.remove(f.execution());
                    pending.decrementAndGet();
                    batch.remove(f);
                    continue;
                }
                stored(f);
                batch.remove(f);
            }
        }
    }

    private void storeOne(Connection c, Finished f) throws SQLException {
        Outcome o = f.outcome();
        Job job = f.execution().job();
        switch (o.type()) {
            case RETRY -> {
                if (store.release(c, f.id(), f.token(), o.delay(), true, o.errorJson())) {
                    metrics.completed(f.queue(), o.type().metricTag());
                    log.debug("{} - job {} ({}) attempt {} failed, retry in {} ms", workerId, f.id(), job.kind(),
                            job.attempt(), o.delay().toMillis());
                } else if (!cancelledInstead(c, f)) {
                    stale(f);
                }
            }
            case POSTPONE -> {
                if (store.release(c, f.id(), f.token(), o.delay(), false, null)) {
                    metrics.completed(f.queue(), o.type().metricTag());
                } else if (!cancelledInstead(c, f)) {
                    stale(f);
                }
            }
            case HAND_BACK -> {
                if (store.release(c, f.id(), f.token(), Duration.ZERO, false, o.errorJson())) {
                    counts.handedBack.incrementAndGet();
                    store.notifyQueues(c, List.of(f.queue()));
                } else if (!cancelledInstead(c, f)) {
                    stale(f);
                }
            }
            case CANCEL -> {
                if (!store.cancelRunning(c, new long[] {f.id()}, new long[] {f.token()}, o.errorJson(), false).isEmpty()) {
                    cancelled(f);
                } else {
                    stale(f);
                }
            }
            case DEAD -> {
                c.setAutoCommit(false);
                try {
                    Job dead = store.bury(c, f.id(), f.token(), o.errorJson(), keepFinished);
                    if (dead != null) {
                        deadLetters.store(c, dead, o.requireDeadReason(), o.error(), f.execution().claimed.traceContext());
                    }
                    boolean cancelled = dead == null
                            && !store.cancelRunning(c, new long[] {f.id()}, new long[] {f.token()}, o.errorJson(), true).isEmpty();
                    c.commit();
                    if (dead != null) {
                        metrics.completed(f.queue(), o.type().metricTag());
                        log.warn("{} - job {} ({}) moved to the dead letters, reason {}: {}", workerId, f.id(), job.kind(),
                                o.requireDeadReason().code(), o.error() == null ? "" : o.error().toString());
                    } else if (cancelled) {
                        cancelled(f);
                    } else {
                        stale(f);
                    }
                } catch (SQLException | RuntimeException ex) {
                    Jdbc.rollbackQuietly(c);
                    throw ex;
                } finally {
                    c.setAutoCommit(true);
                }
            }
            case SUCCESS -> throw new IllegalStateException("successes are stored in batches");
        }
    }

    /**
     * After a retry, postpone or hand-back statement matched nothing: the job may be marked for
     * cancel (and the worker did not know yet), so it ends cancelled, with this attempt's error.
     */
    private boolean cancelledInstead(Connection c, Finished f) throws SQLException {
        if (store.cancelRunning(c, new long[] {f.id()}, new long[] {f.token()}, f.outcome().errorJson(), true).isEmpty()) {
            return false;
        }
        cancelled(f);
        return true;
    }

    private void cancelled(Finished f) {
        metrics.completed(f.queue(), Outcome.Type.CANCEL.metricTag());
        metrics.cancelled(f.queue(), Metrics.WHILE_RUNNING);
        log.info("{} - job {} ({}) cancelled while running{}", workerId, f.id(), f.execution().job().kind(),
                f.outcome().type() == Outcome.Type.CANCEL ? "" : " (its " + f.outcome().type() + " outcome is not stored: a cancel won)");
    }

    private void stale(Finished f) {
        log.info("{} - job {} ({}): outcome {} ignored, the lease was lost (the job was rescued and may run again elsewhere)",
                workerId, f.id(), f.execution().job().kind(), f.outcome().type());
    }

    static boolean causedBySql(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException) {
                return true;
            }
        }
        return false;
    }

    private void stored(Finished f) {
        pending.decrementAndGet();
        active.remove(f.execution());
        f.execution().runner.outcomeStored(f.execution()); // a concurrency-limited queue may start the next job now
        if (signals.draining() && f.outcome().type() != Outcome.Type.HAND_BACK) {
            counts.finished.incrementAndGet();
        }
    }
}
