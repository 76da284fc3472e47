package dev.opskit.bench.jobqueue;

import com.zaxxer.hikari.HikariDataSource;
import dev.opskit.jobqueue.CatchUp;
import dev.opskit.jobqueue.JobQueueMetrics;
import dev.opskit.jobqueue.JobRequest;
import dev.opskit.jobqueue.PostgresJobQueue;
import dev.opskit.jobqueue.Schedule;
import dev.opskit.jobqueue.Workers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Recurring jobs on several worker JVMs, in real time: every JVM declares the same schedules (a mix
 * of 6-field crons in Europe/Berlin, 5-field crons and intervals of 1 to 10 s) and races the others
 * for each due time. Afterwards the database is checked against the schedules' own due times:
 *
 * <ul>
 *   <li>due times: every due time of every schedule from its first declaration to 1 s before the JVMs stop;</li>
 *   <li>duplicates: due times won by the processes (the {@code opskit.jobs.schedule.enqueued} counters, which
 *       count compare-and-set wins, before the unique key could hide a second insert) minus distinct jobs;</li>
 *   <li>misses: due times without a job, plus the processes' {@code opskit.jobs.schedule.missed};</li>
 *   <li>enqueue lag: the job's {@code created_at} (the database's clock, same host) minus its due time.</li>
 * </ul>
 *
 * <pre>
 * RecurringBench [minutes=10] [jvms=4] [schedules=1000]
 * </pre>
 */
