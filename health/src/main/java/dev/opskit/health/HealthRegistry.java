package dev.opskit.health;

import dev.opskit.core.health.HealthCheck;
import dev.opskit.core.health.HealthStatus;
import dev.opskit.core.shutdown.GracefulShutdown;
import dev.opskit.core.shutdown.ShutdownPhase;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The named health checks of one process, run in the background with a timeout each, and
 * aggregated into reports per group for probes.
 *
 * <pre>{@code
 * HealthRegistry health = HealthRegistry.create();
 * health.register("db", HealthChecks.dataSource(dataSource), CheckOptions.readiness().timeout(Duration.ofSeconds(1)));
 * health.registerAll("breaker.", breakers.healthChecks(), CheckOptions.readiness().critical(false));
 * health.bindTo(gracefulShutdown);      // readiness 503 from the moment shutdown starts
 * health.start();                       // background refresh
 * HealthReport ready = health.readiness();
 * }</pre>
 *
 * <p><b>Probes never hang.</b> A report is assembled from the latest result of each check. A probe
 * runs a check itself only when the check has never finished a run, when the check is marked
 * {@link CheckOptions#refreshOnRequest(boolean) refresh on request}, or when the caller asks for a
 * fresh report; concurrent callers then share one run of each check, and the caller waits at most
 * the largest timeout among the checks it runs.
 *
 * <p><b>Threads.</b> One scheduler thread ({@code opskit-health-scheduler}) triggers runs and fires
 * timeouts; checks run on {@code opskit-health-check-N} threads, at most one per check at a time
 * (idle threads end after 30 s). All threads are daemons. Every method is thread-safe.
 *
 * <p><b>Built in.</b> Unless turned off with {@link Builder#deadlockCheck(boolean)}, a liveness
 * check named {@value #DEADLOCK_CHECK} reports deadlocked threads ({@link HealthChecks#deadlockedThreads()}).
 */
public final class HealthRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthRegistry.class);
    /** Name of the built-in liveness check for deadlocked threads. */
    public static final String DEADLOCK_CHECK = "deadlocks";
    /** Slack added to the largest timeout when a probe waits for runs, for the timeout timer itself to fire. */
    private static final long WAIT_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long JVM_START_NANOS = System.nanoTime()
            - TimeUnit.MILLISECONDS.toNanos(ManagementFactory.getRuntimeMXBean().getUptime());
    private static final Pattern CHECK_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}");

    /** Notified of registrations and results; used by {@link HealthMetrics}. */
    interface Listener {
        default void registered(String name) {
        }

        default void unregistered(String name) {
        }

        default void completed(CheckSnapshot snapshot) {
        }
    }

    private final Clock clock;
    private final ExecutorService executor;
    private final ScheduledExecutorService scheduler;
    private final Object lock = new Object();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile List<CheckRunner> runners = List.of();
    private volatile boolean started;
    private volatile boolean closed;
    private volatile boolean shuttingDown;
    private volatile boolean startupComplete;

    private HealthRegistry(Builder b) {
        this.clock = b.clock;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), daemonThreads("opskit-health-check-"));
        this.executor = pool;
        ScheduledThreadPoolExecutor sched = new ScheduledThreadPoolExecutor(1, daemonThreads("opskit-health-scheduler"));
        sched.setRemoveOnCancelPolicy(true);
        this.scheduler = sched;
        if (b.deadlockCheck) {
            register(DEADLOCK_CHECK, HealthChecks.deadlockedThreads(), CheckOptions.liveness());
        }
    }

    /** A registry with the defaults: system clock, built-in deadlock check. Call {@link #start()} to refresh in the background. */
    public static HealthRegistry create() {
        return builder().build();
    }

    /** A builder for a registry with other settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** Registers {@code check} with {@link CheckOptions#defaults()} (readiness, critical, 2 s timeout, 5 s interval). */
    public HealthRegistry register(String name, HealthCheck check) {
        return register(name, check, CheckOptions.defaults());
    }

    /**
     * Registers a check. If the registry is started, its first run starts at once.
     *
     * @param name unique; letters, digits and {@code _ . : -}, starting with a letter or digit, at most 100 characters
     * @throws IllegalArgumentException when the name is invalid or already registered
     */
    public HealthRegistry register(String name, HealthCheck check, CheckOptions options) {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(check, "check must not be null");
        Objects.requireNonNull(options, "options must not be null");
        if (!CHECK_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("check name must match " + CHECK_NAME.pattern() + ", but was '" + name + "'");
        }
        CheckRunner runner = new CheckRunner(name, check, options, clock, executor, scheduler, this::completed);
        synchronized (lock) {
            for (CheckRunner r : runners) {
                if (r.name.equals(name)) {
                    throw new IllegalArgumentException("a check named '" + name + "' is already registered");
                }
            }
            List<CheckRunner> copy = new ArrayList<>(runners);
            copy.add(runner);
            runners = List.copyOf(copy);
        }
        listeners.forEach(l -> l.registered(name));
        if (started && !closed) {
            runner.startSchedule();
        }
        log.debug("health check '{}' registered: {}", name, options);
        return this;
    }

    /**
     * Registers every check of {@code checks} under its own key, with the same options. All names
     * are validated first, so either all are registered or none is. For breakers, prefer
     * {@link #registerAll(String, Map, CheckOptions) registerAll("breaker.", breakers.healthChecks(), options)}:
     * their keys are the bare breaker names ({@code openai}).
     *
     * @throws IllegalArgumentException when a name is invalid or already registered
     */
    public HealthRegistry registerAll(Map<String, ? extends HealthCheck> checks, CheckOptions options) {
        return registerAll("", checks, options);
    }

    /**
     * Registers every check of {@code checks} under {@code prefix + key}, with the same options:
     * {@code registerAll("breaker.", breakers.healthChecks(), options)} registers {@code breaker.email}
     * and {@code breaker.openai}. All names are validated first, so either all are registered or none is.
     *
     * @param prefix put before each key as is (include the separator, e.g. {@code "breaker."}); may be empty
     * @throws IllegalArgumentException when a resulting name is invalid or already registered
     */
    public HealthRegistry registerAll(String prefix, Map<String, ? extends HealthCheck> checks, CheckOptions options) {
        Objects.requireNonNull(prefix, "prefix must not be null");
        Objects.requireNonNull(checks, "checks must not be null");
        Objects.requireNonNull(options, "options must not be null");
        Map<String, HealthCheck> copy = new LinkedHashMap<>();
        for (Map.Entry<String, ? extends HealthCheck> e : checks.entrySet()) {
            Objects.requireNonNull(e.getKey(), "check names must not be null");
            copy.put(prefix + e.getKey(), e.getValue());
        }
        synchronized (lock) {
            for (Map.Entry<String, HealthCheck> e : copy.entrySet()) {
                Objects.requireNonNull(e.getKey(), "check names must not be null");
                Objects.requireNonNull(e.getValue(), () -> "check '" + e.getKey() + "' must not be null");
                if (!CHECK_NAME.matcher(e.getKey()).matches()) {
                    throw new IllegalArgumentException("check name must match " + CHECK_NAME.pattern() + ", but was '" + e.getKey() + "'");
                }
                if (names().contains(e.getKey())) {
                    throw new IllegalArgumentException("a check named '" + e.getKey() + "' is already registered");
                }
            }
            copy.forEach((name, check) -> register(name, check, options));
        }
        return this;
    }

    /** Removes the check named {@code name}; a run in flight finishes unobserved. Returns whether it existed. */
    public boolean unregister(String name) {
        CheckRunner removed = null;
        synchronized (lock) {
            List<CheckRunner> copy = new ArrayList<>(runners);
            for (CheckRunner r : copy) {
                if (r.name.equals(name)) {
                    removed = r;
                }
            }
            if (removed == null) {
                return false;
            }
            copy.remove(removed);
            runners = List.copyOf(copy);
        }
        removed.stopSchedule();
        listeners.forEach(l -> l.unregistered(name));
        return true;
    }

    /** Names of the registered checks, in registration order. */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        for (CheckRunner r : runners) {
            names.add(r.name);
        }
        return names;
    }

    /** The standard groups plus every custom group some check belongs to. */
    public Set<String> groups() {
        Set<String> groups = new LinkedHashSet<>(List.of(HealthGroup.LIVENESS, HealthGroup.READINESS, HealthGroup.STARTUP));
        for (CheckRunner r : runners) {
            groups.addAll(r.options.groups());
        }
        return groups;
    }

    /** The largest timeout of any registered check (the longest a probe can wait); {@link CheckOptions#DEFAULT_TIMEOUT} if none. */
    public Duration largestTimeout() {
        Duration max = Duration.ZERO;
        for (CheckRunner r : runners) {
            if (r.options.timeout().compareTo(max) > 0) {
                max = r.options.timeout();
            }
        }
        return max.isZero() ? CheckOptions.DEFAULT_TIMEOUT : max;
    }

    /**
     * Starts the background refresh: every check runs at once, then every interval. Idempotent.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public HealthRegistry start() {
        if (closed) {
            throw new IllegalStateException("the health registry is closed and cannot be started again");
        }
        synchronized (lock) {
            if (started) {
                return this;
            }
            started = true;
        }
        for (CheckRunner r : runners) {
            r.startSchedule();
        }
        log.info("opskit health registry started: {} checks {}", runners.size(), names());
        return this;
    }

    /** Readiness report from the latest results. Never waits longer than the largest timeout. */
    public HealthReport readiness() {
        return report(HealthGroup.READINESS, false);
    }

    /** Liveness report from the latest results. */
    public HealthReport liveness() {
        return report(HealthGroup.LIVENESS, false);
    }

    /** Startup report: UP once every startup check has passed once, DOWN before. */
    public HealthReport startup() {
        return report(HealthGroup.STARTUP, false);
    }

    /** The report of every registered check, whatever its group (served at {@code /health}). */
    public HealthReport all() {
        return report(null, false);
    }

    /** Same as {@code report(group, false)}. */
    public HealthReport report(@Nullable String group) {
        return report(group, false);
    }

    /**
     * The report of one group ({@code null} for all checks).
     *
     * @param fresh run every check of the group now (sharing runs already in flight) instead of
     *     reading the latest results; waits at most the largest timeout among them
     * @throws IllegalArgumentException when {@code group} is not a standard group and no check belongs to it
     */
    public HealthReport report(@Nullable String group, boolean fresh) {
        requireGroup(group);
        List<CompletableFuture<CheckSnapshot>> waits = new ArrayList<>();
        long longest = startRuns(group, fresh, waits);
        await(waits, longest);
        return assemble(group);
    }

    /**
     * Like {@link #report(String, boolean)}, without blocking the caller: the future completes
     * once the runs it needs have finished (at most the largest timeout among them, plus a little
     * slack), or at once when it needs none. Used by {@link HealthServer} so that a probe that
     * waits for a run does not hold an HTTP thread. Never completes exceptionally.
     *
     * @throws IllegalArgumentException when {@code group} is not a standard group and no check belongs to it
     */
    public CompletableFuture<HealthReport> reportAsync(@Nullable String group, boolean fresh) {
        requireGroup(group);
        List<CompletableFuture<CheckSnapshot>> waits = new ArrayList<>();
        long longest = startRuns(group, fresh, waits);
        if (waits.isEmpty()) {
            return CompletableFuture.completedFuture(assemble(group));
        }
        return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
                .exceptionally(e -> null)
                .completeOnTimeout(null, longest + WAIT_SLACK_NANOS, TimeUnit.NANOSECONDS)
                .thenApply(ignored -> assemble(group));
    }

    private void requireGroup(@Nullable String group) {
        if (group != null && !isStandardGroup(group) && !groups().contains(group)) {
            throw new IllegalArgumentException("unknown health group '" + group + "'; known groups: " + groups());
        }
    }

    /** Starts (or joins) the runs a report of {@code group} needs; returns the largest timeout among them in nanoseconds. */
    private long startRuns(@Nullable String group, boolean fresh, List<CompletableFuture<CheckSnapshot>> waits) {
        boolean gateOnStartup = (HealthGroup.READINESS.equals(group) || HealthGroup.STARTUP.equals(group)) && !isStartupComplete();
        long longest = 0;
        for (CheckRunner r : runners) {
            boolean member = r.inGroup(group);
            boolean neededForGate = gateOnStartup && r.inGroup(HealthGroup.STARTUP);
            if (!member && !neededForGate) {
                continue;
            }
            boolean run = !r.latest().hasRun() || (member && (fresh || r.options.refreshOnRequest()));
            if (run) {
                waits.add(r.run());
                longest = Math.max(longest, r.options.timeout().toNanos());
            }
        }
        return longest;
    }

    /** The report of {@code group} from the latest snapshots. */
    private HealthReport assemble(@Nullable String group) {
        boolean readiness = HealthGroup.READINESS.equals(group);
        List<CheckSnapshot> snapshots = new ArrayList<>();
        HealthStatus status = HealthStatus.UP;
        for (CheckRunner r : runners) {
            if (r.inGroup(group)) {
                CheckSnapshot s = r.latest();
                snapshots.add(s);
                status = status.worst(s.effectiveStatus());
            }
        }
        String reason = null;
        if (HealthGroup.STARTUP.equals(group)) {
            status = isStartupComplete() ? HealthStatus.UP : HealthStatus.DOWN;
            reason = status == HealthStatus.DOWN ? HealthReport.REASON_STARTING : null;
        } else if (readiness && shuttingDown) {
            status = HealthStatus.DOWN;
            reason = HealthReport.REASON_SHUTTING_DOWN;
        } else if (readiness && !isStartupComplete()) {
            status = HealthStatus.DOWN;
            reason = HealthReport.REASON_STARTING;
        }
        return new HealthReport(group, status, clock.instant(), uptime(), snapshots, reason);
    }

    private static boolean isStandardGroup(String group) {
        return group.equals(HealthGroup.READINESS) || group.equals(HealthGroup.LIVENESS) || group.equals(HealthGroup.STARTUP);
    }

    /**
     * Runs one check now (sharing a run in flight) and returns its snapshot; waits at most its timeout.
     *
     * @throws IllegalArgumentException when no check has this name
     */
    public CheckSnapshot checkNow(String name) {
        CheckRunner r = runner(name);
        await(List.of(r.run()), r.options.timeout().toNanos());
        return r.latest();
    }

    /**
     * The latest snapshot of one check, without running it.
     *
     * @throws IllegalArgumentException when no check has this name
     */
    public CheckSnapshot snapshot(String name) {
        return runner(name).latest();
    }

    private CheckRunner runner(String name) {
        Objects.requireNonNull(name, "name must not be null");
        for (CheckRunner r : runners) {
            if (r.name.equals(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no health check named '" + name + "'; registered: " + names());
    }

    private static void await(List<CompletableFuture<CheckSnapshot>> waits, long longestTimeoutNanos) {
        if (waits.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
                    .get(longestTimeoutNanos + WAIT_SLACK_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the runs record their own outcome; the report then shows whatever is latest
        }
    }

    /**
     * Whether every startup check has passed (UP or DEGRADED) at least once. Latches: once true it
     * stays true, and startup checks registered afterwards no longer gate readiness.
     */
    public boolean isStartupComplete() {
        if (startupComplete) {
            return true;
        }
        int startupChecks = 0;
        for (CheckRunner r : runners) {
            if (r.inGroup(HealthGroup.STARTUP)) {
                if (r.latest().lastSuccess() == null) {
                    return false;
                }
                startupChecks++;
            }
        }
        startupComplete = true;
        if (startupChecks > 0) {
            log.info("opskit health: startup complete, all {} startup checks have passed once", startupChecks);
        }
        // checks that exist only for startup need not run any more
        for (CheckRunner r : runners) {
            if (r.options.groups().equals(Set.of(HealthGroup.STARTUP))) {
                r.stopSchedule();
            }
        }
        return true;
    }

    /**
     * Makes readiness DOWN (503, reason {@value HealthReport#REASON_SHUTTING_DOWN}) from now on,
     * so load balancers stop sending traffic. Liveness is unaffected. Cannot be undone.
     */
    public void markShuttingDown() {
        if (!shuttingDown) {
            shuttingDown = true;
            log.info("opskit health: shutdown started, readiness now answers DOWN");
        }
    }

    /** Whether {@link #markShuttingDown()} was called. */
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    /**
     * Ties this registry to a graceful shutdown: readiness turns DOWN the moment the shutdown
     * starts (before any phase runs), and the registry is closed in the {@link ShutdownPhase#CLOSE}
     * phase (as participant {@code "health-registry"}).
     */
    public HealthRegistry bindTo(GracefulShutdown shutdown) {
        Objects.requireNonNull(shutdown, "shutdown must not be null");
        shutdown.onShutdownStarted(this::markShuttingDown);
        if (!shutdown.isShuttingDown()) {
            shutdown.register("health-registry", ShutdownPhase.CLOSE, timeLeft -> close());
        }
        return this;
    }

    /** Stops the background refresh and the threads. Reports still answer, from the latest results. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (CheckRunner r : runners) {
            r.stopSchedule();
        }
        scheduler.shutdownNow();
        executor.shutdownNow();
        log.info("opskit health registry closed");
    }

    void addListener(Listener listener) {
        listeners.add(listener);
    }

    void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    private void completed(CheckSnapshot snapshot) {
        for (Listener l : listeners) {
            try {
                l.completed(snapshot);
            } catch (RuntimeException e) {
                log.warn("health check '{}': a listener failed", snapshot.name(), e);
            }
        }
        if (!startupComplete && snapshot.groups().contains(HealthGroup.STARTUP)) {
            isStartupComplete();
        }
    }

    private static Duration uptime() {
        return Duration.ofNanos(System.nanoTime() - JVM_START_NANOS);
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix.endsWith("-") ? prefix + n.incrementAndGet() : prefix);
            t.setDaemon(true);
            return t;
        };
    }

    /** Settings of a {@link HealthRegistry}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private boolean deadlockCheck = true;

        private Builder() {
        }

        /** The clock of report timestamps and check history. Default: system UTC. Timeouts always use {@link System#nanoTime()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** Whether to register the built-in liveness check {@value HealthRegistry#DEADLOCK_CHECK}. Default: true. */
        public Builder deadlockCheck(boolean enabled) {
            this.deadlockCheck = enabled;
            return this;
        }

        /** A new registry (not yet started). */
        public HealthRegistry build() {
            return new HealthRegistry(this);
        }
    }
}
