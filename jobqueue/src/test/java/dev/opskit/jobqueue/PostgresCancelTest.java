package dev.opskit.jobqueue;

import dev.opskit.core.testing.TestDatabase;
import dev.opskit.jobqueue.cli.JobQueueCli;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.opskit.jobqueue.WorkerProcessTest.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cancelling a running job on PostgreSQL: across queue instances and workers, against a handler
 * that ignores the interrupt, racing with a drain, after the worker died (rescue), and from the
 * command line.
 */
class PostgresCancelTest extends PostgresQueueTestBase {
    private static final Duration LEASE = Duration.ofSeconds(3); // extended every second

    PostgresCancelTest(TestDatabase db) {
        super(db);
    }

    private Workers.Builder workers(PostgresJobQueue q, String workerId, Duration lease) {
        return Workers.builder(q).workerId(workerId).queue("default", 2).pollInterval(Duration.ofMillis(20))
                .maintenanceInterval(Duration.ofMillis(100)).leaseDuration(lease);
    }

    private JobState state(long id) {
        return queue.get(id).orElseThrow().state();
    }

    private static double cancelledRunning(SimpleMeterRegistry... registries) {
        double n = 0;
        for (SimpleMeterRegistry r : registries) {
            Counter c = r.find(JobQueueMetrics.CANCELLED).tag("while", "running").counter();
            n += c == null ? 0 : c.count();
        }
        return n;
    }

