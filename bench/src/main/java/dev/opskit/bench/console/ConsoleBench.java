package dev.opskit.bench.console;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.opskit.console.ConsoleEndpoint;
import dev.opskit.health.EndpointResponse;
import dev.opskit.health.HealthServer;
import dev.opskit.jobqueue.PostgresJobQueue;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Times {@code GET /console/api/summary} over HTTP (JDK client, keep-alive, one connection) against
 * a job table of {@code jobs} rows in realistic states, filled by one {@code generate_series}
 * insert: four queues (50 / 25 / 20 / 5 %), of each about 90 % due (waiting up to an hour), 10 %
 * scheduled up to a day ahead, 0.1 % running (1,000 busy workers); a fifth of them carry one to three earlier errors; and
 * {@code finished} rows in {@code finished_jobs} over the last hour (95 % completed, 4 % dead, 1 %
 * cancelled), as the default one-hour retention keeps them.
 *
 * <p>Three figures: the console as configured by default (snapshot refreshed in the background when
 * older than 2 s; {@code calls} requests {@code interval} ms apart, so the run spans several
 * refreshes that compete with the requests for the CPU), the first request (which waits for the
 * first snapshot), and the console with {@code summaryMaxAge(ZERO)}, where each of {@code uncached}
 * requests runs the exact counts itself. Then the job search: a page of 50 with no filter, with
 * filters that match 5 %, 0.1 % and none of the jobs.
 *
 * <p>Arguments ({@code key=value}): {@code jobs=1000000}, {@code finished=200000}, {@code calls=200},
 * {@code interval=50} (ms between calls), {@code uncached=30}, {@code searches=20} (calls per job-search
 * filter), {@code url=} (an external PostgreSQL
 * instead of the embedded one).
 */
public final class ConsoleBench {
    private static final Pattern QUERY_MS = Pattern.compile("\"queryMs\":(\\d+)");

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (String s : argv) {
            for (String part : s.trim().split("\\s+")) {
                if (part.contains("=")) {
                    args.put(part.substring(0, part.indexOf('=')), part.substring(part.indexOf('=') + 1));
                }
            }
        }
        int jobs = Integer.parseInt(args.getOrDefault("jobs", "1000000"));
        int finished = Integer.parseInt(args.getOrDefault("finished", "200000"));
        int calls = Integer.parseInt(args.getOrDefault("calls", "200"));
        int interval = Integer.parseInt(args.getOrDefault("interval", "50"));
        int uncached = Integer.parseInt(args.getOrDefault("uncached", "30"));
        int searches = Integer.parseInt(args.getOrDefault("searches", "20"));

