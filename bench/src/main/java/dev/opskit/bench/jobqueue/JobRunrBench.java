package dev.opskit.bench.jobqueue;

import com.zaxxer.hikari.HikariDataSource;

import java.util.List;

/**
 * JobRunr 7.3.2 is not measured yet: it needs a JSON library for its job mapper (Jackson, Gson or
 * JSON-B) and the bench module has none on its runtime classpath. Adding
 * {@code com.fasterxml.jackson.core:jackson-databind} (already pinned in the parent) to
 * {@code bench/pom.xml} is the one step needed; see {@code bench/results/jobqueue.md}.
 */
final class JobRunrBench {
    private JobRunrBench() {
    }

    static List<Result> run(String measurement, HikariDataSource ds, int jobs, int latencyJobs, int seconds) {
        if (measurement.equals("burn_down")) {
            System.out.println("# jobrunr: not measured (needs jackson-databind on the bench classpath; see bench/results/jobqueue.md)");
        }
        return List.of();
    }
}