public final class RecurringBench {
    private static final String KIND = "bench-recurring";

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args[1], args[2], Long.parseLong(args[3]), Long.parseLong(args[4]), Integer.parseInt(args[5]));
            return;
        }
        Map<String, String> opts = new HashMap<>(Map.of("minutes", "10", "jvms", "4", "schedules", "1000"));
        // exec:exec passes -Dbench.args as one argument
        for (String a : String.join(" ", args).trim().split("\\s+")) {
            if (a.isEmpty()) {
                continue;
            }
            int eq = a.indexOf('=');
            if (eq < 0 || !opts.containsKey(a.substring(0, eq))) {
                throw new IllegalArgumentException("unknown argument '" + a + "'; use minutes=N jvms=N schedules=N");
            }
            opts.put(a.substring(0, eq), a.substring(eq + 1));
        }
        double minutes = Double.parseDouble(opts.get("minutes"));
        int jvms = Integer.parseInt(opts.get("jvms"));
        int count = Integer.parseInt(opts.get("schedules"));
        System.out.println("# machine load before: " + Bench.load() + ", cores: " + Runtime.getRuntime().availableProcessors()
                + "; " + count + " schedules on " + jvms + " JVMs for " + minutes + " minutes (real time)");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "200").setPGStartupWait(Duration.ofSeconds(60)).start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            try (HikariDataSource ds = Bench.pool(url, 4)) {
                PostgresJobQueue.builder(ds).build().installSchema();
                long startAt = System.currentTimeMillis() + 8_000; // every JVM up before the first declaration
                long endAt = startAt + (long) (minutes * 60_000);
                Map<String, long[]> reports = new ConcurrentHashMap<>();
                List<Process> children = new ArrayList<>();
                for (int i = 0; i < jvms; i++) {
                    String id = "jvm-" + i;
                    children.add(Bench.child(RecurringBench.class, List.of("child", url, id, String.valueOf(startAt), String.valueOf(endAt),
                            String.valueOf(count)),
                            line -> {
                                if (line.startsWith("RESULT ")) {
                                    String[] f = line.split(" ");
                                    reports.put(f[1], new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])});
                                } else if (line.contains("WARN") || line.contains("ERROR")) {
                                    System.out.println("[" + id + "] " + line);
                                }
                            }));
                }
                for (Process p : children) {
                    if (!p.waitFor((long) (minutes * 60) + 120, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        throw new IllegalStateException("a child JVM did not finish");
                    }
                }
                Thread.sleep(500);
                report(ds, count, jvms, minutes, startAt, Instant.ofEpochMilli(endAt).minusSeconds(1), reports);
            }
        }
    }

    /** The schedules every JVM declares: 4 families of {@code count / 4}. */
    static List<Schedule> schedules(int count) {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        int[] steps = {1, 2, 3, 5, 10, 15, 20, 30};
        List<Schedule> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            JobRequest job = JobRequest.builder(KIND).queue("recurring").payload("{\"i\":" + i + "}").build();
            String name = "s" + i;
            out.add(switch (i % 4) {
                case 0 -> Schedule.every(name, Duration.ofSeconds(1 + (i / 4) % 10), job);
                case 1 -> Schedule.cron(name, "*/" + steps[(i / 4) % steps.length] + " * * * * *", berlin, job);
                case 2 -> Schedule.cron(name, (i / 4) % 60 + " * * * * *", berlin, job);
                default -> Schedule.cron(name, (i / 4) % 2 == 0 ? "* * * * *" : "*/2 * * * *", job).catchUp(CatchUp.ALL);
            });
        }
        return out;
    }

    private static void child(String url, String id, long startAt, long endAt, int count) throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<Schedule> schedules = schedules(count);
        try (HikariDataSource ds = Bench.pool(url, 8)) {
            PostgresJobQueue queue = PostgresJobQueue.builder(ds).build();
            new JobQueueMetrics(queue).bindTo(registry);
            Workers.Builder b = Workers.builder(queue).workerId(id).queue("unused", 1);
            schedules.forEach(b::schedule);
            Workers w = b.build();
            waitUntil(startAt); // all JVMs start together and race from the first due time on
            w.start();
            waitUntil(endAt);
            w.shutdown(Duration.ofSeconds(10));
        }
        long won = 0;
        long missed = 0;
        for (Counter c : registry.find(JobQueueMetrics.SCHEDULE_ENQUEUED).counters()) {
            won += (long) c.count();
        }
        for (Counter c : registry.find(JobQueueMetrics.SCHEDULE_MISSED).counters()) {
            missed += (long) c.count();
        }
        System.out.println("RESULT " + id + " " + won + " " + missed);
        System.out.flush();
    }

    private static void waitUntil(long epochMillis) throws InterruptedException {
        long left;
        while ((left = epochMillis - System.currentTimeMillis()) > 0) {
            Thread.sleep(Math.min(left, 200));
        }
    }

    private static double percentile(List<Long> micros, double q) {
        if (micros.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(micros);
        sorted.sort(null);
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(sorted.size() * q))) / 1000.0;
    }

    private static void report(HikariDataSource ds, int count, int jvms, double minutes, long startAt, Instant windowEnd,
                               Map<String, long[]> reports) throws Exception {
        Map<String, Schedule> byName = new HashMap<>();
        schedules(count).forEach(s -> byName.put(s.name(), s));
        Map<String, Instant> created = new HashMap<>();
        Set<String> keys = new HashSet<>();
        List<Long> lags = new ArrayList<>();
        List<Long> warmLags = new ArrayList<>(); // due times after the first 30 s (JVMs past their start)
        Instant warmFrom = Instant.ofEpochMilli(startAt).plusSeconds(30);
        long rows = 0;
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT name, created_at FROM opskit.schedules")) {
                while (rs.next()) {
                    created.put(rs.getString(1), rs.getObject(2, java.time.OffsetDateTime.class).toInstant());
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT unique_key, created_at FROM opskit.jobs WHERE kind = '" + KIND + "'")) {
                while (rs.next()) {
                    rows++;
                    String key = rs.getString(1);
                    keys.add(key);
                    Instant due = Instant.parse(key.substring(key.indexOf('@') + 1));
                    Instant at = rs.getObject(2, java.time.OffsetDateTime.class).toInstant();
                    lags.add(Duration.between(due, at).toNanos() / 1000);
                    if (due.isAfter(warmFrom)) {
                        warmLags.add(Duration.between(due, at).toNanos() / 1000);
                    }
                }
            }
        }
        long expected = 0;
        long absent = 0;
        for (Schedule s : byName.values()) {
            Instant from = created.get(s.name());
            if (from == null) {
                throw new IllegalStateException("schedule " + s.name() + " was never declared");
            }
            Instant t = from;
            while ((t = s.nextAfter(t)) != null && !t.isAfter(windowEnd)) {
                expected++;
                if (!keys.contains("schedule:" + s.name() + "@" + t)) {
                    absent++;
                }
            }
        }
        long won = reports.values().stream().mapToLong(r -> r[0]).sum();
        long missedCounted = reports.values().stream().mapToLong(r -> r[1]).sum();
        double p50 = percentile(lags, 0.50);
        double p99 = percentile(lags, 0.99);
        double max = percentile(lags, 1.0);
        System.out.printf(Locale.ROOT, "processes reporting: %d of %d%n", reports.size(), jvms);
        System.out.printf(Locale.ROOT, "due times (first declaration to 1 s before stop): %d%n", expected);
        System.out.printf(Locale.ROOT, "jobs: %d rows, %d distinct due times; compare-and-set wins over all JVMs: %d%n", rows, keys.size(), won);
        System.out.printf(Locale.ROOT, "duplicates: %d%n", won - keys.size() + (rows - keys.size()));
        System.out.printf(Locale.ROOT, "misses: %d without a job, %d counted by catch-up%n", absent, missedCounted);
        System.out.printf(Locale.ROOT, "enqueue lag ms: p50 %.2f, p99 %.2f, max %.2f (all %d jobs)%n", p50, p99, max, lags.size());
        System.out.printf(Locale.ROOT, "enqueue lag ms after the first 30 s: p50 %.2f, p99 %.2f, max %.2f (%d jobs)%n",
                percentile(warmLags, 0.5), percentile(warmLags, 0.99), percentile(warmLags, 1.0), warmLags.size());
        String setup = count + " schedules, " + jvms + " JVMs, " + minutes + " min";
        System.out.println(new Result("opskit", "recurring_due_times", expected, "due times", setup).json(Bench.load()));
        System.out.println(new Result("opskit", "recurring_duplicates", won - keys.size() + (rows - keys.size()), "jobs", setup).json(Bench.load()));
        System.out.println(new Result("opskit", "recurring_misses", absent + missedCounted, "due times", setup).json(Bench.load()));
        System.out.println(new Result("opskit", "recurring_lag_p50", p50, "ms", setup).json(Bench.load()));
        System.out.println(new Result("opskit", "recurring_lag_p99", p99, "ms", setup).json(Bench.load()));
    }
}
