package dev.opskit.bench.jobqueue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import javax.sql.DataSource;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/** Helpers shared by the job-queue benchmarks. */
final class Bench {
    /** Jobs in the untimed warm-up burn-down before each measured one (C2 needs several seconds here). */
    static int warmupJobs = 100_000;
    /** Measured burn-downs per system and setting; the median is reported (each is 100,000 jobs, a few seconds). */
    static int burnDownRepeats = 3;

    /** The untimed run of the same loop before each single-enqueue measurement. */
    static final java.time.Duration SINGLE_WARMUP = java.time.Duration.ofSeconds(3);

    private Bench() {
    }

    /** One call of a timed loop: {@code thread} is the caller's index, {@code n} counts its calls from 0. */
    @FunctionalInterface
    interface Call {
        void run(int thread, long n);
    }

    /**
     * Runs {@code call} in a loop on {@code threads} threads for {@code duration} and returns the
     * calls per second over the wall-clock time all of them took.
     */
    static double callsPerSecond(int threads, java.time.Duration duration, Call call) throws InterruptedException {
        java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        List<Thread> ts = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                long n = 0;
                while (System.nanoTime() < end) {
                    call.run(id, n++);
                    count.incrementAndGet();
                }
            });
            th.start();
            ts.add(th);
        }
        for (Thread th : ts) {
            th.join();
        }
        return count.get() / ((System.nanoTime() - start) / 1e9);
    }

    /** Runs {@code run} {@link #burnDownRepeats} times and returns the median, naming every run in the setup. */
    static Result median(java.util.concurrent.Callable<Result> run) throws Exception {
        List<Result> runs = new ArrayList<>();
        for (int i = 0; i < burnDownRepeats; i++) {
            runs.add(run.call());
        }
        List<Result> sorted = new ArrayList<>(runs);
        sorted.sort(java.util.Comparator.comparingDouble(Result::value));
        Result mid = sorted.get(sorted.size() / 2);
        String all = runs.stream().map(r -> String.format(java.util.Locale.ROOT, "%.0f", r.value()))
                .collect(java.util.stream.Collectors.joining(", "));
        return new Result(mid.system(), mid.measurement(), mid.value(), mid.unit(),
                mid.setup() + "; median of " + runs.size() + " measured runs (" + all + ")");
    }

    static long nowMicros() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }

    static HikariDataSource pool(String url, int size) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(size);
        return new HikariDataSource(c);
    }

    static void sql(DataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static long count(DataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /**
     * Sleeps (parks) until {@code System.nanoTime()} reaches {@code deadline}. The enqueuer of the
     * latency measurements paces itself with this, not with a busy spin: on a 2-core machine a
     * spinning enqueuer takes a whole core away from PostgreSQL and the workers being measured.
     */
    static void sleepUntil(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(left);
        }
    }

    /** p50, p95, p99 of microsecond samples, in milliseconds. */
    static double[] percentilesMillis(long[] micros) {
        long[] s = micros.clone();
        Arrays.sort(s);
        return new double[] {s[(int) (s.length * 0.50)] / 1000.0, s[(int) (s.length * 0.95)] / 1000.0,
                s[Math.min(s.length - 1, (int) (s.length * 0.99))] / 1000.0};
    }

    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().replaceAll("\\s+\\S+\\s+\\S+$", "");
        } catch (Exception e) {
            return "?";
        }
    }

    /** Starts this JVM's classpath with {@code mainClass} and {@code args}; lines of its output go to {@code lines}. */
    static Process child(Class<?> mainClass, List<String> args, Consumer<String> lines) throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.accept(line);
                }
            } catch (Exception ignored) {
                // child ended
            }
        }, "child-output");
        t.setDaemon(true);
        t.start();
        return p;
    }
}
