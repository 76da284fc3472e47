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

    private static long micros(java.time.Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        int total = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        long[] samples = new long[total - warmup];
        long[] toInsert = new long[total - warmup]; // enqueue call -> the insert's now() (created_at)
        long[] toClaim = new long[total - warmup]; // created_at -> the claim's now() (attempted_at): commit, NOTIFY, wake-up
        long[] toStart = new long[total - warmup]; // attempted_at -> handler start: the claim statement and the hand-off
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
                    long t = Long.parseLong(m.group(1));
                    samples[n - warmup] = now - t;
                    long created = micros(ctx.job().createdAt());
                    long attempted = micros(ctx.job().attemptedAt());
                    toInsert[n - warmup] = created - t;
                    toClaim[n - warmup] = attempted - created;
                    toStart[n - warmup] = now - attempted;
                }
                if (n == total - 1) {
                    done.countDown();
                }
            }).start();
            System.out.println("READY");
            done.await();
            double[] p = Bench.percentilesMillis(samples);
            double[] a = Bench.percentilesMillis(toInsert);
            double[] b = Bench.percentilesMillis(toClaim);
            double[] c = Bench.percentilesMillis(toStart);
            System.out.println("# opskit latency breakdown p50/p99 ms: enqueue->insert " + a[0] + "/" + a[2]
                    + ", insert->claim (commit, NOTIFY, wake-up) " + b[0] + "/" + b[2] + ", claim->handler " + c[0] + "/" + c[2]);
            System.out.println("LATENCY " + p[0] + " " + p[1] + " " + p[2]);
            w.shutdown(Duration.ofSeconds(5));
        }
    }
}