    @Test
    void aCancelFromAnotherQueueInstanceInterruptsTheHandlerOnWhicheverWorkerRunsItWithinALeaseExtensionAndItNeverRunsAgain()
            throws Exception {
        // two runtimes, each on a queue instance of its own, and the cancel from a third: only the
        // database connects them, as with separate processes
        PostgresJobQueue queueA = PostgresJobQueue.builder(db.dataSource()).build();
        PostgresJobQueue queueB = PostgresJobQueue.builder(db.dataSource()).build();
        PostgresJobQueue operator = PostgresJobQueue.builder(db.dataSource()).build();
        SimpleMeterRegistry registryA = new SimpleMeterRegistry();
        SimpleMeterRegistry registryB = new SimpleMeterRegistry();
        new JobQueueMetrics(queueA).bindTo(registryA);
        new JobQueueMetrics(queueB).bindTo(registryB);
        AtomicInteger runs = new AtomicInteger();
        AtomicReference<String> ranOn = new AtomicReference<>();
        AtomicLong interruptedAt = new AtomicLong();
        AtomicReference<Boolean> cancelledWhenInterrupted = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        JobHandler handler = ctx -> {
            runs.incrementAndGet();
            ranOn.set(ctx.job().workerId());
            started.countDown();
            try {
                Thread.sleep(120_000);
            } catch (InterruptedException e) {
                interruptedAt.set(System.nanoTime());
                cancelledWhenInterrupted.set(ctx.cancelled());
                throw e; // a failure that would be retried without the cancel
            }
        };
        long id = operator.enqueue(JobRequest.builder("render-video").maxAttempts(5).build()).jobId();
        Workers a = workers(queueA, "worker-a", LEASE).handler("render-video", handler).start();
        Workers b = workers(queueB, "worker-b", LEASE).handler("render-video", handler).start();
        try {
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            long requested = System.nanoTime();
            assertThat(operator.requestCancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);
            assertThat(operator.requestCancel(id)).as("asking again while it runs").isEqualTo(CancelResult.CANCEL_REQUESTED);

            await("the job is cancelled", () -> state(id) == JobState.CANCELLED);
            assertThat(cancelledWhenInterrupted.get()).isTrue();
            assertThat(Duration.ofNanos(interruptedAt.get() - requested))
                    .as("interrupted at the next lease extension (every %s ms), well within the lease", LEASE.toMillis() / 3)
                    .isLessThan(LEASE);
            // the maintenance leader runs every 100 ms; long enough for a rescue or retry to show up
            Thread.sleep(LEASE.toMillis() + 500);
        } finally {
            a.shutdown(Duration.ofSeconds(5));
            b.shutdown(Duration.ofSeconds(5));
        }
        assertThat(ranOn.get()).isIn("worker-a", "worker-b");
        assertThat(runs).as("never run again").hasValue(1);
        Job job = queue.get(id).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.CANCELLED);
        assertThat(job.attempt()).as("the attempt count stays").isEqualTo(1);
        assertThat(job.errors()).contains("cancelled while running on worker " + ranOn.get());
        assertThat(queue.deadLetters().list(dev.opskit.deadletter.DeadLetterQuery.waiting()).letters()).isEmpty();
        assertThat(cancelledRunning(registryA, registryB)).isEqualTo(1.0);
        assertThat(operator.requestCancel(id)).isEqualTo(CancelResult.ALREADY_FINISHED);
    }

    @Test
    void aHandlerThatIgnoresTheInterruptAndFinishesIsStillCancelledAndNeverRetried() {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger interrupts = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        long id = queue.enqueue(JobRequest.builder("stubborn").maxAttempts(5).build()).jobId();
        Workers w = workers(queue, "worker-stubborn", LEASE).handler("stubborn", ctx -> {
            runs.incrementAndGet();
            started.countDown();
            // swallows every interrupt, and goes on until well after the cancel reached it
            long until = Long.MAX_VALUE;
            while (System.nanoTime() < until) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    interrupts.incrementAndGet();
                }
                if (ctx.cancelled() && until == Long.MAX_VALUE) {
                    until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEASE.toMillis()); // past another extension
                }
            }
        }).start();
        try {
            await("started", () -> started.getCount() == 0);
            assertThat(PostgresJobQueue.builder(db.dataSource()).build().requestCancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);
            await("the job is cancelled", () -> state(id) == JobState.CANCELLED);
            sleep(LEASE.toMillis());
        } finally {
            w.shutdown(Duration.ofSeconds(5));
        }
        assertThat(interrupts.get()).as("interrupted at the extension that reported the cancel, and again at the next").isGreaterThanOrEqualTo(2);
        assertThat(runs).hasValue(1);
        assertThat(queue.get(id).orElseThrow().attempt()).isEqualTo(1);
    }

    @Test
    void aHandlerThatReturnsBeforeItsWorkerLearnedOfTheCancelCompletesItsWorkWasDone() {
        // The documented choice: the cancel reaches a worker at its next lease extension (here in
        // 10 s); a handler that returned successfully before that did its work, and the job is
        // recorded completed, as River does. A handler that was told (interrupted) ends cancelled.
        AtomicReference<CancelResult> result = new AtomicReference<>();
        PostgresJobQueue operator = PostgresJobQueue.builder(db.dataSource()).build();
        long id = queue.enqueue(JobRequest.of("quick-mail", "{}")).jobId();
        Workers w = workers(queue, "worker-quick", Duration.ofSeconds(30)).handler("quick-mail", ctx -> {
            result.set(operator.requestCancel(ctx.job().id()));
        }).start();
        try {
            await("finished", () -> state(id) != JobState.RUNNING && state(id) != JobState.AVAILABLE);
        } finally {
            w.shutdown(Duration.ofSeconds(5));
        }
        assertThat(result.get()).isEqualTo(CancelResult.CANCEL_REQUESTED);
        assertThat(state(id)).isEqualTo(JobState.COMPLETED);
    }

    @Test
    void aDrainRacingWithACancelLeavesTheJobCancelledNotHandedBack() throws Exception {
        // The worker has not learned of the cancel (the next extension is 10 s away) when the drain
        // interrupts the handler at its soft deadline: the hand-back must not put the job back.
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        long id = queue.enqueue(JobRequest.builder("import").maxAttempts(5).build()).jobId();
        Workers w = workers(queue, "worker-draining", Duration.ofSeconds(30)).handler("import", ctx -> {
            runs.incrementAndGet();
            started.countDown();
            Thread.sleep(120_000);
        }).start();
        DrainReport report;
        try {
            assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(PostgresJobQueue.builder(db.dataSource()).build().requestCancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);
        } finally {
            report = w.shutdown(Duration.ofSeconds(2));
        }
        assertThat(report.interrupted()).isEqualTo(1);
        assertThat(report.handedBack()).as("not handed back").isZero();
        assertThat(state(id)).isEqualTo(JobState.CANCELLED);
        assertThat(queue.get(id).orElseThrow().errors()).as("the attempt's ending, then the cancel that won")
                .containsPattern("\"reason\":\\s*\"shutdown\".*\"reason\":\\s*\"cancelled\"")
                .contains("cancelled while running, requested at");

        Workers next = workers(queue, "worker-next", LEASE).handler("import", ctx -> runs.incrementAndGet()).start();
        try {
            sleep(500);
        } finally {
            next.shutdown(Duration.ofSeconds(5));
        }
        assertThat(runs).as("never run again").hasValue(1);
    }

    @Test
    void aHandlerStillRunningAtTheHardDeadlineOfADrainIsCancelledNotHandedBack() {
        CountDownLatch started = new CountDownLatch(1);
        long id = queue.enqueue(JobRequest.builder("deaf").maxAttempts(5).build()).jobId();
        Workers w = workers(queue, "worker-deaf", Duration.ofSeconds(30)).handler("deaf", ctx -> {
            started.countDown();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            while (System.nanoTime() < until) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException ignored) {
                    // deaf to the drain's interrupt
                }
            }
        }).start();
        DrainReport report;
        try {
            await("started", () -> started.getCount() == 0);
            assertThat(queue.requestCancel(id)).isEqualTo(CancelResult.CANCEL_REQUESTED);
        } finally {
            report = w.shutdown(Duration.ofSeconds(1));
        }
        assertThat(report.handedBack()).isZero();
        assertThat(state(id)).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void aCancelledJobWhoseWorkerDiedIsNotRescuedNorBuriedButEndsCancelled() throws Exception {
        long withAttemptsLeft = queue.enqueue(JobRequest.builder("orphan").maxAttempts(3).build()).jobId();
        long lastAttempt = queue.enqueue(JobRequest.builder("orphan").maxAttempts(1).build()).jobId();
        long notCancelled = queue.enqueue(JobRequest.builder("orphan").maxAttempts(3).build()).jobId();
        // what a worker that died mid-job leaves: running, its lease expired
        db.execute("UPDATE opskit.jobs SET state = 'running', attempt = 1, worker_id = 'dead-worker', lease_token = 42,"
                + " attempted_at = now() - interval '2 minutes', lease_expires_at = now() - interval '1 minute'");
        assertThat(queue.requestCancel(withAttemptsLeft)).isEqualTo(CancelResult.CANCEL_REQUESTED);
        assertThat(queue.requestCancel(lastAttempt)).isEqualTo(CancelResult.CANCEL_REQUESTED);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new JobQueueMetrics(queue).bindTo(registry);
        AtomicInteger runs = new AtomicInteger();
        Workers w = workers(queue, "worker-leader", LEASE).handler("orphan", ctx -> runs.incrementAndGet()).start();
        try {
            await("the job without a cancel is rescued and runs", () -> state(notCancelled) == JobState.COMPLETED);
            await("the cancelled ones end", () -> state(withAttemptsLeft) == JobState.CANCELLED && state(lastAttempt) == JobState.CANCELLED);
        } finally {
            w.shutdown(Duration.ofSeconds(5));
        }
        assertThat(runs).as("only the job without a cancel ran again").hasValue(1);
        assertThat(queue.get(withAttemptsLeft).orElseThrow().attempt()).isEqualTo(1);
        assertThat(queue.get(lastAttempt).orElseThrow().errors()).contains("cancelled while running, requested at");
        assertThat(queue.deadLetters().list(dev.opskit.deadletter.DeadLetterQuery.waiting()).letters()).isEmpty();
        assertThat(cancelledRunning(registry)).isEqualTo(2.0);
    }

    @Test
    void aCancelOfAWaitingJobIsCountedAsWaiting() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new JobQueueMetrics(queue).bindTo(registry);
        long id = queue.enqueue(JobRequest.builder("later").queue("emails").delay(Duration.ofHours(1)).build()).jobId();

        assertThat(queue.requestCancel(id)).isEqualTo(CancelResult.CANCELLED);

        assertThat(registry.get(JobQueueMetrics.CANCELLED).tags("queue", "emails", "while", "waiting").counter().count()).isEqualTo(1.0);
    }

    @Test
    void theCommandLineCancelsAWaitingJobRequestsTheCancelOfARunningOneAndFailsOnAFinishedOrUnknownOne() throws Exception {
        long waiting = queue.enqueue(JobRequest.builder("cli").delay(Duration.ofHours(1)).build()).jobId();
        long running = queue.enqueue(JobRequest.of("cli", "{}")).jobId();
        db.execute("UPDATE opskit.jobs SET state = 'running', attempt = 1, worker_id = 'w', lease_token = 7,"
                + " attempted_at = now(), lease_expires_at = now() + interval '1 minute' WHERE id = " + running);

        Run w = cli("cancel", String.valueOf(waiting));
        assertThat(w.exit()).as(w.err()).isZero();
        assertThat(w.out()).contains("cancelled job " + waiting);
        Run r = cli("--json", "cancel", String.valueOf(running));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("{\"id\":" + running + ",\"result\":\"cancel_requested\"}");
        assertThat(cancelRequestedAt(running)).isTrue();
        assertThat(queue.cancelRequestedAt(running)).isPresent();
        assertThat(queue.cancelRequestedAt(waiting)).as("not running").isEmpty();
        Run show = cli("show", String.valueOf(running));
        assertThat(show.out()).contains("state:           running").contains("cancel requested: 20");
        assertThat(cli("--json", "show", String.valueOf(running)).out()).contains("\"cancel_requested_at\":\"20");
        Run again = cli("cancel", String.valueOf(waiting));
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("job " + waiting + " is cancelled, only a waiting or running job can be cancelled");
        Run unknown = cli("cancel", "987654");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("job 987654 does not exist");
        Run usage = cli("cancel", "abc");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).contains("ID").contains("abc");
    }

    private boolean cancelRequestedAt(long id) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT cancel_requested_at IS NOT NULL FROM opskit.jobs WHERE id = " + id)) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new JobQueueCli().run(List.of(args), Map.of("DATABASE_URL", db.jdbcUrl()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
