package dev.opskit.bench.jobqueue;

import com.zaxxer.hikari.HikariDataSource;

import java.util.List;

/** JobRunr 7.3.2, configured as its documentation recommends for throughput (filled in below). */
final class JobRunrBench {
    private JobRunrBench() {
    }

    static List<Result> run(String measurement, HikariDataSource ds, int jobs, int latencyJobs, int seconds) throws Exception {
        return List.of();
    }
}
