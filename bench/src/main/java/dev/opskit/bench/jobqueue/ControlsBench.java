package dev.opskit.bench.jobqueue;

import com.zaxxer.hikari.HikariDataSource;
import dev.opskit.jobqueue.PostgresJobQueue;
import dev.opskit.jobqueue.RateLimit;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Issue 15: what queue controls cost the claim. Burn-downs of no-op jobs at 16 worker threads,
 * the settings interleaved round by round (so a change in the machine's load hits all of them
 * alike), median per setting:
 * <ul>
 *   <li>{@code none}: no control row, the plain claim (the common case);</li>
 *   <li>{@code max_running_16}: a cluster-wide concurrency limit equal to the worker count (the
 *       target: within 10% of {@code none});</li>
 *   <li>{@code rate_queue}: a queue-wide rate limit too high to hold anything back (10,000,000/s):
 *       the cost of recording every start and counting the window's starts in the claim;</li>
 *   <li>{@code rate_per_key}: the same per payload field {@code n} (one key per job);</li>
 *   <li>{@code rate_enforced}: 2,000 starts per second on a fifth of the jobs: the rate achieved.</li>
 * </ul>
 * <pre>
 * mvn -q -pl bench exec:exec -Dbench.main=dev.opskit.bench.jobqueue.ControlsBench -Dbench.args="--jobs 100000 --repeats 3"
 * </pre>
 * Also run by {@code JobQueueBench --only controls}.
 */
public final class ControlsBench {
    static final int WORKERS = 16;

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].contains(" ")) {
            args = args[0].trim().split("\\s+");
        }
        int jobs = 100_000;
        List<String> modes = new ArrayList<>(List.of("none", "max_running_16", "rate_queue", "rate_per_key", "rate_enforced"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jobs" -> jobs = Integer.parseInt(args[++i]);
                case "--repeats" -> Bench.burnDownRepeats = Integer.parseInt(args[++i]);
                case "--warmup-jobs" -> Bench.warmupJobs = Integer.parseInt(args[++i]);
                case "--modes" -> modes = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --jobs, --repeats, --warmup-jobs, --modes");
            }
        }
        System.out.println("# machine load before: " + Bench.load() + ", cores: " + Runtime.getRuntime().availableProcessors());
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "off")
                .setServerConfig("max_connections", "300")
                .setServerConfig("shared_buffers", "512MB")
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
             HikariDataSource ds = Bench.pool(pg.getJdbcUrl("postgres", "postgres"), 20)) {
            List<Result> results = run(ds, jobs, modes);
            System.out.println();
            // no reference to JobQueueBench: this main builds without the peers' libraries
            for (Result r : results) {
                System.out.println(r.json(Bench.load()));
            }
            for (Result r : results) {
                System.out.printf(Locale.ROOT, "| %-26s | %,10.0f jobs/s |%n", r.measurement(), r.value());
            }
        }
        System.out.println("# machine load after: " + Bench.load());
        System.exit(0);
    }

    static Consumer<PostgresJobQueue> setup(String mode) {
        return switch (mode) {
            case "none" -> q -> { };
            case "max_running_16" -> q -> q.limitConcurrency("default", WORKERS);
            case "rate_queue" -> q -> q.limitRate("default", RateLimit.of(10_000_000, Duration.ofSeconds(1)));
            case "rate_per_key" -> q -> q.limitRate("default", RateLimit.perKey(1_000, Duration.ofSeconds(1), "n"));
            case "rate_enforced" -> q -> q.limitRate("default", RateLimit.of(2_000, Duration.ofSeconds(1)));
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        };
    }

    static List<Result> run(HikariDataSource ds, int jobs, List<String> modes) throws Exception {
        OpskitBench.burnDownOnce(ds, Bench.warmupJobs, WORKERS, Duration.ZERO, false); // JIT
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (int round = 0; round < Bench.burnDownRepeats; round++) {
            for (String mode : modes) {
                int n = mode.equals("rate_enforced") ? Math.max(1, jobs / 5) : jobs;
                Result r = OpskitBench.burnDownOnce(ds, n, WORKERS, Duration.ZERO, false, setup(mode));
                System.out.printf(Locale.ROOT, "# round %d %-15s %,10.0f jobs/s (load %s)%n", round + 1, mode, r.value(), Bench.load());
                rates.computeIfAbsent(mode, m -> new ArrayList<>()).add(r.value());
            }
        }
        List<Result> out = new ArrayList<>();
        double none = rates.containsKey("none") ? median(rates.get("none")) : Double.NaN;
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            double m = median(e.getValue());
            String runs = e.getValue().stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).reduce((a, b) -> a + ", " + b).orElse("");
            String vsNone = Double.isNaN(none) || e.getKey().equals("none") ? ""
                    : String.format(Locale.ROOT, "; %+.1f%% vs none, %+.1f us of claim path per job", 100 * (m / none - 1),
                            1e6 / m - 1e6 / none);
            int n = e.getKey().equals("rate_enforced") ? Math.max(1, jobs / 5) : jobs;
            out.add(new Result(OpskitBench.SYSTEM, "burn_down_" + e.getKey(), m, "jobs/s", n + " no-op jobs, " + WORKERS
                    + " worker threads, pool 20, retention off, settings interleaved; median of " + e.getValue().size()
                    + " (" + runs + ")" + vsNone));
        }
        return out;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }
}
