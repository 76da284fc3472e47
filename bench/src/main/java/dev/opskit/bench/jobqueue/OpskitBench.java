package dev.opskit.bench.jobqueue;

import com.zaxxer.hikari.HikariDataSource;
import dev.opskit.jobqueue.JobRequest;
import dev.opskit.jobqueue.PostgresJobQueue;
import dev.opskit.jobqueue.Workers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The opskit job queue's measurements. */
final class OpskitBench {
    static final String SYSTEM = "opskit";

    private OpskitBench() {
    }

    static PostgresJobQueue queue(HikariDataSource ds, Duration retention) {
        PostgresJobQueue q = PostgresJobQueue.builder(ds).schema("opskit").finishedRetention(retention).build();
        q.installSchema();
        return q;
    }

    static void reset(HikariDataSource ds) {
        Bench.sql(ds, "TRUNCATE opskit.jobs, opskit.finished_jobs");
        Bench.sql(ds, "VACUUM ANALYZE opskit.jobs");
    }

    /** One untimed warm-up burn-down of {@link Bench#warmupJobs} jobs (JIT), then the measured ones (median). */
    static Result burnDown(HikariDataSource ds, int jobs, int workers, Duration retention) throws Exception {
        burnDownOnce(ds, Bench.warmupJobs, workers, retention, false);
        return Bench.median(() -> burnDownOnce(ds, jobs, workers, retention, true));
    }

    static Result burnDownOnce(HikariDataSource ds, int jobs, int workers, Duration retention, boolean report) throws Exception {
        return burnDownOnce(ds, jobs, workers, retention, report, q -> { });
    }

