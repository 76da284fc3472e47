package dev.opskit.jobqueue;

import dev.opskit.core.health.HealthCheck;
import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import dev.opskit.jobqueue.internal.PgStore;

import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The job queue's health: {@code DOWN} when the database cannot be reached; {@code DEGRADED}
 * when the oldest due job has waited longer than a threshold (workers are missing or overloaded)
 * or running jobs' leases expired more than a grace period ago without being rescued (no
 * maintenance leader is running) or a running attempt started longer ago than the stuck threshold
 * (10 minutes by default: a handler that hangs while its lease is still extended); else {@code UP}.
 * Details: {@code available}, {@code running}, {@code oldestAvailableSeconds}, {@code expiredLeases},
 * {@code stuckJobs}, {@code oldestRunningSeconds}, {@code slowQueues} when degraded, and
 * {@code pausedQueues} (comma-separated) while any queue is paused. A paused queue's waiting jobs
 * age on purpose: they do not make it slow (an operator paused it; the gauge
 * {@link JobQueueMetrics#QUEUE_PAUSED} is there to alert on a pause left on).
 *
 * <p>Runs a few small queries on the hot table and the control table; thread-safe.
 */
public final class JobQueueHealthCheck implements HealthCheck {
    /** Default threshold for the oldest due job: 5 minutes. */
    public static final Duration DEFAULT_MAX_OLDEST_AVAILABLE_AGE = Duration.ofMinutes(5);
    /** Default grace after a lease expired before it counts as not rescued: 1 minute. */
    public static final Duration DEFAULT_EXPIRED_LEASE_GRACE = Duration.ofMinutes(1);
    /** Default age of a running attempt that counts as stuck: 10 minutes (runbook 000's "processing > 10 min"). */
    public static final Duration DEFAULT_STUCK_AFTER = Duration.ofMinutes(10);

    private final PostgresJobQueue queue;
    private final PgStore store;
    private final Duration maxOldestAvailableAge;
    private final Duration expiredLeaseGrace;
    private final Duration stuckAfter;

    /** A check with the default thresholds. */
    public JobQueueHealthCheck(PostgresJobQueue queue) {
        this(queue, DEFAULT_MAX_OLDEST_AVAILABLE_AGE, DEFAULT_EXPIRED_LEASE_GRACE);
    }

    /**
     * @param maxOldestAvailableAge positive
     * @param expiredLeaseGrace zero or positive
     */
    public JobQueueHealthCheck(PostgresJobQueue queue, Duration maxOldestAvailableAge, Duration expiredLeaseGrace) {
        this(queue, maxOldestAvailableAge, expiredLeaseGrace, DEFAULT_STUCK_AFTER);
    }

    /**
     * @param maxOldestAvailableAge positive
     * @param expiredLeaseGrace zero or positive
     * @param stuckAfter positive: a running attempt older than this is a stuck job
     */
    public JobQueueHealthCheck(PostgresJobQueue queue, Duration maxOldestAvailableAge, Duration expiredLeaseGrace,
            Duration stuckAfter) {
        Objects.requireNonNull(stuckAfter, "stuckAfter must not be null");
        if (stuckAfter.isNegative() || stuckAfter.isZero()) {
            throw new IllegalArgumentException("stuckAfter must be greater than 0, but was " + stuckAfter);
        }
        this.stuckAfter = stuckAfter;
        this.queue = Objects.requireNonNull(queue, "queue must not be null");
        this.store = queue.store();
        Objects.requireNonNull(maxOldestAvailableAge, "maxOldestAvailableAge must not be null");
        Objects.requireNonNull(expiredLeaseGrace, "expiredLeaseGrace must not be null");
        if (maxOldestAvailableAge.isNegative() || maxOldestAvailableAge.isZero()) {
            throw new IllegalArgumentException("maxOldestAvailableAge must be greater than 0, but was " + maxOldestAvailableAge);
        }
        if (expiredLeaseGrace.isNegative()) {
            throw new IllegalArgumentException("expiredLeaseGrace must not be negative, but was " + expiredLeaseGrace);
        }
        this.maxOldestAvailableAge = maxOldestAvailableAge;
        this.expiredLeaseGrace = expiredLeaseGrace;
    }

    @Override
    public HealthResult check() {
        List<QueueCounts> counts;
        long expired;
        long[] stuck;
        List<String> paused;
        try (Connection c = queue.dataSource().getConnection()) {
            paused = store.controls(c).stream().filter(PgStore.Control::paused).map(PgStore.Control::queue).toList();
            counts = store.counts(c, false);
            expired = store.expiredUnrescued(c, expiredLeaseGrace);
            stuck = store.stuckRunning(c, stuckAfter);
        } catch (Exception e) {
            return HealthResult.down(e);
        }
        long available = counts.stream().mapToLong(QueueCounts::available).sum();
        long running = counts.stream().mapToLong(QueueCounts::running).sum();
        Duration oldest = counts.stream().map(QueueCounts::oldestAvailableAge).filter(Objects::nonNull)
                .max(Duration::compareTo).orElse(Duration.ZERO);
        List<String> slow = counts.stream().filter(q -> !paused.contains(q.queue()) && q.oldestAvailableAge() != null
                && q.oldestAvailableAge().compareTo(maxOldestAvailableAge) > 0).map(QueueCounts::queue).toList();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("available", available);
        details.put("running", running);
        details.put("oldestAvailableSeconds", oldest.toMillis() / 1000.0);
        details.put("expiredLeases", expired);
        details.put("stuckJobs", stuck[0]);
        details.put("oldestRunningSeconds", stuck[1] / 1000.0);
        details.put("stuckAfterSeconds", stuckAfter.toSeconds());
        if (!paused.isEmpty()) {
            details.put("pausedQueues", String.join(",", paused));
        }
        HealthStatus status = HealthStatus.UP;
        if (!slow.isEmpty()) {
            details.put("slowQueues", String.join(",", slow));
            status = HealthStatus.DEGRADED;
        }
        if (expired > 0 || stuck[0] > 0) {
            status = HealthStatus.DEGRADED;
        }
        return HealthResult.of(status, details);
    }
}
