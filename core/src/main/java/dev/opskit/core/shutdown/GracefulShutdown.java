package dev.opskit.core.shutdown;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coordinates a graceful shutdown of the components of one process.
 *
 * <p>Components {@linkplain #register register} as participants of a {@link ShutdownPhase}.
 * {@link #shutdown(Duration)} runs the phases in order within one total deadline: the participants
 * of a phase run in parallel, each on its own thread, and the next phase starts when all of them
 * returned or the phase's time ran out. {@link ShutdownPhase#CLOSE} keeps a reserve of 10% of the
 * deadline (at most 5 s), so a drain that overruns still leaves time to close pools and servers.
 * A participant still running at the end of its time is reported {@code TIMED_OUT} and interrupted.
 *
 * <p>Only the first call runs the shutdown; every later or concurrent call waits for that run and
 * returns the same report. {@link #isShuttingDown()} turns true the moment the first call starts,
 * which is what readiness probes watch.
 *
 * <p>{@link #installShutdownHook(Duration)} runs the shutdown from a JVM shutdown hook, so on
 * SIGTERM, and logs the report ({@code opskit graceful shutdown report: clean=true ...}) at INFO,
 * or WARN when a participant timed out or failed; {@link #installShutdownHook(Duration, int)}
 * then also halts the JVM with a chosen exit status. Thread-safe.
 *
 * <pre>{@code
 * GracefulShutdown shutdown = new GracefulShutdown()
 *         .register("http", ShutdownPhase.STOP_ACCEPTING, timeLeft -> server.stop(0))
 *         .register("workers", ShutdownPhase.DRAIN, workers::drain)
 *         .register("pool", ShutdownPhase.CLOSE, timeLeft -> pool.close())
 *         .installShutdownHook(Duration.ofSeconds(25), 0);
 * }</pre>
 */
public final class GracefulShutdown {
    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);
    private static final Duration MAX_CLOSE_RESERVE = Duration.ofSeconds(5);
    private static final Duration MAX_DEADLINE = Duration.ofNanos(Long.MAX_VALUE / 4);

    private record Registration(String name, ShutdownPhase phase, Drainable participant) {
    }

    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    private final List<StartListener> startListeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<ShutdownReport> result = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final Object registrationLock = new Object();
    private final AtomicReference<Thread> hook = new AtomicReference<>();
    private final Clock clock;

    /** A coordinator on the system clock. */
    public GracefulShutdown() {
        this(Clock.systemUTC());
    }

    /** A coordinator whose report timestamps come from {@code clock}; deadlines always use {@link System#nanoTime()}. */
    public GracefulShutdown(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    /**
     * Adds a participant. Registering after the shutdown started is refused, because the
     * participant would never be drained.
     *
     * @param name shown in the report and logs; not blank
     * @throws IllegalStateException when the shutdown has already started
     */
    public GracefulShutdown register(String name, ShutdownPhase phase, Drainable participant) {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(phase, "phase must not be null");
        Objects.requireNonNull(participant, "participant must not be null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        // Under the same lock as the start, so a participant is either refused or drained, never skipped.
        synchronized (registrationLock) {
            if (started.get()) {
                throw new IllegalStateException("cannot register '" + name + "': the shutdown has already started");
            }
            registrations.add(new Registration(name, phase, participant));
        }
        return this;
    }

    /**
     * Runs {@code listener} on the thread that starts the shutdown, before any phase runs (or at
     * once, on the caller's thread, if the shutdown has already started). Must be quick; an
     * exception it throws is logged and ignored.
     */
    public void onShutdownStarted(Runnable listener) {
        Objects.requireNonNull(listener, "listener must not be null");
        StartListener l = new StartListener(listener);
        startListeners.add(l);
        if (started.get()) {
            // the shutdown may also have picked it up; StartListener makes sure it runs once
            l.runOnce();
        }
    }

    /** True from the moment {@link #shutdown(Duration)} is first called. */
    public boolean isShuttingDown() {
        return started.get();
    }

    /**
     * Runs the shutdown, or waits for the run already under way, and returns its report.
     *
     * <p>Blocks for at most about {@code deadline} when it runs the shutdown. A caller that
     * arrives while another runs it waits, without a time limit of its own, for that run (its
     * own {@code deadline} is then ignored).
     *
     * @param deadline the total time for all phases; positive
     * @return the report; the same instance for every caller
     * @throws IllegalArgumentException when {@code deadline} is not positive
     * @throws IllegalStateException when a waiting caller is interrupted
     */
    public ShutdownReport shutdown(Duration deadline) {
        requirePositive(deadline);
        boolean first;
        synchronized (registrationLock) {
            first = started.compareAndSet(false, true);
        }
        if (!first) {
            return awaitReport();
        }
        try {
            ShutdownReport report = run(deadline);
            result.complete(report);
            return report;
        } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
            throw e;
        }
    }

    /**
     * Installs a JVM shutdown hook that runs {@link #shutdown(Duration)} with {@code deadline} and
     * logs the report at INFO. The hook does nothing if a shutdown already ran (it then just waits
     * for it). Calling this (or {@link #installShutdownHook(Duration, int)}) again replaces the
     * earlier hook.
     *
     * <p>The JVM then exits the way it always does on a signal: on SIGTERM with status 143
     * (128 + 15). Use {@link #installShutdownHook(Duration, int)} to choose the status.
     *
     * @param deadline the total time for all phases; positive. Keep it below the grace period of
     *     whatever sends the signal (Kubernetes: {@code terminationGracePeriodSeconds}, 30 s by default)
     * @throws IllegalArgumentException when {@code deadline} is not positive
     */
    public GracefulShutdown installShutdownHook(Duration deadline) {
        requirePositive(deadline);
        return installHook(() -> logReport(shutdown(deadline)));
    }

    /**
     * Like {@link #installShutdownHook(Duration)}, but once the report is logged the hook ends the
     * JVM with {@link Runtime#halt(int) Runtime.halt(haltStatus)}, so a service can exit with 0 on
     * SIGTERM instead of 143 and an orchestrator does not count the stop as a failure. The JVM
     * also halts when the shutdown itself throws.
     *
     * <p>Halting does not wait for anything else: JVM shutdown hooks run concurrently, so any other
     * hook still running at that moment (one registered later by a library, say) is cut off, and
     * buffered output not yet flushed by its owner is lost ({@code System.out} and
     * {@code System.err} are flushed first). Register cleanup as a participant of this coordinator,
     * not as a hook of its own.
     *
     * @param deadline the total time for all phases; positive
     * @param haltStatus the exit status, 0 to 255
     * @throws IllegalArgumentException when {@code deadline} is not positive or {@code haltStatus} is out of range
     */
    public GracefulShutdown installShutdownHook(Duration deadline, int haltStatus) {
        requirePositive(deadline);
        if (haltStatus < 0 || haltStatus > 255) {
            throw new IllegalArgumentException("haltStatus must be between 0 and 255, but was " + haltStatus);
        }
        return installHook(() -> {
            try {
                logReport(shutdown(deadline));
            } finally {
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(haltStatus);
            }
        });
    }

    private GracefulShutdown installHook(Runnable body) {
        Thread thread = new Thread(body, "opskit-shutdown-hook");
        Thread previous = hook.getAndSet(thread);
        if (previous != null) {
            removeHook(previous);
        }
        Runtime.getRuntime().addShutdownHook(thread);
        return this;
    }

    private static void logReport(ShutdownReport report) {
        if (report.clean()) {
            log.info("opskit graceful shutdown report: {}", report.summary());
        } else {
            log.warn("opskit graceful shutdown report: {}", report.summary());
        }
    }

    private static void requirePositive(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline must not be null");
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be greater than 0, but was " + deadline);
        }
    }

    /** Removes the hook installed by {@link #installShutdownHook(Duration)}, if any. */
    public void removeShutdownHook() {
        Thread previous = hook.getAndSet(null);
        if (previous != null) {
            removeHook(previous);
        }
    }

    private static void removeHook(Thread thread) {
        try {
            Runtime.getRuntime().removeShutdownHook(thread);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the JVM is exiting and the hook runs anyway; nothing to undo
        }
    }

    private ShutdownReport awaitReport() {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the shutdown already in progress", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the shutdown already in progress failed", e.getCause());
        }
    }

    private ShutdownReport run(Duration requested) {
        Instant startedAt = clock.instant();
        long start = System.nanoTime();
        // a "forever" deadline such as Duration.ofSeconds(Long.MAX_VALUE) must neither overflow
        // toNanos() nor wrap start + total into the past: cap it at about 73 years
        Duration deadline = requested.compareTo(MAX_DEADLINE) > 0 ? MAX_DEADLINE : requested;
        long total = deadline.toNanos();
        long end = start + total;
        long closeReserve = Math.min(total / 10, MAX_CLOSE_RESERVE.toNanos());
        log.info("opskit graceful shutdown started: {} participants, deadline {} ms", registrations.size(), deadline.toMillis());
        startListeners.forEach(StartListener::runOnce);

        List<ShutdownReport.Participant> outcomes = new ArrayList<>();
        for (ShutdownPhase phase : ShutdownPhase.values()) {
            long phaseEnd = phase == ShutdownPhase.CLOSE ? end : end - closeReserve;
            List<Registration> inPhase = registrations.stream().filter(r -> r.phase() == phase).toList();
            if (!inPhase.isEmpty()) {
                outcomes.addAll(runPhase(inPhase, phaseEnd));
            }
        }
        return new ShutdownReport(startedAt, Duration.ofNanos(System.nanoTime() - start), deadline, outcomes);
    }

    private List<ShutdownReport.Participant> runPhase(List<Registration> inPhase, long phaseEnd) {
        List<Running> running = new ArrayList<>();
        for (Registration r : inPhase) {
            Duration timeLeft = Duration.ofNanos(Math.max(0, phaseEnd - System.nanoTime()));
            running.add(Running.start(r, timeLeft));
        }
        List<ShutdownReport.Participant> outcomes = new ArrayList<>();
        for (Running r : running) {
            outcomes.add(r.await(phaseEnd));
        }
        return outcomes;
    }

    /** One participant running on its own thread. */
    private static final class Running {
        private final Registration registration;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final long startNanos = System.nanoTime();
        private volatile long endNanos;
        private @Nullable Thread thread;

        private Running(Registration registration) {
            this.registration = registration;
        }

        static Running start(Registration registration, Duration timeLeft) {
            Running r = new Running(registration);
            r.thread = new Thread(() -> {
                try {
                    registration.participant().drain(timeLeft);
                    r.endNanos = System.nanoTime();
                    r.done.complete(null);
                } catch (Throwable t) {
                    r.endNanos = System.nanoTime();
                    r.done.completeExceptionally(t);
                }
            }, "opskit-shutdown-" + registration.name());
            r.thread.setDaemon(true);
            r.thread.start();
            return r;
        }

        ShutdownReport.Participant await(long phaseEnd) {
            String name = registration.name();
            ShutdownPhase phase = registration.phase();
            try {
                done.get(Math.max(0, phaseEnd - System.nanoTime()), TimeUnit.NANOSECONDS);
                return new ShutdownReport.Participant(name, phase, ShutdownReport.Outcome.FINISHED, took(), null);
            } catch (TimeoutException e) {
                Objects.requireNonNull(thread, "started").interrupt();
                Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
                log.warn("opskit shutdown: participant '{}' ({}) did not finish within {} ms and was interrupted",
                        name, phase, took.toMillis());
                return new ShutdownReport.Participant(name, phase, ShutdownReport.Outcome.TIMED_OUT, took, null);
            } catch (ExecutionException e) {
                Throwable cause = Objects.requireNonNullElse(e.getCause(), e);
                log.warn("opskit shutdown: participant '{}' ({}) failed", name, phase, cause);
                return new ShutdownReport.Participant(name, phase, ShutdownReport.Outcome.FAILED, took(),
                        cause.getClass().getName() + ": " + cause.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                Objects.requireNonNull(thread, "started").interrupt();
                return new ShutdownReport.Participant(name, phase, ShutdownReport.Outcome.TIMED_OUT,
                        Duration.ofNanos(System.nanoTime() - startNanos), "coordinator interrupted");
            }
        }

        private Duration took() {
            return Duration.ofNanos(endNanos - startNanos);
        }
    }

    /** A listener added while the shutdown starts could be seen by both sides; it runs once. */
    private static final class StartListener {
        private final Runnable listener;
        private final AtomicBoolean ran = new AtomicBoolean();

        StartListener(Runnable listener) {
            this.listener = listener;
        }

        void runOnce() {
            if (!ran.compareAndSet(false, true)) {
                return;
            }
            try {
                listener.run();
            } catch (RuntimeException e) {
                log.warn("opskit shutdown: a shutdown-started listener failed", e);
            }
        }
    }
}
