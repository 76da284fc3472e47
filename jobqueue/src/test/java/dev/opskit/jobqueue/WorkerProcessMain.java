package dev.opskit.jobqueue;

import dev.opskit.core.shutdown.GracefulShutdown;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;

/**
 * A worker process for the crash and SIGTERM tests, started as a child JVM:
 * {@code WorkerProcessMain <jdbcUrl> <workerId> <queue> <concurrency> <leaseMs> <jobMillis> <shutdownDeadlineMs>}.
 * Its handler {@code sleepy} sleeps {@code jobMillis} and then records the run in {@code test_runs}.
 * Prints {@code READY} once its workers run.
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
                    Thread.sleep(jobMillis);
                    try (Connection c = ds.getConnection();
                         PreparedStatement ps = c.prepareStatement("INSERT INTO test_runs (job_id, worker_id) VALUES (?, ?)")) {
                        ps.setLong(1, ctx.job().id());
                        ps.setString(2, workerId);
                        ps.executeUpdate();
                    }
                })
                .start()
                .registerWith(shutdown);
        shutdown.installShutdownHook(deadline);
        System.out.println("READY");
        System.out.flush();
        Thread.currentThread().join();
    }
}