        EmbeddedPostgres pg = null;
        String url = args.get("url");
        if (url == null) {
            pg = EmbeddedPostgres.builder().start();
            url = pg.getJdbcUrl("postgres", "postgres");
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setMaximumPoolSize(6);
        try (HikariDataSource ds = new HikariDataSource(hc)) {
            System.out.println("# opskit console bench, " + Runtime.getRuntime().availableProcessors() + " CPUs, "
                    + (pg == null ? "external PostgreSQL" : "embedded PostgreSQL") + ", load before: " + load());
            PostgresJobQueue queue = PostgresJobQueue.builder(ds).build();
            queue.installSchema();
            long t0 = System.nanoTime();
            fill(ds, jobs, finished);
            System.out.printf("filled %,d jobs and %,d finished jobs in %.1f s (insert, VACUUM ANALYZE)%n", jobs, finished,
                    (System.nanoTime() - t0) / 1e9);

            try (ConsoleEndpoint cached = ConsoleEndpoint.builder(queue).build();
                 ConsoleEndpoint exact = ConsoleEndpoint.builder(queue).basePath("/exact").summaryMaxAge(Duration.ZERO).build()) {
                HealthServer.Builder b = HealthServer.builder(r -> EndpointResponse.of(404, EndpointResponse.TEXT, "no"))
                        .bindAddress("127.0.0.1").port(0);
                cached.routes().forEach(b::route);
                exact.routes().forEach(b::route);
                try (HealthServer server = b.build().start()) {
                    HttpClient http = HttpClient.newHttpClient();
                    URI summary = URI.create("http://127.0.0.1:" + server.port() + "/console/api/summary");
                    URI exactSummary = URI.create("http://127.0.0.1:" + server.port() + "/exact/api/summary");

                    long first = System.nanoTime();
                    String body = call(http, summary);
                    System.out.printf("first call (waits for the first snapshot): %.1f ms, snapshot query %s ms%n",
                            (System.nanoTime() - first) / 1e6, queryMs(body));
                    System.out.println("sample: " + body.substring(0, Math.min(400, body.length())) + "…");

                    URI config = URI.create("http://127.0.0.1:" + server.port() + "/console/api/config");
                    double[] floor = new double[calls];
                    for (int i = 0; i < calls; i++) {
                        long s = System.nanoTime();
                        call(http, config);
                        floor[i] = (System.nanoTime() - s) / 1e6;
                        Thread.sleep(interval);
                    }
                    print("floor: /console/api/config (no database, same server and client), " + calls + " calls " + interval + " ms apart", floor);

                    double[] ms = new double[calls];
                    long refreshes = 0;
                    String lastAsOf = "";
                    for (int i = 0; i < calls; i++) {
                        long s = System.nanoTime();
                        String b2 = call(http, summary);
                        ms[i] = (System.nanoTime() - s) / 1e6;
                        String asOf = b2.substring(b2.indexOf("\"asOf\""), b2.indexOf("\"ageMs\""));
                        if (!asOf.equals(lastAsOf)) {
                            refreshes++;
                            lastAsOf = asOf;
                        }
                        Thread.sleep(interval);
                    }
                    print("summary API, default console (snapshot max age 2 s), " + calls + " calls " + interval + " ms apart, "
                            + refreshes + " distinct snapshots", ms);

                    // job search: newest-first pages by the primary keys; a filter that matches rarely reads further
                    for (String q : new String[] {"", "?kind=monthly-report", "?state=running", "?queue=ocr&state=available",
                            "?state=dead", "?kind=no-such-kind"}) {
                        URI search = URI.create("http://127.0.0.1:" + server.port() + "/console/api/jobs" + q);
                        double[] t = new double[searches];
                        for (int i = 0; i < searches; i++) {
                            long s = System.nanoTime();
                            call(http, search);
                            t[i] = (System.nanoTime() - s) / 1e6;
                        }
                        print("job search /console/api/jobs" + q + " (page of 50), " + searches + " calls", t);
                    }

                    double[] ex = new double[uncached];
                    long[] query = new long[uncached];
                    for (int i = 0; i < uncached; i++) {
                        long s = System.nanoTime();
                        String b3 = call(http, exactSummary);
                        ex[i] = (System.nanoTime() - s) / 1e6;
                        query[i] = Long.parseLong(queryMs(b3));
                    }
                    print("summary API, summaryMaxAge(ZERO): exact counts on every call, " + uncached + " calls", ex);
                    Arrays.sort(query);
                    System.out.printf("  of which the snapshot queries (jobs, finished_jobs, throughput, dead-letter stats): p50 %d ms, max %d ms%n",
                            query[query.length / 2], query[query.length - 1]);
                }
            }
            System.out.println("load after: " + load());
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
    }

    private static void fill(DataSource ds, int jobs, int finished) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("""
                    INSERT INTO opskit.jobs (queue, kind, payload, priority, state, run_at, created_at, attempt, max_attempts,
                                             worker_id, attempted_at, lease_expires_at, lease_token, errors)
                    SELECT q.queue, q.kind, jsonb_build_object('n', g, 'to', 'user' || g || '@example.com'), (g % 3) - 1,
                           CASE WHEN g % 1000 = 0 THEN 'running' ELSE 'available' END,
                           CASE WHEN g % 1000 = 0 THEN now() - interval '1 minute'
                                WHEN g % 10 = 1 THEN now() + (g % 86400) * interval '1 second'
                                ELSE now() - (g % 3600) * interval '1 second' END,
                           now() - (g % 7200) * interval '1 second',
                           CASE WHEN g % 5 = 2 THEN 1 + g % 3 WHEN g % 1000 = 0 THEN 1 ELSE 0 END, 20,
                           CASE WHEN g % 1000 = 0 THEN 'worker-' || (g % 8) END,
                           CASE WHEN g % 1000 = 0 THEN now() - interval '1 minute' END,
                           CASE WHEN g % 1000 = 0 THEN now() + interval '4 minutes' END,
                           CASE WHEN g % 1000 = 0 THEN 1 ELSE 0 END,
                           CASE WHEN g % 5 = 2 THEN jsonb_build_array(jsonb_build_object('attempt', 1, 'at', now(),
                                'type', 'java.io.IOException', 'message', 'connection reset', 'reason', 'retry'))
                                ELSE '[]'::jsonb END
                      FROM generate_series(1, $N) g
                      CROSS JOIN LATERAL (SELECT CASE WHEN g % 20 < 10 THEN 'emails' WHEN g % 20 < 15 THEN 'ocr'
                                                      WHEN g % 20 < 19 THEN 'webhooks' ELSE 'reports' END AS queue,
                                                 CASE WHEN g % 20 < 10 THEN 'send-email' WHEN g % 20 < 15 THEN 'scan'
                                                      WHEN g % 20 < 19 THEN 'deliver' ELSE 'monthly-report' END AS kind) q
                    """.replace("$N", Integer.toString(jobs)));
            st.execute("""
                    INSERT INTO opskit.finished_jobs (id, queue, kind, payload, priority, state, run_at, created_at, attempt,
                                                      max_attempts, worker_id, attempted_at, finished_at, errors)
                    SELECT 10000000 + g, CASE WHEN g % 4 < 2 THEN 'emails' WHEN g % 4 = 2 THEN 'ocr' ELSE 'webhooks' END, 'send-email',
                           '{}'::jsonb, 0,
                           CASE WHEN g % 100 < 95 THEN 'completed' WHEN g % 100 < 99 THEN 'dead' ELSE 'cancelled' END,
                           now() - interval '1 hour', now() - interval '1 hour', 1, 20, 'worker-1', now() - interval '1 hour',
                           now() - (g % 3600) * interval '1 second', '[]'::jsonb
                      FROM generate_series(1, $N) g
                    """.replace("$N", Integer.toString(finished)));
            st.execute("VACUUM ANALYZE opskit.jobs");
            st.execute("VACUUM ANALYZE opskit.finished_jobs");
            try (ResultSet rs = st.executeQuery("SELECT pg_size_pretty(pg_total_relation_size('opskit.jobs')),"
                    + " pg_size_pretty(pg_relation_size('opskit.jobs_claim'))")) {
                rs.next();
                System.out.println("jobs table with indexes: " + rs.getString(1) + ", claim index: " + rs.getString(2));
            }
            // the plan of the console's per-state count (QueueSummary.readHot): a (parallel) pass over the table
            try (ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, BUFFERS) SELECT queue, count(*) FILTER (WHERE state = 'available'"
                    + " AND run_at <= now()), count(*) FILTER (WHERE state = 'available' AND run_at > now()),"
                    + " count(*) FILTER (WHERE state = 'running'), count(*) FILTER (WHERE state NOT IN ('available', 'running')),"
                    + " min(run_at) FILTER (WHERE state = 'available' AND run_at <= now()) FROM opskit.jobs GROUP BY queue")) {
                while (rs.next()) {
                    String line = rs.getString(1);
                    if (line.contains("Scan") || line.contains("Execution Time") || line.contains("Workers Launched")) {
                        System.out.println("  plan: " + line.trim());
                    }
                }
            }
        }
    }

    private static String call(HttpClient http, URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    private static String queryMs(String body) {
        Matcher m = QUERY_MS.matcher(body);
        return m.find() ? m.group(1) : "?";
    }

    private static void print(String what, double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        System.out.printf("%s:%n  p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", what, pct(s, 0.50), pct(s, 0.90), pct(s, 0.99),
                s[s.length - 1]);
    }

    private static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
