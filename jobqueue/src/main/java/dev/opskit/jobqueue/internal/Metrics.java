package dev.opskit.jobqueue.internal;

import dev.opskit.jobqueue.JobQueueMetrics;
import dev.opskit.jobqueue.QueueCounts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Records the job queue's meters: one per queue, shared by the queue and every {@code Workers} built
 * on it. Every method is a no-op until {@link #bind} gave it a registry ({@code JobQueueMetrics}
 * does). Meters live on a composite registry, so a registry bound later, or a second one, gets
 * every meter. Thread-safe.
 */
public final class Metrics {
    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final Map<String, Object> meters = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
    /** Read on every hot-path call: false until a registry is bound, so an unobserved queue pays nothing. */
    private volatile boolean enabled;

    /** Publishes every meter, those already recorded and those to come, on {@code target}. */
    public void bind(MeterRegistry target) {
        registry.add(target);
        enabled = true;
    }

    public boolean enabled() {
        return enabled;
    }

    public void enqueued(String queue, long n) {
        if (enabled && n > 0) {
            counter(JobQueueMetrics.ENQUEUED, "jobs inserted into the queue", "queue", queue).increment(n);
        }
    }

    /** outcome: success, retried, dead, cancelled, postponed. */
    public void completed(String queue, String outcome) {
        if (enabled) {
            ((Counter) meters.computeIfAbsent(JobQueueMetrics.COMPLETED + "|" + queue + "|" + outcome, k -> Counter.builder(JobQueueMetrics.COMPLETED)
                    .description("job attempts that ended, by outcome").tag("queue", queue).tag("outcome", outcome)
                    .baseUnit("jobs").register(registry))).increment();
        }
    }

    /** The {@code while} tag of {@code opskit.jobs.cancelled}: cancelled before it ran. */
    public static final String WHILE_WAITING = "waiting";
    /** The {@code while} tag of {@code opskit.jobs.cancelled}: stopped by its worker after a cancel while it ran. */
    public static final String WHILE_RUNNING = "running";

    /** A job ended cancelled; {@code during}: {@link #WHILE_WAITING} or {@link #WHILE_RUNNING}. */
    public void cancelled(String queue, String during) {
        if (enabled) {
            ((Counter) meters.computeIfAbsent(JobQueueMetrics.CANCELLED + "|" + queue + "|" + during, k -> Counter.builder(JobQueueMetrics.CANCELLED)
                    .description("jobs that ended cancelled, by whether they waited or ran").tag("queue", queue).tag("while", during)
                    .baseUnit("jobs").register(registry))).increment();
        }
    }

    public void rescued(String queue, long n) {
        if (enabled && n > 0) {
            counter(JobQueueMetrics.RESCUED, "jobs rescued after their lease expired", "queue", queue).increment(n);
        }
    }

