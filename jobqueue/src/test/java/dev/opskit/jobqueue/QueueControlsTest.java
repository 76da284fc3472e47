package dev.opskit.jobqueue;

import dev.opskit.core.health.HealthResult;
import dev.opskit.core.testing.TestDatabase;
import dev.opskit.jobqueue.internal.PgStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.opskit.jobqueue.WorkerProcessTest.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Pause and limits across workers that share only the database (issue 15). */
class QueueControlsTest extends PostgresQueueTestBase {
    QueueControlsTest(TestDatabase db) {
        super(db);
    }

    @Override // these tests also set pauses and limits, which must not outlive a test: other tests share the database
    @BeforeEach
    @AfterEach
    void empty() {
        db.execute("TRUNCATE opskit.jobs, opskit.finished_jobs, opskit.dead_letters, opskit.queue_controls, opskit.queue_starts CASCADE");
    }

    @Test
    void manyConcurrentClaimersNeverHoldMoreJobsOfALimitedQueueThanItsLimit() throws Exception {
        int jobs = 400;
        int limit = 5;
        int claimers = 16;
        List<JobRequest> requests = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            requests.add(JobRequest.builder("k").queue("limited").payload("{\"n\":" + i + "}").build());
        }
        queue.enqueueAll(requests);
        queue.limitConcurrency("limited", limit);
        PgStore store = queue.store();
        AtomicInteger held = new AtomicInteger(); // claimed and not yet completed, counted after the claim commits
        AtomicInteger mostHeld = new AtomicInteger();
        AtomicInteger mostRunningInDb = new AtomicInteger();
        Set<Long> done = ConcurrentHashMap.newKeySet();
        AtomicInteger claimedTwice = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < claimers; t++) {
            String worker = "claimer-" + t;
            threads.add(new Thread(() -> {
                try (Connection c = db.dataSource().getConnection()) {
                    c.setAutoCommit(true);
                    start.await();
                    while (done.size() < jobs && failure.get() == null) {
                        long token = ThreadLocalRandom.current().nextLong();
                        List<PgStore.Claimed> got = store.claimControlled(c, "limited", 1 + ThreadLocalRandom.current().nextInt(4),
                                worker, token, Duration.ofMinutes(5), new long[0], new long[0]).jobs();
                        if (got.isEmpty()) {
                            Thread.onSpinWait();
                            continue;
                        }
                        mostHeld.accumulateAndGet(held.addAndGet(got.size()), Math::max);
                        Thread.sleep(ThreadLocalRandom.current().nextInt(3));
                        long[] ids = got.stream().mapToLong(j -> j.job().id()).toArray();
                        held.addAndGet(-got.size());
                        for (long id : ids) {
                            if (!done.add(id)) {
                                claimedTwice.incrementAndGet();
                            }
                        }
                        store.complete(c, ids, new long[] {token}, false);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, worker));
        }
        Thread sampler = new Thread(() -> {
            while (done.size() < jobs && failure.get() == null) {
                mostRunningInDb.accumulateAndGet((int) count("SELECT count(*) FROM opskit.jobs WHERE queue = 'limited' AND state = 'running'"),
                        Math::max);
            }
        });
        threads.forEach(Thread::start);
        sampler.start();
        start.countDown();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(120));
        }
        sampler.join(10_000);

        assertThat(failure.get()).isNull();
        assertThat(done).hasSize(jobs);
        assertThat(claimedTwice).hasValue(0);
        assertThat(mostHeld.get()).as("jobs held at once by %d claimers", claimers).isLessThanOrEqualTo(limit)
                .as("the claimers did compete for the limit").isEqualTo(limit);
        assertThat(mostRunningInDb.get()).as("running jobs of the queue sampled in the database").isBetween(1, limit);
        assertThat(count("SELECT count(*) FROM opskit.jobs")).isZero();
    }

    @Test
    void workerRuntimesThatShareOnlyTheDatabaseTogetherStayUnderTheConcurrencyLimit() {
        int jobs = 120;
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger ran = new AtomicInteger();
        List<JobRequest> requests = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            requests.add(JobRequest.builder("slow").queue("ocr").build());
        }
        queue.limitConcurrency("ocr", 3);
        queue.enqueueAll(requests);
        List<Workers> runtimes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // each runtime on a queue object of its own, as another machine would have
            PostgresJobQueue own = PostgresJobQueue.builder(db.dataSource()).build();
            runtimes.add(Workers.builder(own).queue("ocr", 6).pollInterval(Duration.ofMillis(50)).maintenance(false)
                    .handler("slow", ctx -> {
                        most.accumulateAndGet(now.incrementAndGet(), Math::max);
                        Thread.sleep(5);
                        now.decrementAndGet();
                        ran.incrementAndGet();
                    }).start());
        }
        try {
            await("all jobs ran", () -> ran.get() == jobs && count("SELECT count(*) FROM opskit.jobs") == 0);
        } finally {
            runtimes.forEach(w -> w.shutdown(Duration.ofSeconds(10)));
        }
        assertThat(most.get()).as("handlers running at once over 18 worker slots").isBetween(2, 3);
    }

    @Test
    void aPauseFromAnotherProcessStopsStartsAndAResumeWakesIdleWorkersLongBeforeTheirPoll() {
        PostgresJobQueue operator = PostgresJobQueue.builder(db.dataSource()).build();
        AtomicInteger ran = new AtomicInteger();
        Workers workers = Workers.builder(queue).queue("emails", 2).pollInterval(Duration.ofSeconds(60)).maintenance(false)
                .handler("send", ctx -> ran.incrementAndGet()).start();
        try {
            queue.enqueue(JobRequest.builder("send").queue("emails").build());
            await("the first job ran", () -> ran.get() == 1);

            assertThat(operator.pause("emails")).isTrue();
            long id = queue.enqueue(JobRequest.builder("send").queue("emails").build()).jobId();
            sleep(700); // the enqueue's NOTIFY woke the workers: they claimed and found the queue paused
            assertThat(ran).hasValue(1);
            assertThat(queue.get(id).orElseThrow().state()).isEqualTo(JobState.AVAILABLE);

            long resumed = System.nanoTime();
            assertThat(operator.resume("emails")).isTrue();
            await("the waiting job ran", () -> ran.get() == 2);
            assertThat(Duration.ofNanos(System.nanoTime() - resumed)).as("woken by the resume's NOTIFY, not the 60 s poll")
                    .isLessThan(Duration.ofSeconds(30));
        } finally {
            workers.shutdown(Duration.ofSeconds(10));
        }
    }

    @Test
    void aRunningJobFinishesWhenItsQueueIsPausedAndTheNextWaits() {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        Workers workers = Workers.builder(queue).queue("default", 1).pollInterval(Duration.ofMillis(50)).maintenance(false)
                .handler("long", ctx -> {
                    started.countDown();
                    release.await();
                    ran.incrementAndGet();
                }).start();
        try {
            long first = queue.enqueue(JobRequest.of("long", "{}")).jobId();
            long second = queue.enqueue(JobRequest.of("long", "{}")).jobId();
            await("the first job started", () -> started.getCount() == 0);
            queue.pause("default");
            release.countDown();
            await("the running job finished", () -> queue.get(first).orElseThrow().state() == JobState.COMPLETED);
            sleep(500);
            assertThat(queue.get(second).orElseThrow().state()).isEqualTo(JobState.AVAILABLE);
            assertThat(ran).hasValue(1);
        } finally {
            workers.shutdown(Duration.ofSeconds(10));
        }
    }

    @Test
    void aPausedQueueIsInTheHealthDetailsWithoutMakingItDegradedAndInThePausedGauge() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new JobQueueMetrics(queue).bindTo(registry);
        JobQueueHealthCheck health = new JobQueueHealthCheck(queue, Duration.ofMillis(1), Duration.ofMinutes(1));
        queue.enqueue(JobRequest.builder("k").queue("emails").build());
        queue.pause("emails");
        sleep(20); // older than the 1 ms threshold

        HealthResult paused = health.check();
        assertThat(paused.details()).containsEntry("pausedQueues", "emails").doesNotContainKey("slowQueues");
        assertThat(paused.status()).isEqualTo(dev.opskit.core.health.HealthStatus.UP);
        assertThat(registry.get(JobQueueMetrics.QUEUE_PAUSED).tag("queue", "emails").gauge().value()).isEqualTo(1.0);

        queue.resume("emails");
        HealthResult resumed = health.check();
        assertThat(resumed.details()).doesNotContainKey("pausedQueues").containsEntry("slowQueues", "emails");
        assertThat(registry.get(JobQueueMetrics.QUEUE_PAUSED).tag("queue", "emails").gauge().value()).isZero();
    }

    @Test
    void workersSampleThePausedGaugeOfTheirQueuesWhateverProcessPausedThem() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new JobQueueMetrics(queue).bindTo(registry);
        PostgresJobQueue operator = PostgresJobQueue.builder(db.dataSource()).build();
        operator.pause("ocr");
        Workers workers = Workers.builder(queue).queue("ocr", 1).queue("default", 1).pollInterval(Duration.ofMillis(50))
                .maintenanceInterval(Duration.ofMillis(100)).start();
        try {
            await("the gauges were sampled", () -> registry.find(JobQueueMetrics.QUEUE_PAUSED).tag("queue", "default").gauge() != null);
            assertThat(registry.get(JobQueueMetrics.QUEUE_PAUSED).tag("queue", "ocr").gauge().value()).isEqualTo(1.0);
            assertThat(registry.get(JobQueueMetrics.QUEUE_PAUSED).tag("queue", "default").gauge().value()).isZero();
        } finally {
            workers.shutdown(Duration.ofSeconds(10));
        }
    }

    @Test
    void aQueueWithoutControlsIsClaimedByThePlainStatementAndTheControlRowIsGoneOnceNothingIsSet() {
        queue.limitRate("emails", RateLimit.of(100, Duration.ofSeconds(1)));
        queue.pause("emails");
        assertThat(count("SELECT count(*) FROM opskit.queue_controls")).isEqualTo(1);
        queue.resume("emails");
        queue.removeLimits("emails");
        assertThat(count("SELECT count(*) FROM opskit.queue_controls")).isZero();
        assertThat(count("SELECT count(*) FROM opskit.queue_starts")).isZero();
    }

    @Test
    void theMaintenancePruneKeepsOnlyTheStartsThatARateWindowStillCounts() throws Exception {
        queue.limitRate("billing", RateLimit.of(5, Duration.ofMinutes(1)));
        db.execute("INSERT INTO opskit.queue_starts (queue, rate_key, started_at) VALUES"
                + " ('billing', '', now() - interval '10 seconds'), ('billing', '', now() - interval '2 minutes'),"
                + " ('no-longer-limited', '', now())");
        try (Connection c = db.dataSource().getConnection()) {
            assertThat(queue.store().pruneStarts(c)).isEqualTo(2);
        }
        assertThat(count("SELECT count(*) FROM opskit.queue_starts WHERE queue = 'billing' AND started_at > now() - interval '1 minute'"))
                .isEqualTo(1);
        assertThat(count("SELECT count(*) FROM opskit.queue_starts")).isEqualTo(1);
    }

    private record Run(int rc, String out, String err) {
    }

    private Run cli(String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--url", db.jdbcUrl()));
        all.addAll(List.of(args));
        int rc = new dev.opskit.jobqueue.cli.JobQueueCli().run(all, java.util.Map.of(),
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        return new Run(rc, out.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void theCommandLinePausesAndResumesAQueueAndCountsShowThePauseAndTheLimits() throws Exception {
        queue.enqueue(JobRequest.builder("k").queue("emails").build());
        queue.limitRate("ocr", RateLimit.perKey(10, Duration.ofSeconds(1), "customerId"));
        queue.limitConcurrency("ocr", 4);

        Run paused = cli("pause", "emails");
        assertThat(paused.rc()).as(paused.err()).isZero();
        assertThat(paused.out()).contains("paused queue emails");
        assertThat(queue.paused()).containsExactly("emails");
        assertThat(cli("pause", "emails").out()).contains("already paused");

        Run counts = cli("counts");
        assertThat(counts.rc()).isZero();
        assertThat(counts.out().lines().filter(l -> l.startsWith("emails "))).singleElement().asString().contains("PAUSED");
        assertThat(counts.out().lines().filter(l -> l.startsWith("ocr "))).as("a limited queue without jobs is listed")
                .singleElement().asString().contains("max 4 running, 10 starts per 1s per customerId");

        Run json = cli("--json", "counts");
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) dev.opskit.core.internal.json.JsonText.parse(json.out().trim());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> queues = (List<Map<String, Object>>) doc.get("queues");
        assertThat(queues).extracting(q -> q.get("queue")).containsExactly("emails", "ocr");
        assertThat(queues.get(0)).containsEntry("paused", true).containsEntry("max_running", null);
        assertThat(queues.get(1)).containsEntry("paused", false);
        assertThat(String.valueOf(queues.get(1).get("rate_limit"))).contains("customerId");

        Run resumed = cli("resume", "emails");
        assertThat(resumed.rc()).isZero();
        assertThat(resumed.out()).contains("resumed queue emails");
        assertThat(queue.paused()).isEmpty();
        assertThat(cli("resume", "emails").out()).contains("was not paused");
    }

    @Test
    void theCommandLineRefusesABadQueueNameOrAMissingOneWithExit2() {
        Run bad = cli("pause", "Bad Queue");
        assertThat(bad.rc()).isEqualTo(2);
        assertThat(bad.err()).contains("queue must match").contains("Bad Queue");
        Run missing = cli("resume");
        assertThat(missing.rc()).isEqualTo(2);
        assertThat(missing.err()).contains("resume needs exactly one QUEUE");
        assertThat(queue.controls()).isEmpty();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
