package dev.opskit.bench.jobqueue;

import com.zaxxer.hikari.HikariDataSource;
import dev.opskit.jobqueue.PostgresJobQueue;
import dev.opskit.jobqueue.Workers;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The worker JVM of the latency measurement: {@code LatencyWorker <jdbcUrl> <total> <warmup>}. */
public final class LatencyWorker {
    private static final Pattern T = Pattern.compile("\"t\":\\s*(\\d+)");

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int total = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        long[] samples = new long[total - warmup];
        AtomicInteger seen = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        try (HikariDataSource ds = Bench.pool(url, 20)) {
            PostgresJobQueue q = PostgresJobQueue.builder(ds).finishedRetention(Duration.ZERO).build();
            Workers w = Workers.builder(q).queue("default", 16).handler("timed", ctx -> {
                long now = Bench.nowMicros();
                Matcher m = T.matcher(ctx.payload());
                if (!m.find()) {
                    throw new IllegalStateException("no timestamp in " + ctx.payload());
                }
                int n = seen.getAndIncrement();
                if (n >= warmup && n < total) {
                    samples[n - warmup] = now - Long.parseLong(m.group(1));
                }
                if (n == total - 1) {
                    done.countDown();
                }
            }).start();
            System.out.println("READY");
            done.await();
            double[] p = Bench.percentilesMillis(samples);
            System.out.println("LATENCY " + p[0] + " " + p[1] + " " + p[2]);
            w.shutdown(Duration.ofSeconds(5));
        }
    }
}
