package dev.opskit.bench.jobqueue;

import com.zaxxer.hikari.HikariDataSource;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.scheduling.JobScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;
import org.jobrunr.utils.mapper.jackson.JacksonJsonMapper;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * JobRunr 7.3.2 as its documentation recommends: {@code PostgresStorageProvider} on the pooled data
 * source, Jackson job mapper, a {@code BackgroundJobServer} with
 * {@code usingStandardBackgroundJobServerConfiguration().andWorkerCount(16).andPollInterval(5 s)}
 * (its default poll interval is 15 s; 5 s is the smallest it accepts for a SQL store). Jobs are
 * calls of public static no-op methods ({@link JobRunrJobs}).
 */
final class JobRunrBench {
    static final String SYSTEM = "jobrunr";
    /** A burn-down that has not finished after this long is reported as jobs/s over this window. */
    static final Duration BURN_DOWN_WINDOW = Duration.ofSeconds(150);
    private static final String SETUP = "PostgresStorageProvider, Jackson mapper, 16 workers, poll interval 5 s (the smallest it allows; default 15 s), pool 20";

    private static PostgresStorageProvider storage;
    private static JacksonJsonMapper mapper;
    private static JobScheduler scheduler;

    private JobRunrBench() {
    }

    static List<Result> run(String measurement, HikariDataSource ds, int jobs, int latencyJobs, int seconds) throws Exception {
        init(ds);
        return switch (measurement) {
            case "burn_down" -> List.of(burnDown(ds, jobs));
            case "latency" -> List.of(latency(ds, latencyJobs, Math.min(300, latencyJobs / 5), 100));
            case "single" -> List.of(single(ds, 1, seconds), single(ds, 16, seconds));
            case "bulk" -> List.of(bulk(ds, jobs));
            default -> List.of();
        };
    }

    private static synchronized void init(HikariDataSource ds) {
        if (storage == null) {
            mapper = new JacksonJsonMapper();
            storage = new PostgresStorageProvider(ds); // creates its tables
            scheduler = JobRunr.configure().useJsonMapper(mapper).useStorageProvider(storage).initialize().getJobScheduler();
        }
    }

    private static BackgroundJobServer server() {
        BackgroundJobServer s = new BackgroundJobServer(storage, mapper, null,
                BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration()
                        .andWorkerCount(16).andPollInterval(Duration.ofSeconds(5)));
        s.start();
        return s;
    }

    private static void reset(HikariDataSource ds) {
        Bench.sql(ds, "TRUNCATE jobrunr_jobs");
        Bench.sql(ds, "VACUUM ANALYZE jobrunr_jobs");
        JobRunrJobs.DONE.set(0);
    }

    private static long succeeded(HikariDataSource ds) {
        return Bench.count(ds, "SELECT count(*) FROM jobrunr_jobs WHERE state = 'SUCCEEDED'");
    }

    /** 100,000 jobs enqueued with the bulk stream API, then the server starts; bounded by {@link #BURN_DOWN_WINDOW}. */
    static Result burnDown(HikariDataSource ds, int jobs) throws Exception {
        reset(ds);
        scheduler.enqueue(IntStream.range(0, jobs).boxed(), i -> JobRunrJobs.noop(i));
        Bench.sql(ds, "ANALYZE jobrunr_jobs");
        long start = System.nanoTime();
        long deadline = start + BURN_DOWN_WINDOW.toNanos();
        BackgroundJobServer s = server();
        StringBuilder progress = new StringBuilder("# jobrunr burn-down jobs/s per 5 s:");
        long last = 0;
        long nextReport = start + TimeUnit.SECONDS.toNanos(5);
        long done;
        while ((done = succeeded(ds)) < jobs && System.nanoTime() < deadline) {
            Thread.sleep(100);
            if (System.nanoTime() >= nextReport) {
                progress.append(' ').append((done - last) / 5);
                last = done;
                nextReport += TimeUnit.SECONDS.toNanos(5);
            }
        }
        long nanos = System.nanoTime() - start;
        s.stop();
        System.out.println(progress);
        boolean finished = done >= jobs;
        return new Result(SYSTEM, "burn_down", done / (nanos / 1e9), "jobs/s", jobs + " no-op jobs pre-enqueued (bulk stream API); "
                + (finished ? "all succeeded" : "only " + done + " succeeded in the " + BURN_DOWN_WINDOW.toSeconds() + " s window (rate over the window)")
                + "; " + SETUP);
    }

    static Result[] latency(HikariDataSource ds, int total, int warmup, int perSecond) throws Exception {
        reset(ds);
        JobRunrJobs.warmup = warmup;
        JobRunrJobs.samples = new long[total - warmup];
        BackgroundJobServer s = server();
        Thread.sleep(2000);
        long interval = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        for (int i = 0; i < total; i++) {
            Bench.sleepUntil(next);
            next += interval;
            Integer n = i;
            Long t = Bench.nowMicros();
            scheduler.enqueue(() -> JobRunrJobs.timed(n, t));
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (JobRunrJobs.DONE.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        s.stop();
        double[] p = Bench.percentilesMillis(JobRunrJobs.samples);
        String setup = (total - warmup) + " jobs at " + perSecond + "/s after " + warmup
                + " warm-up; enqueued through JobScheduler in the JVM of the server (JobRunr has no notification; workers poll); " + SETUP;
        return new Result[] {new Result(SYSTEM, "latency_p50", p[0], "ms", setup), new Result(SYSTEM, "latency_p95", p[1], "ms", setup),
                new Result(SYSTEM, "latency_p99", p[2], "ms", setup)};
    }

    static Result single(HikariDataSource ds, int threads, int seconds) throws Exception {
        reset(ds);
        Bench.callsPerSecond(threads, Bench.SINGLE_WARMUP, (id, n) -> scheduler.enqueue(() -> JobRunrJobs.noop()));
        reset(ds);
        double rate = Bench.callsPerSecond(threads, java.time.Duration.ofSeconds(seconds), (id, n) -> scheduler.enqueue(() -> JobRunrJobs.noop()));
        return new Result(SYSTEM, "enqueue_single_" + threads + "t", rate, "jobs/s",
                "JobScheduler.enqueue(lambda), no server running, " + threads + " threads, pool 20, after an untimed "
                        + Bench.SINGLE_WARMUP.toSeconds() + " s of the same loop");
    }

    /** {@code JobScheduler.enqueue(Stream, lambda)}: two untimed passes, then the measured one. */
    static Result bulk(HikariDataSource ds, int jobs) {
        double rate = 0;
        for (int pass = 0; pass < 3; pass++) {
            reset(ds);
            long start = System.nanoTime();
            scheduler.enqueue(IntStream.range(0, jobs).boxed(), i -> JobRunrJobs.noop(i));
            rate = jobs / ((System.nanoTime() - start) / 1e9);
        }
        reset(ds);
        return new Result(SYSTEM, "enqueue_bulk", rate, "jobs/s", jobs + " jobs through JobScheduler.enqueue(Stream, lambda), no server running, 1 thread, after two untimed passes");
    }
}
