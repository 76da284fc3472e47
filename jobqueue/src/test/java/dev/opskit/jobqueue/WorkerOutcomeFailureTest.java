package dev.opskit.jobqueue;

import dev.opskit.core.testing.TestDatabase;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.cumulative.CumulativeTimer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.opskit.jobqueue.WorkerProcessTest.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Outcomes that cannot be stored, and the drain's view of a job that just ended: no wedge, no second run (found by an adversarial review). */
class WorkerOutcomeFailureTest extends PostgresQueueTestBase {
    WorkerOutcomeFailureTest(TestDatabase db) {
        super(db);
    }

    /**
     * A job whose unique key the dead-letter builder refuses (a newline; JobRequest accepts it)
     * dies: the completer's batch throws IllegalArgumentException every time and is retried
     * forever, so no later outcome of this worker is ever stored.
     */
    @Test
    void aDeadJobWithAUniqueKeyTheDeadLetterRefusesDoesNotWedgeOtherOutcomes() throws Exception {
        String key = System.getProperty("review.key", "line1\nline2");
        long poison = queue.enqueue(JobRequest.builder("poison").uniqueKey(key).maxAttempts(1).build()).jobId();
        AtomicInteger poisonRuns = new AtomicInteger();
        AtomicInteger goodRuns = new AtomicInteger();
        Workers w = Workers.builder(queue).pollInterval(Duration.ofMillis(50))
                .handler("poison", ctx -> {
                    poisonRuns.incrementAndGet();
                    throw new IllegalStateException("boom");
                })
                .handler("ok", ctx -> goodRuns.incrementAndGet())
                .start();
        long good;
        try {
            await("the poison job ran", () -> poisonRuns.get() == 1);
            Thread.sleep(300);
            good = queue.enqueue(JobRequest.of("ok", "{}")).jobId();
            await("the good job ran", () -> goodRuns.get() == 1);
            Thread.sleep(3000);
        } finally {
            DrainReport r = w.shutdown(Duration.ofSeconds(3));
        }
        assertThat(queue.get(poison).map(Job::state).orElse(null)).as("the poison job died").isEqualTo(JobState.DEAD);
        try (java.sql.Connection c = db.dataSource().getConnection(); java.sql.ResultSet rs = c.createStatement().executeQuery(
                "SELECT idempotency_key, headers->>'uniqueKey' FROM opskit.dead_letters")) {
            assertThat(rs.next()).as("its dead letter").isTrue();
            assertThat(rs.getString(1)).startsWith("sha256:").hasSize(7 + 64);
            assertThat(rs.getString(2)).as("the key itself, for a replay").isEqualTo(key);
        }
        assertThat(queue.get(good).map(Job::state).orElse(JobState.COMPLETED))
                .as("the good job ran once and succeeded: it must be completed, not left to run again")
                .isEqualTo(JobState.COMPLETED);
    }

    /**
     * The drain's check "no handler running and no outcome pending" can be true between
     * Execution.end() and Completer.submit() (metrics.ran and releaseSlot run in between); the
     * drain then hands back, by worker id, a job whose handler already succeeded. Widened here with
     * a slow run-duration timer of a registry the application bound.
     */
    @Test
    void aJobThatSucceededDuringTheDrainIsNotHandedBackToRunAgain() throws Exception {
        SlowRunTimerRegistry registry = new SlowRunTimerRegistry(1000);
        PostgresJobQueue q = PostgresJobQueue.builder(db.dataSource()).build();
        new JobQueueMetrics(q).bindTo(registry);
        long id = q.enqueue(JobRequest.of("slow", "{}")).jobId();
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        Workers w = Workers.builder(q).pollInterval(Duration.ofMillis(50)).handler("slow", ctx -> {
            runs.incrementAndGet();
            started.countDown();
            Thread.sleep(300);
        }).start();
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        DrainReport report = w.shutdown(Duration.ofSeconds(10));
        assertThat(report.clean()).as("%s", report).isTrue();
        assertThat(q.get(id).map(Job::state).orElse(JobState.COMPLETED)).isEqualTo(JobState.COMPLETED);
        // does it run again?
        Workers again = Workers.builder(q).pollInterval(Duration.ofMillis(50)).handler("slow", ctx -> runs.incrementAndGet()).start();
        Thread.sleep(1500);
        again.shutdown(Duration.ofSeconds(3));
        assertThat(runs.get()).as("a job whose handler returned during the drain runs once").isEqualTo(1);
    }


    /** The maintenance leader buries spent expired jobs oldest first; one whose letter is refused blocks every other, and vacuum and prune. */
    @Test
    void aSpentJobWhoseDeadLetterIsRefusedDoesNotBlockBuryingTheOthers() throws Exception {
        long poison = queue.enqueue(JobRequest.builder("k").uniqueKey("a\nb").maxAttempts(1).build()).jobId();
        long other = queue.enqueue(JobRequest.builder("k").maxAttempts(1).build()).jobId();
        db.execute("UPDATE opskit.jobs SET state = 'running', attempt = 1, worker_id = 'gone', lease_token = 1, attempted_at = now(), "
                + "lease_expires_at = now() - interval '1 minute' WHERE id = " + poison);
        db.execute("UPDATE opskit.jobs SET state = 'running', attempt = 1, worker_id = 'gone', lease_token = 1, attempted_at = now(), "
                + "lease_expires_at = now() - interval '30 seconds' WHERE id = " + other);
        Workers w = Workers.builder(queue).pollInterval(Duration.ofMillis(50)).maintenanceInterval(Duration.ofMillis(100))
                .handler("k", ctx -> { }).start();
        try {
            Thread.sleep(3000);
        } finally {
            w.shutdown(Duration.ofSeconds(3));
        }
        assertThat(queue.get(other).map(Job::state).orElse(null)).as("the other spent job went to the dead letters").isEqualTo(JobState.DEAD);
    }

    /** A registry whose run-duration timer is slow to record (for the first recording only). */
    static final class SlowRunTimerRegistry extends SimpleMeterRegistry {
        private final long delayMillis;
        private final AtomicInteger recorded = new AtomicInteger();

        SlowRunTimerRegistry(long delayMillis) {
            this.delayMillis = delayMillis;
        }

        @Override
        protected Timer newTimer(Meter.Id id, DistributionStatisticConfig config, PauseDetector pauseDetector) {
            if (!id.getName().equals(JobQueueMetrics.RUN_DURATION)) {
                return super.newTimer(id, config, pauseDetector);
            }
            return new CumulativeTimer(id, clock, config, pauseDetector, getBaseTimeUnit(), false) {
                @Override
                protected void recordNonNegative(long amount, TimeUnit unit) {
                    if (recorded.getAndIncrement() == 0) {
                        try {
                            Thread.sleep(delayMillis);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    super.recordNonNegative(amount, unit);
                }
            };
        }
    }
}
