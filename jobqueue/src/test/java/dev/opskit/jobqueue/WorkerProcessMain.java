package dev.opskit.jobqueue;

import dev.opskit.core.shutdown.GracefulShutdown;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;

/**
 * A worker process for the crash and SIGTERM tests, started as a child JVM:
 * {@code WorkerProcessMain <jdbcUrl> <workerId> <queue> <concurrency> <leaseMs> <jobMillis> <shutdownDeadlineMs>}.
 * Its handler {@code sleepy} records its start in {@code test_started}, sleeps {@code jobMillis} and then
 * records the run in {@code test_runs}. Prints {@code READY} once its workers run and its SIGTERM hook is
 * installed: a SIGTERM before that ends the JVM without a drain.
 */
public final class WorkerProcessMain {
    public static void main(String[] args) throws Exception {
        String url = args[0];
        String workerId = args[1];
        String queueName = args[2];
        int concurrency = Integer.parseInt(args[3]);
        Duration lease = Duration.ofMillis(Long.parseLong(args[4]));
        long jobMillis = Long.parseLong(args[5]);
        Duration deadline = Duration.ofMillis(Long.parseLong(args[6]));

        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        PostgresJobQueue queue = PostgresJobQueue.builder(ds).build();
        GracefulShutdown shutdown = new GracefulShutdown();
        Workers workers = Workers.builder(queue)
                .workerId(workerId)
                .queue(queueName, concurrency)
                .leaseDuration(lease)
                .pollInterval(Duration.ofMillis(100))
                .maintenance(false)
                .handler("sleepy", ctx -> {
                    record(ds, "test_started", ctx.job().id(), workerId);
                    Thread.sleep(jobMillis);
                    record(ds, "test_runs", ctx.job().id(), workerId);
                })
                .start()
                .registerWith(shutdown);
        shutdown.installShutdownHook(deadline);
        System.out.println("READY");
        System.out.flush();
        Thread.currentThread().join();
    }

    private static void record(PGSimpleDataSource ds, String table, long jobId, String workerId) throws Exception {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (job_id, worker_id) VALUES (?, ?)")) {
            ps.setLong(1, jobId);
            ps.setString(2, workerId);
            ps.executeUpdate();
        }
    }
}
