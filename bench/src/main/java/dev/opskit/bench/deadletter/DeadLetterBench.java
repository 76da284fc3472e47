package dev.opskit.bench.deadletter;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.opskit.deadletter.DeadLetterReason;
import dev.opskit.deadletter.NewDeadLetter;
import dev.opskit.deadletter.PostgresDeadLetterStore;
import dev.opskit.deadletter.ReplayAllRequest;
import dev.opskit.deadletter.ReplayProgress;
import dev.opskit.jobqueue.JobQueueReplayTarget;
import dev.opskit.jobqueue.PostgresJobQueue;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * Dead-letter load harness: add rate, unthrottled replay-all rate through a PostgreSQL replay
 * target, and purge of a million letters in batches while inserts continue (max insert wait).
 *
 * <pre>
 * mvn -q -pl bench exec:exec -Dbench.main=dev.opskit.bench.deadletter.DeadLetterBench \
 *     -Dbench.args="adds=20000 replays=50000 purge=1000000"
 * </pre>
 *
 * Arguments (one string, space separated, key=value): {@code adds} letters added per add run
 * (default 20000), {@code threads} adding threads for the concurrent add run (default 4),
 * {@code replays} letters replayed (default 50000), {@code batch} replay batch size (default 100),
 * {@code purge} letters purged (default 1000000), {@code purgeBatch} (default 1000), {@code purgePause} milliseconds between purge batches (default 0),
 * {@code baseline} seconds of inserts timed before the purge starts (default 5),
 * {@code url} a JDBC URL to use instead of an embedded PostgreSQL 16.
 */
public final class DeadLetterBench {
    private static int purgePauseMs;
    private static int baselineSeconds;

    private DeadLetterBench() {
    }

    public static void main(String[] rawArgs) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (String s : String.join(" ", rawArgs).trim().split("\\s+")) {
            if (s.contains("=")) {
                args.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
            }
        }
        int adds = Integer.parseInt(args.getOrDefault("adds", "20000"));
        int threads = Integer.parseInt(args.getOrDefault("threads", "4"));
        int replays = Integer.parseInt(args.getOrDefault("replays", "50000"));
        int batch = Integer.parseInt(args.getOrDefault("batch", "100"));
        int purge = Integer.parseInt(args.getOrDefault("purge", "1000000"));
        int purgeBatch = Integer.parseInt(args.getOrDefault("purgeBatch", "1000"));
        purgePauseMs = Integer.parseInt(args.getOrDefault("purgePause", "0"));
        baselineSeconds = Integer.parseInt(args.getOrDefault("baseline", "5"));

