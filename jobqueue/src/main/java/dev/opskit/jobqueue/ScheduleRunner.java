package dev.opskit.jobqueue;

import dev.opskit.jobqueue.internal.DuePlan;
import dev.opskit.jobqueue.internal.Metrics;
import dev.opskit.jobqueue.internal.PgStore;
import dev.opskit.jobqueue.internal.ScheduleStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One thread ({@code opskit-jobqueue-schedules}) per {@link Workers} with schedules: evaluates the
 * schedules declared on it and enqueues the due ones, the same way in every process, with no
 * leader. Each evaluation reads the schedules' rows, plans each one ({@link DuePlan}: catch-up
 * decides which missed due times to enqueue) and, in one transaction, moves the rows of the due
 * ones from the last due time it read to the new one (compare-and-set, rows locked
 * {@code SKIP LOCKED}) and enqueues the jobs of exactly the rows it moved. A process that dies
 * mid-transaction rolls back, and the next evaluation of any other process finds the due time
 * still open and enqueues it.
 *
 * <p>It sleeps until the earliest next due time of its schedules, but at most the poll interval,
 * so jobs are enqueued within milliseconds of their due time on the workers' clock, and a clock
 * step or a failed evaluation (the database down) costs at most one interval. The rows are
 * declared (inserted or updated, marked seen) at start and then every minute.
 */
final class ScheduleRunner {
    private static final Logger log = LoggerFactory.getLogger(ScheduleRunner.class);
    /** How often the declarations are refreshed (a row's {@code seen_at}); well inside {@link Schedule#STALE_AFTER}. */
    static final long HEARTBEAT_NANOS = Duration.ofMinutes(1).toNanos();
    /** Jobs inserted per statement when a catch-up enqueues many. */
    private static final int INSERT_BATCH = 5000;

    private final String workerId;
    private final DataSource dataSource;
    private final PgStore jobs;
    private final ScheduleStore store;
    private final Map<String, Schedule> schedules;
    private final Clock clock;
    private final Metrics metrics;
    private final Duration pollInterval;
    private final Object sleeper = new Object();
    private volatile boolean stopped;
    private volatile Consumer<Map<String, List<Instant>>> beforeCommit = won -> { };
    private long lastHeartbeat;
    private boolean declared;
    private @Nullable Instant nextWake;
    private @Nullable Thread thread;

    ScheduleRunner(String workerId, DataSource dataSource, PgStore jobs, List<Schedule> schedules, Clock clock, Metrics metrics,
                   Duration pollInterval) {
        this.workerId = workerId;
        this.dataSource = dataSource;
        this.jobs = jobs;
        this.store = new ScheduleStore(jobs.schema());
        Map<String, Schedule> byName = new LinkedHashMap<>();
        schedules.forEach(s -> byName.put(s.name(), s));
        this.schedules = java.util.Collections.unmodifiableMap(byName);
        this.clock = clock;
        this.metrics = metrics;
        this.pollInterval = pollInterval;
    }

    /** Test seam: runs inside the enqueue transaction, after the compare-and-set, before the commit, with the due times won. */
    void beforeCommit(Consumer<Map<String, List<Instant>>> hook) {
        this.beforeCommit = Objects.requireNonNull(hook);
    }

    void start() {
        thread = StopSignals.daemon(this::loop, "opskit-jobqueue-schedules");
        thread.start();
    }

    /** Stops evaluating; waits up to {@code millis} for an evaluation in progress to end. */
    void stop(long millis) throws InterruptedException {
        stopped = true;
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
        if (thread != null) {
            thread.join(millis);
        }
    }

