package dev.opskit.bench.jobqueue;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * db-scheduler 15.1.1, configured as its README recommends for throughput on PostgreSQL:
 * {@code pollUsingLockAndFetch(0.5, 3.0)} ({@code SELECT ... FOR UPDATE SKIP LOCKED}, fetch up to
 * 3x threads, refill below half), 16 threads, {@code enableImmediateExecution()} so a job
 * scheduled through the same scheduler wakes it at once, polling interval 1 s (default 10 s).
 */
final class DbSchedulerBench {
    static final String SYSTEM = "db-scheduler";
    private static final String SETUP = "16 threads, pollUsingLockAndFetch(0.5, 3.0), enableImmediateExecution, pollingInterval 1 s, pool 20";

    private DbSchedulerBench() {
    }

    static List<Result> run(String measurement, HikariDataSource ds, int jobs, int latencyJobs, int seconds) throws Exception {
        createTable(ds);
        return switch (measurement) {
            case "burn_down" -> List.of(burnDown(ds, jobs));
            case "latency" -> List.of(latency(ds, latencyJobs, Math.min(300, latencyJobs / 5), 100));
            case "single" -> List.of(single(ds, 1, seconds), single(ds, 16, seconds));
            default -> List.of(); // db-scheduler has no bulk scheduling API
        };
    }

    static void createTable(HikariDataSource ds) {
        Bench.sql(ds, """
                CREATE TABLE IF NOT EXISTS scheduled_tasks (
                  task_name text NOT NULL, task_instance text NOT NULL, task_data bytea,
                  execution_time timestamptz NOT NULL, picked boolean NOT NULL, picked_by text,
                  last_success timestamptz, last_failure timestamptz, consecutive_failures int,
                  last_heartbeat timestamptz, version bigint NOT NULL, priority smallint,
                  PRIMARY KEY (task_name, task_instance));
                CREATE INDEX IF NOT EXISTS execution_time_idx ON scheduled_tasks (execution_time);
                CREATE INDEX IF NOT EXISTS last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
                CREATE INDEX IF NOT EXISTS priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);
                TRUNCATE scheduled_tasks""");
    }

    private static Scheduler scheduler(HikariDataSource ds, OneTimeTask<Void> task) {
        return Scheduler.create(ds, task).threads(16).pollUsingLockAndFetch(0.5, 3.0).enableImmediateExecution()
                .pollingInterval(Duration.ofSeconds(1)).build();
    }

    /** One untimed warm-up burn-down of {@link Bench#warmupJobs} jobs (JIT), then the measured ones (median). */
    static Result burnDown(HikariDataSource ds, int jobs) throws Exception {
        burnDownOnce(ds, Bench.warmupJobs);
        return Bench.median(() -> burnDownOnce(ds, jobs));
    }

    static Result burnDownOnce(HikariDataSource ds, int jobs) throws Exception {
        Bench.sql(ds, "TRUNCATE scheduled_tasks");
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO scheduled_tasks (task_name, task_instance, execution_time, picked, version) VALUES ('noop', ?, now(), false, 1)")) {
            for (int i = 0; i < jobs; i++) {
                ps.setString(1, "i" + i);
                ps.addBatch();
                if (i % 5000 == 4999) {
                    ps.executeBatch();
                }
            }
            ps.executeBatch();
        }
        Bench.sql(ds, "ANALYZE scheduled_tasks");
        AtomicInteger done = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(1);
        OneTimeTask<Void> task = Tasks.oneTime("noop").execute((inst, ctx) -> {
            if (done.incrementAndGet() == jobs) {
                all.countDown();
            }
        });
        Scheduler s = scheduler(ds, task);
        long start = System.nanoTime();
        s.start();
        all.await(30, TimeUnit.MINUTES);
        while (Bench.count(ds, "SELECT count(*) FROM scheduled_tasks") > 0) { // until every completion is stored
            Thread.sleep(5);
        }
        long nanos = System.nanoTime() - start;
        s.stop();
        return new Result(SYSTEM, "burn_down", jobs / (nanos / 1e9), "jobs/s", jobs + " no-op one-time tasks pre-inserted; " + SETUP
                + "; after an untimed warm-up burn-down of " + Bench.warmupJobs);
    }

    static Result single(HikariDataSource ds, int threads, int seconds) throws Exception {
        Bench.sql(ds, "TRUNCATE scheduled_tasks");
        OneTimeTask<Void> task = Tasks.oneTime("noop").execute((inst, ctx) -> { });
        SchedulerClient client = SchedulerClient.Builder.create(ds, task).build();
        Bench.callsPerSecond(threads, Bench.SINGLE_WARMUP, (id, n) -> client.schedule(task.instance("w" + id + "-" + n), Instant.now().plusSeconds(3600)));
        Bench.sql(ds, "TRUNCATE scheduled_tasks");
        double rate = Bench.callsPerSecond(threads, java.time.Duration.ofSeconds(seconds), (id, n) -> client.schedule(task.instance(id + "-" + n), Instant.now().plusSeconds(3600)));
        return new Result(SYSTEM, "enqueue_single_" + threads + "t", rate, "jobs/s",
                "SchedulerClient.schedule(instance, time), " + threads + " threads, pool 20, after an untimed "
                        + Bench.SINGLE_WARMUP.toSeconds() + " s of the same loop");
    }

    /** Jobs scheduled through the same scheduler that runs them (immediate execution): db-scheduler's best case. */
    static Result[] latency(HikariDataSource ds, int total, int warmup, int perSecond) throws Exception {
        Bench.sql(ds, "TRUNCATE scheduled_tasks");
        long[] samples = new long[total - warmup];
        AtomicInteger seen = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(1);
        OneTimeTask<Long> task = Tasks.oneTime("timed", Long.class).execute((inst, ctx) -> {
            long now = Bench.nowMicros();
            int n = seen.getAndIncrement();
            if (n >= warmup && n < total) {
                samples[n - warmup] = now - inst.getData();
            }
            if (n == total - 1) {
                all.countDown();
            }
        });
        Scheduler s = Scheduler.create(ds, task).threads(16).pollUsingLockAndFetch(0.5, 3.0).enableImmediateExecution()
                .pollingInterval(Duration.ofSeconds(1)).build();
        s.start();
        Thread.sleep(2000);
        long interval = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        for (int i = 0; i < total; i++) {
            Bench.sleepUntil(next);
            next += interval;
            long t = Bench.nowMicros();
            s.schedule(task.instance("t" + i, t), Instant.now());
        }
        all.await(5, TimeUnit.MINUTES);
        s.stop();
        double[] p = Bench.percentilesMillis(samples);
        String setup = (total - warmup) + " jobs at " + perSecond + "/s after " + warmup
                + " warm-up; scheduled through the same Scheduler that runs them (immediate execution); " + SETUP;
        return new Result[] {new Result(SYSTEM, "latency_p50", p[0], "ms", setup), new Result(SYSTEM, "latency_p95", p[1], "ms", setup),
                new Result(SYSTEM, "latency_p99", p[2], "ms", setup)};
    }
}