        EmbeddedPostgres pg = null;
        String url = args.get("url");
        if (url == null) {
            pg = EmbeddedPostgres.builder().start();
            url = pg.getJdbcUrl("postgres", "postgres");
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setMaximumPoolSize(threads + 4);
        try (HikariDataSource ds = new HikariDataSource(hc)) {
            System.out.println("# opskit dead-letter bench, " + Runtime.getRuntime().availableProcessors() + " CPUs, "
                    + (pg == null ? "external PostgreSQL" : "embedded PostgreSQL") + ", " + serverVersion(ds));
            if (adds > 0) {
                addRate(ds, adds, 1);
                addRate(ds, adds, threads);
            }
            if (replays > 0) {
                replayRate(ds, replays, batch);
            }
            if (purge > 0) {
                purgeWhileInserting(ds, purge, purgeBatch);
            }
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
    }

    private static NewDeadLetter letter(String source, int i) {
        return NewDeadLetter.builder(source, "send-email")
                .payload("{\"to\":\"user" + i + "@example.com\",\"template\":\"welcome\"}")
                .header("jobId", String.valueOf(i))
                .errorType("java.io.IOException").causeType("java.net.SocketTimeoutException")
                .message("smtp timed out").stackTrace("java.io.IOException: smtp timed out\n\tat Mailer.send(Mailer.java:42)\n")
                .attempts(25).reason(DeadLetterReason.MAX_ATTEMPTS).build();
    }

    private static PostgresDeadLetterStore store(DataSource ds, String schema, int purgeBatch) {
        PostgresDeadLetterStore store = PostgresDeadLetterStore.builder(ds).schema(schema).purgeBatchSize(purgeBatch)
                .purgePause(Duration.ofMillis(purgePauseMs)).build();
        store.installSchema();
        return store;
    }

    private static void addRate(DataSource ds, int n, int threads) throws Exception {
        String schema = "bench_add_" + threads;
        try (PostgresDeadLetterStore store = store(ds, schema, 1000)) {
            for (int i = 0; i < 500; i++) {
                store.add(letter("warmup:x", i));
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int from = t * (n / threads);
                int to = (t + 1) * (n / threads);
                fs.add(pool.submit(() -> {
                    for (int i = from; i < to; i++) {
                        store.add(letter("jobqueue:emails", i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            double s = (System.nanoTime() - t0) / 1e9;
            pool.shutdown();
            System.out.printf("add (own transaction each), %d thread(s): %d letters in %.2f s = %.0f letters/s%n",
                    threads, n, s, n / s);
        }
    }

    private static void replayRate(DataSource ds, int n, int batch) throws Exception {
        String schema = "bench_replay";
        try (PostgresDeadLetterStore store = store(ds, schema, 1000)) {
            // The real job queue's target: each replay enqueues a new job in the replay's transaction.
            PostgresJobQueue queue = PostgresJobQueue.builder(ds).schema(schema).deadLetterStore(store).build();
            queue.installSchema();
            store.registerReplayTarget(JobQueueReplayTarget.SOURCE_PATTERN, new JobQueueReplayTarget(queue));
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO " + schema + ".dead_letters (source, kind, payload, headers, attempts, reason, error_type, message)"
                        + " SELECT 'jobqueue:emails', 'send-email', jsonb_build_object('to', 'user' || g || '@example.com'),"
                        + " '{}'::jsonb, 25, 'max_attempts', 'java.io.IOException', 'smtp timed out'"
                        + " FROM generate_series(1, " + n + ") g");
                st.execute("ANALYZE " + schema + ".dead_letters");
            }
            long t0 = System.nanoTime();
            ReplayProgress p = store.replayAll(ReplayAllRequest.builder().source("jobqueue:*").batchSize(batch).build());
            double s = (System.nanoTime() - t0) / 1e9;
            long jobs;
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + ".jobs")) {
                rs.next();
                jobs = rs.getLong(1);
            }
            System.out.printf("replay-all, unthrottled, batch %d, job-queue target: %d letters in %.2f s = %.0f letters/s"
                    + " (state %s, done %d, failed %d, jobs inserted %d)%n", batch, n, s, n / s, p.state(), p.done(), p.failed(), jobs);
        }
    }

    private static void purgeWhileInserting(DataSource ds, int n, int purgeBatch) throws Exception {
        String schema = "bench_purge";
        try (PostgresDeadLetterStore store = store(ds, schema, purgeBatch)) {
            long t0 = System.nanoTime();
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO " + schema + ".dead_letters (source, kind, payload, headers, attempts, reason, error_type,"
                        + " message, stack_trace, died_at)"
                        + " SELECT 'jobqueue:' || (g % 5), 'send-email', jsonb_build_object('to', 'user' || g || '@example.com'),"
                        + " jsonb_build_object('jobId', g::text), 25, 'max_attempts', 'java.io.IOException', 'smtp timed out',"
                        + " repeat('at Mailer.send(Mailer.java:42) ', 20), now() - interval '30 days' + (g || ' ms')::interval"
                        + " FROM generate_series(1, " + n + ") g");
                st.execute("VACUUM ANALYZE " + schema + ".dead_letters");
            }
            System.out.printf("purge setup: %d old letters inserted in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);

            AtomicBoolean stop = new AtomicBoolean();
            long[] waits = new long[2_000_000];
            int[] count = {0};
            Thread inserter = new Thread(() -> {
                int i = 0;
                while (!stop.get() && count[0] < waits.length) {
                    long s = System.nanoTime();
                    store.add(letter("webhook:stripe", i++));
                    waits[count[0]++] = System.nanoTime() - s;
                }
            }, "bench-inserter");
            inserter.start();
            Thread.sleep(baselineSeconds * 1000L); // baseline: the same inserts with no purge running, to see what the machine alone does
            int before = count[0];
            long p0 = System.nanoTime();
            long purged = store.purgeOlderThan(Duration.ofDays(7));
            double ps = (System.nanoTime() - p0) / 1e9;
            int during = count[0] - before;
            Thread.sleep(500);
            stop.set(true);
            inserter.join();
            long[] baseline = Arrays.copyOfRange(waits, 200, Math.max(200, before)); // skip the first inserts (JIT warm-up)
            long[] inPurge = Arrays.copyOfRange(waits, before, before + during);
            Arrays.sort(baseline);
            Arrays.sort(inPurge);
            System.out.printf("purge: %d letters in %.1f s = %.0f letters/s, batches of %d, pause %d ms%n", purged, ps, purged / ps,
                    purgeBatch, purgePauseMs);
            System.out.printf("inserts during the purge: %d, wait max %.1f ms, p99.9 %.1f ms, p99 %.1f ms, p50 %.2f ms; inserts over 100 ms: %d%n",
                    during, ms(inPurge, 1.0), ms(inPurge, 0.999), ms(inPurge, 0.99), ms(inPurge, 0.5), over(inPurge, 100));
            System.out.printf("baseline (same inserts, no purge, %d s): %d, wait max %.1f ms, p99.9 %.1f ms, p99 %.1f ms, p50 %.2f ms; over 100 ms: %d%n",
                    baselineSeconds, baseline.length, ms(baseline, 1.0), ms(baseline, 0.999), ms(baseline, 0.99), ms(baseline, 0.5), over(baseline, 100));
        }
    }

    private static long over(long[] waits, long millis) {
        return Arrays.stream(waits).filter(w -> w > millis * 1_000_000L).count();
    }

    private static double ms(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int idx = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, idx)] / 1e6;
    }

    private static String serverVersion(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            String v = rs.getString(1);
            try (ResultSet f = st.executeQuery("SHOW fsync")) {
                f.next();
                return "PostgreSQL " + v + ", fsync=" + f.getString(1);
            }
        }
    }
}
