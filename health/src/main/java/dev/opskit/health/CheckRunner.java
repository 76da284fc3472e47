package dev.opskit.health;

import dev.opskit.core.health.HealthCheck;
import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one registered check: in the background every interval, and on demand for probes.
 *
 * <p>Concurrency design: at most one run of a check is in flight ({@link #current}, guarded by
 * {@code this}). Whoever asks for a run while one is in flight gets that run's future, so
 * concurrent probes share one run (single flight). A run ends exactly once ({@link Run#finish}, a
 * compare-and-set): either the check answers, or the timeout timer on the scheduler fires first;
 * the timer then interrupts the check's thread. A check that ignores the interrupt keeps its
 * thread; no new run is started while it is still stuck (each request for a run is answered at
 * once with DOWN "still running"), so a hung dependency costs one thread, never one per interval.
 * Results are recorded under {@code this}, and {@link #latest} is a volatile snapshot that probes
 * read without locking.
 */
final class CheckRunner {
    private static final Logger log = LoggerFactory.getLogger(CheckRunner.class);

    final String name;
    final HealthCheck check;
    final CheckOptions options;
    private final Clock clock;
    private final ExecutorService executor;
    private final ScheduledExecutorService scheduler;
    private final Consumer<CheckSnapshot> onResult;

    private volatile CheckSnapshot latest;
    private @Nullable Run current;
    private @Nullable ScheduledFuture<?> schedule;
    private @Nullable Instant lastSuccess;
    private @Nullable Instant lastFailure;
    private long consecutiveFailures;
    private @Nullable HealthStatus loggedStatus;

    CheckRunner(String name, HealthCheck check, CheckOptions options, Clock clock, ExecutorService executor,
                ScheduledExecutorService scheduler, Consumer<CheckSnapshot> onResult) {
        this.name = name;
        this.check = check;
        this.options = options;
        this.clock = clock;
        this.executor = executor;
        this.scheduler = scheduler;
        this.onResult = onResult;
        this.latest = new CheckSnapshot(name, options.groups(), options.critical(), HealthResult.down("not yet run"),
                Duration.ZERO, null, null, null, 0, false);
    }

    CheckSnapshot latest() {
        return latest;
    }

    boolean inGroup(@Nullable String group) {
        return group == null || options.groups().contains(group);
    }

    synchronized void startSchedule() {
        if (schedule == null) {
            long period = options.interval().toNanos();
            schedule = scheduler.scheduleAtFixedRate(this::backgroundRun, 0, period, TimeUnit.NANOSECONDS);
        }
    }

    synchronized void stopSchedule() {
        if (schedule != null) {
            schedule.cancel(false);
            schedule = null;
        }
    }

    private void backgroundRun() {
        try {
            run();
        } catch (RuntimeException e) {
            // never let an exception cancel the periodic schedule
            log.warn("health check '{}': could not start a background run", name, e);
        }
    }

    /** Starts a run, or joins the one in flight. The future completes within the timeout. */
    CompletableFuture<CheckSnapshot> run() {
        Run run = null;
        long stuckNanos = -1;
        synchronized (this) {
            if (current != null && !current.outcome.isDone()) {
                return current.outcome;
            }
            if (current != null && current.stillRunning()) {
                stuckNanos = System.nanoTime() - current.startNanos;
            } else {
                run = new Run();
                current = run;
            }
        }
        if (run == null) {
            // recorded outside the lock: listeners may touch other runners
            HealthResult stuck = HealthResult.down(new TimeoutException("still running after "
                    + TimeUnit.NANOSECONDS.toMillis(stuckNanos) + " ms (timed out after " + options.timeout().toMillis()
                    + " ms and ignored the interrupt)"));
            // its duration is how long the stuck run has taken so far, so the duration timer shows the hang
            return CompletableFuture.completedFuture(record(stuck, Duration.ofNanos(stuckNanos), true));
        }
        run.start();
        return run.outcome;
    }

    private CheckSnapshot record(HealthResult result, Duration duration, boolean timedOut) {
        CheckSnapshot snapshot;
        HealthStatus previous;
        synchronized (this) {
            Instant now = clock.instant();
            if (result.status() == HealthStatus.DOWN) {
                lastFailure = now;
                consecutiveFailures++;
            } else {
                lastSuccess = now;
                consecutiveFailures = 0;
            }
            snapshot = new CheckSnapshot(name, options.groups(), options.critical(), result, duration, now,
                    lastSuccess, lastFailure, consecutiveFailures, timedOut);
            latest = snapshot;
            previous = loggedStatus;
            loggedStatus = result.status();
        }
        logTransition(previous, snapshot);
        try {
            onResult.accept(snapshot);
        } catch (RuntimeException e) {
            log.warn("health check '{}': a result listener failed", name, e);
        }
        return snapshot;
    }

    private void logTransition(@Nullable HealthStatus previous, CheckSnapshot s) {
        HealthStatus now = s.status();
        String error = s.result().errorMessage().map(m -> ": " + m).orElse("");
        if (previous == now) {
            if (now == HealthStatus.DOWN && log.isDebugEnabled()) {
                log.debug("health check '{}' still DOWN ({} failures in a row){}", name, s.consecutiveFailures(), error);
            }
        } else if (now == HealthStatus.UP) {
            if (previous != null) {
                log.info("health check '{}' is UP again (was {})", name, previous);
            }
        } else {
            log.warn("health check '{}' is {} (was {}){}", name, now, previous == null ? "not yet run" : previous, error);
        }
    }

    /** One run of the check. */
    private final class Run {
        final long startNanos = System.nanoTime();
        final CompletableFuture<CheckSnapshot> outcome = new CompletableFuture<>();
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile boolean taskStarted;
        private volatile boolean taskFinished;
        private volatile @Nullable Future<?> task;
        private volatile @Nullable ScheduledFuture<?> timer;

        void start() {
            try {
                timer = scheduler.schedule(this::timeOut, options.timeout().toNanos(), TimeUnit.NANOSECONDS);
                task = executor.submit(this::execute);
            } catch (RejectedExecutionException e) {
                finish(HealthResult.down("health registry is closed"), false);
            }
        }

        boolean stillRunning() {
            return taskStarted && !taskFinished;
        }

        private void execute() {
            taskStarted = true;
            HealthResult result;
            try {
                result = check.check();
                if (result == null) {
                    result = HealthResult.down("check returned null");
                }
            } catch (Throwable t) {
                // an Error thrown by a check (StackOverflowError, say) is that check's failure, not ours
                result = HealthResult.down(t);
            } finally {
                taskFinished = true;
            }
            finish(result, false);
        }

        private void timeOut() {
            if (finish(HealthResult.down(new TimeoutException("timed out after " + options.timeout().toMillis() + " ms")), true)) {
                Future<?> t = task;
                if (t != null) {
                    t.cancel(true);
                }
            }
        }

        boolean finish(HealthResult result, boolean timedOut) {
            if (!ended.compareAndSet(false, true)) {
                return false;
            }
            Duration took = timedOut ? options.timeout() : Duration.ofNanos(System.nanoTime() - startNanos);
            ScheduledFuture<?> t = timer;
            if (t != null && !timedOut) {
                t.cancel(false);
            }
            outcome.complete(record(result, took, timedOut));
            return true;
        }
    }
}
