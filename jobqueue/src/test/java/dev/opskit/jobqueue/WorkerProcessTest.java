package dev.opskit.jobqueue;

import dev.opskit.core.backoff.Backoff;
import dev.opskit.core.testing.TestDatabase;
import dev.opskit.jobqueue.internal.PgStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Worker processes that die or are told to stop: the jobs survive. */
class WorkerProcessTest extends PostgresQueueTestBase {
    private final List<Process> children = new ArrayList<>();
    private final List<Workers> workers = new ArrayList<>();
    /** Ids of the child workers that printed READY. */
    private final java.util.Set<String> ready = java.util.concurrent.ConcurrentHashMap.newKeySet();

    WorkerProcessTest(TestDatabase db) {
        super(db);
        db.execute("CREATE TABLE IF NOT EXISTS test_runs (job_id bigint NOT NULL, worker_id text NOT NULL)");
        db.execute("CREATE TABLE IF NOT EXISTS test_started (job_id bigint NOT NULL, worker_id text NOT NULL)");
    }

    @Override // the tables of the child workers' runs too
    @BeforeEach
    void empty() {
        db.execute("TRUNCATE opskit.jobs, opskit.finished_jobs, test_runs, test_started");
    }

    @AfterEach
    void stop() {
        children.forEach(Process::destroyForcibly);
        workers.forEach(w -> w.shutdown(Duration.ofSeconds(5)));
    }

    @Test
    void jobsOfAWorkerKilledWithSigkillAreRescuedAfterTheLeaseAndItsLateCompletionIsIgnored() throws Exception {
        for (int i = 0; i < 5; i++) {
            queue.enqueue(JobRequest.builder("sleepy").queue("crash").payload("{\"n\":" + i + "}").build());
        }
        Process a = startWorker("worker-a", "crash", 3, 1000, 600_000, 10_000);
        await("worker-a runs 3 jobs", () -> count("SELECT count(*) FROM opskit.jobs WHERE worker_id = 'worker-a' AND state = 'running'") == 3);
        long victim = count("SELECT min(id) FROM opskit.jobs WHERE worker_id = 'worker-a'");
        long oldToken = count("SELECT lease_token FROM opskit.jobs WHERE id = " + victim);

        a.destroyForcibly(); // SIGKILL
        assertThat(a.waitFor(30, TimeUnit.SECONDS)).isTrue();

        // A maintenance leader (serving another queue) rescues the expired leases.
        workers.add(Workers.builder(queue).queue("elsewhere", 1).maintenanceInterval(Duration.ofMillis(100)).start());
        await("the 3 jobs are rescued", () -> count("SELECT count(*) FROM opskit.jobs WHERE state = 'available'"
                + " AND errors::text LIKE '%rescued_after_lease%'") == 3);

        // The killed worker's completion arrives late, with the token of its claim: it changes nothing.
        try (Connection c = db.dataSource().getConnection()) {
            assertThat(new PgStore("opskit").complete(c, new long[] {victim}, new long[] {oldToken}, true)).isEmpty();
        }
        assertThat(count("SELECT count(*) FROM opskit.jobs WHERE id = " + victim + " AND state = 'available'")).isEqualTo(1);

        // Another worker completes all of them, each exactly once.
        workers.add(Workers.builder(queue).queue("crash", 3).handler("sleepy", ctx -> record(ctx.job().id(), "worker-b"))
                .pollInterval(Duration.ofMillis(50)).start());
        await("all 5 jobs complete", () -> count("SELECT count(*) FROM opskit.finished_jobs WHERE state = 'completed'") == 5);
        assertThat(count("SELECT count(*) FROM test_runs")).isEqualTo(5);
        assertThat(count("SELECT count(DISTINCT job_id) FROM test_runs WHERE worker_id = 'worker-b'")).isEqualTo(5);
        assertThat(count("SELECT count(*) FROM opskit.jobs")).isZero();
    }

