package dev.opskit.bench.jobqueue;

import com.zaxxer.hikari.HikariDataSource;

import java.util.List;

/** db-scheduler 15.1.1, configured as its documentation recommends for throughput (filled in below). */
final class DbSchedulerBench {
    private DbSchedulerBench() {
    }

    static List<Result> run(String measurement, HikariDataSource ds, int jobs, int latencyJobs, int seconds) throws Exception {
        return List.of();
    }
}