    private void loop() {
        long failures = 0;
        while (!stopped) {
            long sleepMillis = pollInterval.toMillis();
            try {
                tick();
                failures = 0;
                if (nextWake != null) {
                    long untilDue = nextWake.toEpochMilli() - clock.millis();
                    sleepMillis = Math.max(1, Math.min(sleepMillis, untilDue));
                }
            } catch (SQLException | RuntimeException e) {
                failures++;
                if (failures == 1) {
                    log.warn("{} - evaluating schedules failed (retried every {} ms): {}", workerId, pollInterval.toMillis(), e.toString());
                } else {
                    log.debug("{} - evaluating schedules failed again ({} times): {}", workerId, failures, e.toString());
                }
            }
            synchronized (sleeper) {
                if (!stopped) {
                    try {
                        sleeper.wait(sleepMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }
    }

    /**
     * One evaluation at the clock's current time.
     *
     * @return the jobs this evaluation enqueued
     */
    int tick() throws SQLException {
        Instant now = clock.instant();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            if (!declared) {
                declare(c, now);
            }
            Map<String, ScheduleStore.Row> rows = store.read(c, schedules.keySet());
            List<ScheduleStore.Cas> due = new ArrayList<>();
            List<ScheduleStore.Cas> fix = new ArrayList<>();
            Map<String, DuePlan> plans = new LinkedHashMap<>();
            Instant wake = null;
            for (Schedule s : schedules.values()) {
                ScheduleStore.Row row = rows.get(s.name());
                if (row == null) {
                    declared = false; // deleted (forgotten) while this process kept it: declare it again next time
                    continue;
                }
                DuePlan plan = DuePlan.plan(s, row.lastDue() != null ? row.lastDue() : row.createdAt(), now);
                if (!plan.enqueue().isEmpty()) {
                    due.add(new ScheduleStore.Cas(s.name(), row.lastDue(), plan.last(), plan.next()));
                    plans.put(s.name(), plan);
                } else if (!Objects.equals(row.nextDue(), plan.next())) {
                    fix.add(new ScheduleStore.Cas(s.name(), row.lastDue(), null, plan.next()));
                }
                if (plan.next() != null && (wake == null || plan.next().isBefore(wake))) {
                    wake = plan.next();
                }
            }
            nextWake = wake;
            if (!fix.isEmpty()) {
                store.updateNext(c, fix);
            }
            int enqueued = due.isEmpty() ? 0 : enqueue(c, due, plans, now);
            // after the enqueue, so refreshing a thousand rows never delays a due job
            if (System.nanoTime() - lastHeartbeat >= HEARTBEAT_NANOS) {
                declare(c, now);
            }
            return enqueued;
        }
    }

    private void declare(Connection c, Instant now) throws SQLException {
        store.declare(c, schedules.values(), now.truncatedTo(ChronoUnit.MILLIS));
        lastHeartbeat = System.nanoTime();
        declared = true;
    }

    private int enqueue(Connection c, List<ScheduleStore.Cas> due, Map<String, DuePlan> plans, Instant now) throws SQLException {
        c.setAutoCommit(false);
        Set<String> won;
        List<JobRequest> requests = new ArrayList<>();
        int inserted = 0;
        try {
            // a worker that stalls in here (a long GC pause, a partition) holds the rows it moved: the
            // server ends its session after 10 s, its transaction rolls back, and another worker takes over
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("SET LOCAL idle_in_transaction_session_timeout = '10s'");
            }
            won = store.advance(c, due, now);
            for (String name : won) {
                Schedule s = of(schedules, name);
                of(plans, name).enqueue().forEach(t -> requests.add(s.jobFor(t)));
            }
            Map<String, Integer> perQueue = new LinkedHashMap<>();
            for (int i = 0; i < requests.size(); i += INSERT_BATCH) {
                jobs.enqueueAll(c, requests.subList(i, Math.min(requests.size(), i + INSERT_BATCH)))
                        .forEach((q, n) -> perQueue.merge(q, n, Integer::sum));
            }
            Map<String, List<Instant>> wonDues = new LinkedHashMap<>();
            won.forEach(name -> wonDues.put(name, of(plans, name).enqueue()));
            beforeCommit.accept(wonDues);
            c.commit();
            perQueue.forEach(metrics::enqueued);
            inserted = perQueue.values().stream().mapToInt(Integer::intValue).sum();
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
        for (String name : won) {
            DuePlan plan = of(plans, name);
            metrics.scheduleEnqueued(name, plan.enqueue().size());
            if (plan.missed() > 0) {
                metrics.scheduleMissed(name, plan.missed());
                Schedule s = of(schedules, name);
                log.warn("{} - schedule {}: {}{} due times before {} were missed while no worker ran it; catch-up {} enqueued {}",
                        workerId, name, plan.missedAtLeast() ? "at least " : "", plan.missed(), plan.enqueue().get(0),
                        s.catchUpPolicy(), plan.enqueue().size() == 1 ? "the latest, " + plan.last() : plan.enqueue().size() + " (the most "
                                + "recent, at most " + Schedule.MAX_CATCH_UP + ")");
            }
        }
        if (inserted < requests.size()) {
            // the unique key held a job of the same schedule and due time: a row deleted and declared
            // again while its job still waited, or a bug; either way no second job was made
            log.warn("{} - {} scheduled jobs were not inserted: a job with the same schedule and due time already waits",
                    workerId, requests.size() - inserted);
        }
        log.debug("{} - schedules {} enqueued {} jobs", workerId, won, inserted);
        return inserted;
    }

    List<Schedule> schedules() {
        return List.copyOf(schedules.values());
    }

    /** The schedule or plan of a name the compare-and-set won: it moved only rows this evaluation planned. */
    private static <V> V of(Map<String, V> byName, String name) {
        return Objects.requireNonNull(byName.get(name), () -> "no schedule or plan named " + name);
    }
}
