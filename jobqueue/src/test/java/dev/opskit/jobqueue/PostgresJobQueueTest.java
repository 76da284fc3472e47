package dev.opskit.jobqueue;

import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import dev.opskit.core.testing.TestDatabase;
import dev.opskit.deadletter.DeadLetterStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.opskit.jobqueue.WorkerProcessTest.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What only the PostgreSQL queue does: transactions, timeouts, health, metrics. */
class PostgresJobQueueTest extends PostgresQueueTestBase {
    PostgresJobQueueTest(TestDatabase db) {
        super(db);
    }

    @Test
    void aJobEnqueuedInARolledBackTransactionDoesNotExistAndOneInACommittedTransactionDoes() throws Exception {
        long rolledBack;
        long committed;
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            rolledBack = queue.enqueue(c, JobRequest.of("send-email", "{}")).jobId();
            c.rollback();
            committed = queue.enqueue(c, JobRequest.of("send-email", "{}")).jobId();
            assertThat(queue.get(committed)).as("invisible before commit").isEmpty();
            c.commit();
        }
        assertThat(queue.get(rolledBack)).isEmpty();
        assertThat(queue.get(committed)).isPresent();
    }

    @Test
    void replayAllOfJobLettersHandsEachOverOnceInTheReplayTransaction() {
        dev.opskit.deadletter.DeadLetterStore letters = queue.deadLetters();
        for (int i = 0; i < 30; i++) {
            letters.add(dev.opskit.deadletter.NewDeadLetter.builder("jobqueue:emails", "send-email")
                    .payload("{\"n\":" + i + "}").reason(dev.opskit.deadletter.DeadLetterReason.MANUAL, "test").build());
        }
        assertThat(new JobQueueReplayTarget(queue).joinsTransaction())
                .as("the job-queue target enqueues through the replay transaction, so replay-all goes batch by batch").isTrue();

        dev.opskit.deadletter.ReplayProgress progress = letters.replayAll(
                dev.opskit.deadletter.ReplayAllRequest.builder().source("jobqueue:emails").build());

        assertThat(progress.total()).isEqualTo(30);
        assertThat(progress.done()).isEqualTo(30);
        assertThat(progress.failed()).isZero();
        assertThat(queue.counts()).anySatisfy(c -> {
            assertThat(c.queue()).isEqualTo("emails");
            assertThat(c.available()).isEqualTo(30);
        });
        assertThat(letters.list(dev.opskit.deadletter.DeadLetterQuery.waiting()).letters()).isEmpty();
    }

    @Test
    void aJobWhoseTimeoutPassesIsInterruptedAndCountsAsAFailedAttempt() {
        long id = queue.enqueue(JobRequest.builder("hangs").maxAttempts(1).build()).jobId();
        Workers w = Workers.builder(queue).pollInterval(Duration.ofMillis(50))
                .handler("hangs", ctx -> Thread.sleep(60_000), Duration.ofMillis(300)).start();
        try {
            await("dead after its only attempt", () -> queue.get(id).map(j -> j.state() == JobState.DEAD).orElse(false));
        } finally {
            w.shutdown(Duration.ofSeconds(5));
        }
        assertThat(queue.get(id).orElseThrow().errors()).contains("JobTimeoutException", "timeout of 300 ms");
    }

    @Test
    void aFailedDeadLetterInsertLeavesTheJobInTheQueueBecauseBothHappenInOneTransaction() {
        DeadLetterStore failing = (DeadLetterStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DeadLetterStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("add")) {
                        throw new IllegalStateException("dead-letter store unavailable");
                    }
                    try {
                        return method.invoke(queue.deadLetters(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        PostgresJobQueue q = PostgresJobQueue.builder(db.dataSource()).deadLetterStore(failing).build();
        long id = q.enqueue(JobRequest.builder("fails").maxAttempts(1).build()).jobId();
        AtomicInteger runs = new AtomicInteger();
        Workers w = Workers.builder(q).pollInterval(Duration.ofMillis(50)).handler("fails", ctx -> {
            runs.incrementAndGet();
            throw new IllegalStateException("boom");
        }).start();
        try {
            await("the attempt ran", () -> runs.get() == 1);
            sleep(500);
            assertThat(q.get(id).orElseThrow().state()).as("not removed without its dead letter").isEqualTo(JobState.RUNNING);
        } finally {
            w.shutdown(Duration.ofSeconds(3));
        }
        assertThat(q.get(id).orElseThrow().state()).as("handed back at shutdown, not lost").isEqualTo(JobState.AVAILABLE);
        assertThat(count("SELECT count(*) FROM opskit.finished_jobs")).isZero();
    }

    @Test
    void healthIsUpDegradedWhenJobsWaitTooLongOrLeasesExpireUnrescuedAndDownWithoutDatabase() {
        JobQueueHealthCheck check = new JobQueueHealthCheck(queue, Duration.ofMinutes(5), Duration.ofMinutes(1));
        assertThat(check.check().status()).isEqualTo(HealthStatus.UP);

        long waiting = queue.enqueue(JobRequest.of("old", "{}")).jobId();
        db.execute("UPDATE opskit.jobs SET run_at = now() - interval '1 hour' WHERE id = " + waiting);
        HealthResult slow = check.check();
        assertThat(slow.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(slow.details()).containsEntry("slowQueues", "default").containsEntry("available", 1L);

        db.execute("UPDATE opskit.jobs SET run_at = now(), state = 'running', lease_expires_at = now() - interval '10 minutes' WHERE id = " + waiting);
        HealthResult expired = check.check();
        assertThat(expired.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(expired.details()).containsEntry("expiredLeases", 1L);

        // a running attempt that started 20 minutes ago while its lease is still extended: stuck, not rescued
        db.execute("UPDATE opskit.jobs SET lease_expires_at = now() + interval '1 minute', attempted_at = now() - interval '20 minutes'"
                + " WHERE id = " + waiting);
        HealthResult stuck = check.check();
        assertThat(stuck.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(stuck.details()).containsEntry("expiredLeases", 0L).containsEntry("stuckJobs", 1L).containsEntry("stuckAfterSeconds", 600L);
        assertThat((double) stuck.details().get("oldestRunningSeconds")).isGreaterThan(1190.0);
        assertThat(new JobQueueHealthCheck(queue, Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofMinutes(30)).check().status())
                .isEqualTo(HealthStatus.UP);
        assertThatThrownBy(() -> new JobQueueHealthCheck(queue, Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ZERO))
                .hasMessageContaining("stuckAfter must be greater than 0, but was PT0S");

        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:1/nothing?connectTimeout=2");
        HealthResult down = new JobQueueHealthCheck(PostgresJobQueue.builder(nowhere).build()).check();
        assertThat(down.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(down.errorMessage()).isPresent();
    }

    @Test
    void metricsCountEnqueuedAndCompletedJobsAndTimeThem() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PostgresJobQueue q = PostgresJobQueue.builder(db.dataSource()).build();
        q.enqueue(JobRequest.builder("ok").queue("unserved").build()); // before the binding: not counted
        new JobQueueMetrics(q).bindTo(registry);
        q.enqueue(JobRequest.of("ok", "{}"));
        q.enqueueAll(List.of(JobRequest.builder("ok").queue("other").build(), JobRequest.of("ok", "{}")));
        long cancelled = q.enqueue(JobRequest.builder("ok").delay(Duration.ofHours(1)).build()).jobId();
        q.cancel(cancelled);
        Workers w = Workers.builder(q).queue("default", 2).pollInterval(Duration.ofMillis(50))
                .maintenanceInterval(Duration.ofMillis(100)).handler("ok", ctx -> { }).start();
        try {
            await("two jobs completed", () -> registry.find(JobQueueMetrics.COMPLETED).tag("outcome", "success").counter() != null
                    && registry.get(JobQueueMetrics.COMPLETED).tag("outcome", "success").counter().count() == 2);
            await("gauges sampled", () -> registry.find(JobQueueMetrics.COUNT).tag("state", "available").gauge() != null);
        } finally {
            w.shutdown(Duration.ofSeconds(5));
        }
        assertThat(registry.get(JobQueueMetrics.ENQUEUED).tag("queue", "default").counter().count()).isEqualTo(3);
        assertThat(registry.get(JobQueueMetrics.ENQUEUED).tag("queue", "other").counter().count()).isEqualTo(1);
        assertThat(registry.find(JobQueueMetrics.ENQUEUED).tag("queue", "unserved").counter()).as("enqueued before the binding").isNull();
        assertThat(registry.get(JobQueueMetrics.COMPLETED).tag("outcome", "cancelled").counter().count()).isEqualTo(1);
        assertThat(registry.get(JobQueueMetrics.RUN_DURATION).tag("queue", "default").timer().count()).isEqualTo(2);
        assertThat(registry.get(JobQueueMetrics.WAIT_DURATION).tag("queue", "default").timer().count()).isEqualTo(2);
        assertThat(registry.get(JobQueueMetrics.OLDEST_AVAILABLE_AGE).tag("queue", "default").gauge()).isNotNull();

        SimpleMeterRegistry second = new SimpleMeterRegistry();
        new JobQueueMetrics(q).bindTo(second);
        q.enqueue(JobRequest.builder("ok").delay(Duration.ofHours(1)).build());
        assertThat(second.get(JobQueueMetrics.ENQUEUED).tag("queue", "default").counter().count())
                .as("a registry bound later counts from then on").isEqualTo(1);
        assertThat(registry.get(JobQueueMetrics.ENQUEUED).tag("queue", "default").counter().count()).isEqualTo(4);
    }

    @Test
    void aDrainRunByTheShutdownCoordinatorIsLoggedOnceWithTheWorkerIdAndKeptAsTheLastReport() throws Exception {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        dev.opskit.core.shutdown.GracefulShutdown shutdown = new dev.opskit.core.shutdown.GracefulShutdown();
        Workers workers = Workers.builder(queue).workerId("drain-report-test").queue("default", 2)
                .pollInterval(Duration.ofMillis(20))
                .handler("slow", ctx -> {
                    started.countDown();
                    release.await();
                })
                .start()
                .registerWith(shutdown);
        // let the job end only once claiming has stopped (STOP_ACCEPTING ran), so it ends during the drain
        shutdown.register("release-the-job", dev.opskit.core.shutdown.ShutdownPhase.DRAIN, timeLeft -> release.countDown());
        assertThat(workers.lastDrainReport()).as("no shutdown yet").isEmpty();
        long id = queue.enqueue(JobRequest.of("slow", "{}")).jobId();
        assertThat(started.await(90, java.util.concurrent.TimeUnit.SECONDS)).as("the job started").isTrue();

        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            shutdown.shutdown(Duration.ofSeconds(30));
        } finally {
            System.setErr(err);
        }

        DrainReport report = workers.lastDrainReport().orElseThrow();
        assertThat(report.finished()).as("the running job finished during the drain").isEqualTo(1);
        assertThat(report.handedBack()).isZero();
        assertThat(report.interrupted()).isZero();
        assertThat(report.clean()).isTrue();
        assertThat(queue.get(id).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
        String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(log.lines().filter(l -> l.contains("drain report"))).singleElement().asString()
                .contains("INFO", "drain-report-test", "finished=1 handedBack=0 interrupted=0", "clean=true");
        assertThat(workers.shutdown(Duration.ofSeconds(5)).finished()).as("a later shutdown reports the same counts").isEqualTo(1);
        assertThat(workers.lastDrainReport()).containsSame(report);
    }

    @Test
    void everyDrainIsStoredAndAnUncleanOneShowsOnTheOtherInstancesGaugeAndFailsTheCommandLine() throws Exception {
        db.execute("TRUNCATE opskit.drains");
        Workers.builder(queue).workerId("clean-drain").queue("default", 1).pollInterval(Duration.ofMillis(20))
                .handler("noop", ctx -> { }).start().shutdown(Duration.ofSeconds(5));
        queue.enqueue(JobRequest.of("stubborn", "{}"));
        Workers unclean = Workers.builder(queue).workerId("unclean-drain").queue("default", 1).pollInterval(Duration.ofMillis(20))
                .handler("stubborn", ctx -> {
                    long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(4);
                    while (System.nanoTime() < until) {
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException ignored) {
                            // ignores interrupts, so the drain reaches its hard deadline
                        }
                    }
                }).start();
        await("the stubborn job runs", () -> queue.counts().stream().anyMatch(c -> c.running() == 1));

        assertThat(unclean.shutdown(Duration.ofSeconds(1)).clean()).isFalse();

        List<DrainRecord> drains = queue.drains(Duration.ofHours(1), 10);
        assertThat(drains).extracting(DrainRecord::workerId).containsExactly("unclean-drain", "clean-drain");
        assertThat(drains.get(0).clean()).isFalse();
        assertThat(drains.get(0).interrupted()).isEqualTo(1);
        assertThat(drains.get(0).handedBack()).isEqualTo(1);
        assertThat(drains.get(1).clean()).isTrue();
        assertThat(drains.get(1).finished()).isZero();

        // the process that drained is gone in real life: another instance publishes what it stored
        PostgresJobQueue observed = PostgresJobQueue.builder(db.dataSource()).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new JobQueueMetrics(observed).bindTo(registry);
        Workers observer = Workers.builder(observed).workerId("observer").queue("elsewhere", 1)
                .maintenanceInterval(Duration.ofMillis(100)).handler("noop", ctx -> { }).start();
        try {
            await("the unclean drain on the observer's gauge", () -> registry.find(JobQueueMetrics.UNCLEAN_DRAINS).gauge() != null
                    && registry.get(JobQueueMetrics.UNCLEAN_DRAINS).gauge().value() == 1.0);
        } finally {
            observer.shutdown(Duration.ofSeconds(5));
        }
        assertThat(registry.get(JobQueueMetrics.DRAINS).tag("outcome", "clean").counter().count())
                .as("the observer's own drain, counted in its process").isEqualTo(1.0);

        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int rc = new dev.opskit.jobqueue.cli.JobQueueCli().run(List.of("--url", db.jdbcUrl(), "drains", "--since", "1h"), java.util.Map.of(),
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8), System.err);
        String listing = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(rc).as("exit 1: a drain was not clean\n" + listing).isEqualTo(1);
        assertThat(listing.lines().filter(l -> l.contains("unclean-drain"))).singleElement().asString().contains(" NO ");
        assertThat(listing).contains("observer", "clean-drain");
    }

    @Test
    void aRunAtInThePastMeansNow() {
        long id = queue.enqueue(JobRequest.builder("k").runAt(Instant.parse("2001-01-01T00:00:00Z")).build()).jobId();
        Job job = queue.get(id).orElseThrow();
        assertThat(job.runAt()).isAfterOrEqualTo(job.createdAt());
    }

    @Test
    void workerSettingsAreCheckedAtOnceAndNameTheBadValue() {
        assertThatThrownBy(() -> Workers.builder(queue).queue("default", 0))
                .hasMessage("concurrency of queue default must be between 1 and 1000, but was 0");
        assertThatThrownBy(() -> Workers.builder(queue).leaseDuration(Duration.ofMillis(10)))
                .hasMessageContaining("leaseDuration must be at least 500 ms");
        assertThatThrownBy(() -> Workers.builder(queue).handler("k", ctx -> { }).handler("k", ctx -> { }))
                .hasMessage("a handler for kind 'k' is already registered");
        assertThatThrownBy(() -> PostgresJobQueue.builder(db.dataSource()).schema("Bad-Schema"))
                .hasMessageContaining("schema must be a lower-case identifier");
        // issue 20: a NUL in the worker id was accepted, then every claim failed and the worker claimed nothing, silently
        assertThatThrownBy(() -> Workers.builder(queue).workerId("worker-\0-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("workerId contains the NUL character (U+0000) at character 8, which PostgreSQL text cannot store");
        assertThatThrownBy(() -> Workers.builder(queue).workerId("w" + '\udfff'))
                .hasMessageContaining("workerId contains an unpaired UTF-16 surrogate U+DFFF at character 2");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