    public void ran(String queue, long nanos) {
        if (enabled) {
            timer(JobQueueMetrics.RUN_DURATION, "how long handlers ran", queue).record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    public void waited(String queue, long micros) {
        if (enabled) {
            timer(JobQueueMetrics.WAIT_DURATION, "from due to started", queue).record(micros, TimeUnit.MICROSECONDS);
        }
    }

    /** Jobs a schedule enqueued (counted by the process that enqueued them). */
    public void scheduleEnqueued(String schedule, long n) {
        if (enabled && n > 0) {
            scheduleCounter(JobQueueMetrics.SCHEDULE_ENQUEUED, "jobs enqueued by a recurring schedule", schedule).increment(n);
        }
    }

    /** Due times of a schedule that catch-up skipped. */
    public void scheduleMissed(String schedule, long n) {
        if (enabled && n > 0) {
            scheduleCounter(JobQueueMetrics.SCHEDULE_MISSED, "due times of a schedule skipped by catch-up", schedule).increment(n);
        }
    }

    private Counter scheduleCounter(String name, String description, String schedule) {
        return (Counter) meters.computeIfAbsent(name + "|" + schedule, k -> Counter.builder(name).description(description)
                .tag("schedule", schedule).register(registry));
    }

    /** A graceful shutdown of a worker runtime in this process ended. */
    public void drained(boolean clean) {
        if (enabled) {
            String outcome = clean ? "clean" : "unclean";
            ((Counter) meters.computeIfAbsent(JobQueueMetrics.DRAINS + "|" + outcome, k -> Counter.builder(JobQueueMetrics.DRAINS)
                    .description("graceful shutdowns of workers in this process").tag("outcome", outcome)
                    .register(registry))).increment();
        }
    }

    /** Sets the gauge of unclean drains of the last hour on this schema. */
    public void sampleUncleanDrains(long n) {
        if (enabled) {
            gauges.computeIfAbsent(JobQueueMetrics.UNCLEAN_DRAINS, k -> {
                AtomicLong value = new AtomicLong();
                Gauge.builder(JobQueueMetrics.UNCLEAN_DRAINS, value, AtomicLong::get)
                        .description("graceful shutdowns of workers on this schema in the last hour that were not clean")
                        .register(registry);
                return value;
            }).set(n);
        }
    }

    /** Updates the sampled gauges of the given queues (queues absent from {@code counts} read zero). */
    public void sample(List<String> queues, List<QueueCounts> counts) {
        if (!enabled) {
            return;
        }
        for (String q : queues) {
            QueueCounts c = counts.stream().filter(x -> x.queue().equals(q)).findFirst()
                    .orElse(new QueueCounts(q, 0, 0, 0, 0, 0, null));
            gauge(JobQueueMetrics.COUNT, q, "available", "jobs waiting in the hot table").set(c.available());
            gauge(JobQueueMetrics.COUNT, q, "running", "jobs running").set(c.running());
            gauge(JobQueueMetrics.OLDEST_AVAILABLE_AGE, q, null, "age of the oldest due job")
                    .set(c.oldestAvailable().map(Duration::toMillis).orElse(0L));
        }
    }

    /** Sets the paused gauge of each of {@code queues}: 1 when in {@code paused}. */
    public void samplePaused(List<String> queues, java.util.Collection<String> paused) {
        for (String q : queues) {
            paused(q, paused.contains(q));
        }
    }

    /** Sets the paused gauge of one queue. */
    public void paused(String queue, boolean paused) {
        if (enabled) {
            gauges.computeIfAbsent(JobQueueMetrics.QUEUE_PAUSED + "|" + queue, k -> {
                AtomicLong value = new AtomicLong();
                Gauge.builder(JobQueueMetrics.QUEUE_PAUSED, value, AtomicLong::get)
                        .description("1 while the queue is paused: no job of it starts").tag("queue", queue).register(registry);
                return value;
            }).set(paused ? 1 : 0);
        }
    }

    /** {@code state} null: the age gauge (seconds, no state tag). */
    private AtomicLong gauge(String name, String queue, @Nullable String state, String description) {
        return gauges.computeIfAbsent(name + "|" + queue + "|" + state, k -> {
            AtomicLong value = new AtomicLong();
            if (state == null) {
                Gauge.builder(name, value, v -> v.get() / 1000.0).description(description).tag("queue", queue)
                        .baseUnit("seconds").register(registry);
            } else {
                Gauge.builder(name, value, AtomicLong::get).description(description).tag("queue", queue).tag("state", state)
                        .baseUnit("jobs").register(registry);
            }
            return value;
        });
    }

    private Counter counter(String name, String description, String tag, String value) {
        return (Counter) meters.computeIfAbsent(name + "|" + value, k -> Counter.builder(name).description(description)
                .tag(tag, value).baseUnit("jobs").register(registry));
    }

    private Timer timer(String name, String description, String queue) {
        return (Timer) meters.computeIfAbsent(name + "|" + queue, k -> Timer.builder(name).description(description)
                .tag("queue", queue).register(registry));
    }
}