    @Test
    void sigtermLetsRunningJobsFinishLeavesTheRestWaitingAndExitsWithinTheDeadline() throws Exception {
        for (int i = 0; i < 10; i++) {
            queue.enqueue(JobRequest.builder("sleepy").queue("term").build());
        }
        Process a = startWorker("worker-t", "term", 2, 30_000, 2_000, 20_000);
        // Both handlers must have begun (a claimed job that has not started is handed back, rightly), and the
        // child's SIGTERM hook must be installed (READY): a SIGTERM before it ends the JVM without a drain.
        await("worker-t's hook is installed", () -> ready.contains("worker-t"));
        await("worker-t runs 2 jobs", () -> count("SELECT count(*) FROM test_started WHERE worker_id = 'worker-t'") == 2);

        long start = System.nanoTime();
        a.destroy(); // SIGTERM
        assertThat(a.waitFor(60, TimeUnit.SECONDS)).as("exited").isTrue();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).as("exit within the 20 s deadline (plus JVM exit)").isLessThan(Duration.ofSeconds(25));
        assertThat(count("SELECT count(*) FROM test_runs WHERE worker_id = 'worker-t'")).as("running jobs finished").isEqualTo(2);
        assertThat(count("SELECT count(*) FROM opskit.finished_jobs WHERE state = 'completed'")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM opskit.jobs WHERE state = 'running'")).as("nothing left running").isZero();
        assertThat(count("SELECT count(*) FROM opskit.jobs WHERE state = 'available' AND attempt = 0")).as("the rest waits, unspent").isEqualTo(8);
    }

    @Test
    void aDrainInterruptsJobsAtTheSoftDeadlineAndHandsBackWhatStillRunsAtTheHardDeadline() {
        long politeId = queue.enqueue(JobRequest.builder("polite").queue("drain").build()).jobId();
        long stubbornId = queue.enqueue(JobRequest.builder("stubborn").queue("drain").build()).jobId();
        // "running" in the table means claimed; the drain interrupts only handlers that started
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(2);
        Workers w = Workers.builder(queue).queue("drain", 2).pollInterval(Duration.ofMillis(50))
                .backoff(Backoff.fixed(Duration.ZERO))
                .handler("polite", ctx -> {
                    started.countDown();
                    Thread.sleep(60_000);
                })
                .handler("stubborn", ctx -> {
                    started.countDown();
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (System.nanoTime() < until) {
                        try {
                            Thread.sleep(50);
                        } catch (InterruptedException ignored) {
                            // this handler ignores interrupts, as badly written ones do
                        }
                    }
                })
                .start();
        await("both handlers started", () -> started.getCount() == 0);

        DrainReport report = w.shutdown(Duration.ofSeconds(3));

        assertThat(report.interrupted()).isEqualTo(2);
        assertThat(report.handedBack()).isEqualTo(2);
        assertThat(report.clean()).isFalse();
        assertThat(report.took()).isLessThan(Duration.ofSeconds(10));
        assertThat(count("SELECT count(*) FROM opskit.jobs WHERE state = 'running'")).isZero();
        for (long id : new long[] {politeId, stubbornId}) {
            Job job = queue.get(id).orElseThrow();
            assertThat(job.state()).isEqualTo(JobState.AVAILABLE);
            assertThat(job.attempt()).as("the attempt is given back").isZero();
            assertThat(job.errors()).contains("\"reason\": \"shutdown\"");
        }
    }

    private void record(long jobId, String workerId) {
        db.execute("INSERT INTO test_runs (job_id, worker_id) VALUES (" + jobId + ", '" + workerId + "')");
    }

    private Process startWorker(String id, String queueName, int concurrency, long leaseMs, long jobMs, long deadlineMs) throws Exception {
        Process p = ChildJvm.start(id, WorkerProcessMain.class, line -> {
            if (line.equals("READY")) {
                ready.add(id);
            }
        }, db.jdbcUrl(), id, queueName, String.valueOf(concurrency), String.valueOf(leaseMs), String.valueOf(jobMs),
                String.valueOf(deadlineMs));
        children.add(p);
        return p;
    }

    static void await(String what, BooleanSupplier condition) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out after 90 s waiting for: " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