    /** A burn-down whose queue {@code setup} configures (pause, limits) after the reset and before the workers start. */
    static Result burnDownOnce(HikariDataSource ds, int jobs, int workers, Duration retention, boolean report,
                               java.util.function.Consumer<PostgresJobQueue> setup) throws Exception {
        PostgresJobQueue q = queue(ds, retention);
        reset(ds);
        Bench.sql(ds, "TRUNCATE opskit.queue_controls, opskit.queue_starts");
        setup.accept(q);
        bulkEnqueue(q, jobs, 10_000);
        Bench.sql(ds, "ANALYZE opskit.jobs");
        AtomicInteger done = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(1);
        long start = System.nanoTime();
        Workers w = Workers.builder(q).queue("default", workers).handler("noop", ctx -> {
            if (done.incrementAndGet() == jobs) {
                all.countDown();
            }
        }).start();
        Thread progress = new Thread(() -> {
            long last = 0;
            StringBuilder b = new StringBuilder("# opskit burn-down jobs/s per second:");
            while (all.getCount() > 0) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    break;
                }
                long now = done.get();
                b.append(' ').append(now - last);
                last = now;
            }
            if (report) {
                System.out.println(b);
            }
        });
        progress.setDaemon(true);
        progress.start();
        all.await(30, TimeUnit.MINUTES);
        progress.interrupt();
        while (w.activeJobs() > 0) { // until every completion is stored
            Thread.sleep(1);
        }
        long nanos = System.nanoTime() - start;
        w.shutdown(Duration.ofSeconds(10));
        if (Bench.count(ds, "SELECT count(*) FROM opskit.jobs") != 0) {
            throw new IllegalStateException("jobs left after the burn-down");
        }
        double rate = jobs / (nanos / 1e9);
        return new Result(SYSTEM, "burn_down", rate, "jobs/s", jobs + " no-op jobs pre-enqueued, " + workers
                + " worker threads, pool 20, finished-job retention " + (retention.isZero() ? "off" : retention.toString())
                + ", after an untimed warm-up burn-down of " + Bench.warmupJobs);
    }

    static void bulkEnqueue(PostgresJobQueue q, int jobs, int batch) {
        for (int done = 0; done < jobs; done += batch) {
            List<JobRequest> requests = new ArrayList<>(batch);
            for (int i = 0; i < Math.min(batch, jobs - done); i++) {
                requests.add(JobRequest.builder("noop").payload("{\"n\":" + (done + i) + "}").build());
            }
            q.enqueueAll(requests);
        }
    }

    static Result bulk(HikariDataSource ds, int jobs) {
        PostgresJobQueue q = queue(ds, Duration.ZERO);
        reset(ds);
        for (int i = 0; i < 2; i++) { // JIT warm-up: two untimed passes
            bulkEnqueue(q, jobs, 10_000);
            reset(ds);
        }
        long start = System.nanoTime();
        bulkEnqueue(q, jobs, 10_000);
        double rate = jobs / ((System.nanoTime() - start) / 1e9);
        return new Result(SYSTEM, "enqueue_bulk", rate, "jobs/s", jobs + " jobs in enqueueAll batches of 10,000 (one INSERT ... SELECT FROM unnest each),"
                + " building the requests included, 1 thread, after two untimed passes");
    }

    static Result single(HikariDataSource ds, int threads, Duration duration) throws Exception {
        PostgresJobQueue q = queue(ds, Duration.ZERO);
        reset(ds);
        JobRequest r = JobRequest.builder("noop").payload("{\"to\":\"ana@example.com\"}").build();
        Bench.callsPerSecond(threads, Bench.SINGLE_WARMUP, (id, n) -> q.enqueue(r));
        reset(ds);
        double rate = Bench.callsPerSecond(threads, duration, (id, n) -> q.enqueue(r));
        return new Result(SYSTEM, "enqueue_single_" + threads + "t", rate, "jobs/s",
                "one job per enqueue(request) call, each its own transaction, " + threads + " threads, pool 20, after an untimed "
                        + Bench.SINGLE_WARMUP.toSeconds() + " s of the same loop");
    }

    /**
     * Enqueue-to-start latency: workers run in a separate JVM ({@link LatencyWorker}); this JVM
     * enqueues {@code total} jobs at {@code perSecond}, each carrying the time just before its
     * enqueue call; the worker subtracts it from the time its handler starts.
     */
    static Result[] latency(String jdbcUrl, HikariDataSource ds, int total, int warmup, int perSecond) throws Exception {
        PostgresJobQueue q = queue(ds, Duration.ZERO);
        reset(ds);
        BlockingQueue<String> lines = new ArrayBlockingQueue<>(10_000);
        Process worker = Bench.child(LatencyWorker.class, List.of(jdbcUrl, String.valueOf(total), String.valueOf(warmup)), line -> {
            if (line.startsWith("READY") || line.startsWith("LATENCY")) {
                lines.add(line);
            } else if (line.startsWith("# ")) {
                System.out.println(line);
            } else {
                System.err.println("[worker] " + line);
            }
        });
        try {
            String ready = lines.poll(120, TimeUnit.SECONDS);
            if (ready == null) {
                throw new IllegalStateException("latency worker did not start");
            }
            Thread.sleep(2000); // let the worker settle into its idle wait
            long interval = 1_000_000_000L / perSecond;
            long next = System.nanoTime();
            for (int i = 0; i < total; i++) {
                Bench.sleepUntil(next);
                next += interval;
                q.enqueue(JobRequest.builder("timed").payload("{\"t\":" + Bench.nowMicros() + "}").build());
            }
            String result = lines.poll(120, TimeUnit.SECONDS);
            if (result == null) {
                throw new IllegalStateException("latency worker did not report");
            }
            String[] p = result.split(" ");
            String setup = (total - warmup) + " jobs at " + perSecond + "/s after " + warmup + " warm-up jobs; enqueuer and workers in different JVMs (LISTEN/NOTIFY), 16 worker threads, poll interval 1 s";
            return new Result[] {
                    new Result(SYSTEM, "latency_p50", Double.parseDouble(p[1]), "ms", setup),
                    new Result(SYSTEM, "latency_p95", Double.parseDouble(p[2]), "ms", setup),
                    new Result(SYSTEM, "latency_p99", Double.parseDouble(p[3]), "ms", setup)};
        } finally {
            worker.destroy();
            worker.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
