package dev.opskit.bench.health;

import dev.opskit.core.health.HealthResult;
import dev.opskit.health.CheckOptions;
import dev.opskit.health.HealthEndpoint;
import dev.opskit.health.HealthRegistry;
import dev.opskit.health.HealthServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Load test of a cached probe over HTTP: an opskit {@link HealthServer} and a closed-loop load
 * generator in the same JVM, on the same machine.
 *
 * <p>The generator opens {@code connections} keep-alive TCP connections, each driven by its own
 * thread that sends a request, reads the whole response (Content-Length framing) and sends the
 * next one. Latency is measured per request from just before the write to the end of the body,
 * into a histogram of 1 µs buckets up to 100 ms (plus an overflow count and the max). Closed-loop,
 * so it does not correct for coordinated omission: latency figures are service times under load.
 *
 * <p>Arguments ({@code key=value}, separated by spaces, all optional): {@code connections=8},
 * {@code duration=20} (seconds measured), {@code warmup=5} (seconds), {@code threads=2} (server
 * request threads), {@code path=/health/ready}, {@code checks=3} (UP checks registered besides the
 * built-in deadlock check).
 */
public final class HealthHttpBench {
    private static final int BUCKETS = 100_000; // 1 µs each -> 100 ms

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        int connections = Integer.parseInt(opts.getOrDefault("connections", "8"));
        int duration = Integer.parseInt(opts.getOrDefault("duration", "20"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "5"));
        int threads = Integer.parseInt(opts.getOrDefault("threads", "2"));
        int checks = Integer.parseInt(opts.getOrDefault("checks", "3"));
        String path = opts.getOrDefault("path", "/health/ready");

        HealthRegistry health = HealthRegistry.create();
        for (int i = 0; i < checks; i++) {
            Map<String, Object> details = Map.of("latencyMs", 1.5, "pool", "main");
            health.register("check-" + i, () -> HealthResult.up(details), CheckOptions.readiness().interval(Duration.ofSeconds(1)));
        }
        health.start();
        HealthServer server = HealthServer.builder(HealthEndpoint.of(health)).port(0).bindAddress("127.0.0.1")
                .threads(threads).build().start();
        int port = server.port();
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: opskit-bench\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);

        System.out.printf("opskit health HTTP bench: %s, %d connections, %d server threads, %d checks, warmup %d s, measure %d s%n",
                path, connections, threads, checks, warmup, duration);
        System.out.println("load before: " + loadAverage());
        System.out.println("sample response: " + sample(port, request));

        AtomicBoolean recording = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        List<Worker> workers = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(connections);
        for (int i = 0; i < connections; i++) {
            Worker w = new Worker(port, request, recording, stop, done);
            workers.add(w);
            Thread t = new Thread(w, "load-" + i);
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep(warmup * 1000L);
        recording.set(true);
        long start = System.nanoTime();
        Thread.sleep(duration * 1000L);
        recording.set(false);
        long elapsed = System.nanoTime() - start;
        String loadAfter = loadAverage();
        stop.set(true);
        done.await();

        long[] merged = new long[BUCKETS];
        long count = 0;
        long errors = 0;
        long overflow = 0;
        long max = 0;
        Map<Integer, Long> statuses = new LinkedHashMap<>();
        for (Worker w : workers) {
            for (int i = 0; i < BUCKETS; i++) {
                merged[i] += w.histogram[i];
            }
            count += w.count;
            errors += w.errors;
            overflow += w.overflow;
            max = Math.max(max, w.maxNanos);
            w.statuses.forEach((k, v) -> statuses.merge(k, v, Long::sum));
        }
        double seconds = elapsed / 1e9;
        System.out.printf("requests: %d in %.1f s = %.0f req/s, errors %d, status codes %s%n", count, seconds, count / seconds, errors, statuses);
        System.out.printf("latency µs: p50 %d, p90 %d, p99 %d, p99.9 %d, max %d (over 100 ms: %d)%n",
                percentile(merged, count, 0.50), percentile(merged, count, 0.90), percentile(merged, count, 0.99),
                percentile(merged, count, 0.999), max / 1000, overflow);
        System.out.println("load after: " + loadAfter);
        server.close();
        health.close();
    }

    private static long percentile(long[] histogram, long count, double p) {
        long target = (long) Math.ceil(count * p);
        long seen = 0;
        for (int i = 0; i < histogram.length; i++) {
            seen += histogram[i];
            if (seen >= target) {
                return i + 1;
            }
        }
        return -1; // in the overflow
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim() + " (1, 5, 15 min; " + Runtime.getRuntime().availableProcessors() + " CPUs)";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String sample(int port, byte[] request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port));
            s.getOutputStream().write(request);
            Response r = Response.read(s.getInputStream());
            return r.status + " " + r.body.replace("\n", "\\n");
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (String arg : args) {
            for (String part : arg.trim().split("\\s+")) {
                if (part.isEmpty()) {
                    continue;
                }
                int eq = part.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("arguments are key=value, but got '" + part + "'");
                }
                opts.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return opts;
    }

    /** One keep-alive connection in a closed loop. */
    private static final class Worker implements Runnable {
        final long[] histogram = new long[BUCKETS];
        final Map<Integer, Long> statuses = new LinkedHashMap<>();
        long count;
        long errors;
        long overflow;
        long maxNanos;
        private final int port;
        private final byte[] request;
        private final AtomicBoolean recording;
        private final AtomicBoolean stop;
        private final CountDownLatch done;

        Worker(int port, byte[] request, AtomicBoolean recording, AtomicBoolean stop, CountDownLatch done) {
            this.port = port;
            this.request = request;
            this.recording = recording;
            this.stop = stop;
            this.done = done;
        }

        @Override
        public void run() {
            try {
                while (!stop.get()) {
                    try (Socket s = new Socket()) {
                        s.setTcpNoDelay(true);
                        s.connect(new InetSocketAddress("127.0.0.1", port));
                        s.setSoTimeout(10_000);
                        OutputStream out = s.getOutputStream();
                        InputStream in = new java.io.BufferedInputStream(s.getInputStream(), 8192);
                        while (!stop.get()) {
                            long t0 = System.nanoTime();
                            out.write(request);
                            out.flush();
                            Response r = Response.read(in);
                            long took = System.nanoTime() - t0;
                            if (recording.get()) {
                                record(took, r.status);
                            }
                        }
                    } catch (IOException e) {
                        if (recording.get()) {
                            errors++;
                        }
                    }
                }
            } finally {
                done.countDown();
            }
        }

        private void record(long nanos, int status) {
            count++;
            statuses.merge(status, 1L, Long::sum);
            maxNanos = Math.max(maxNanos, nanos);
            int bucket = (int) (nanos / 1000);
            if (bucket >= BUCKETS) {
                overflow++;
            } else {
                histogram[bucket]++;
            }
        }
    }

    /** A minimal HTTP/1.1 response reader for Content-Length bodies. */
    private record Response(int status, String body) {
        static Response read(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            int status = -1;
            int length = 0;
            boolean first = true;
            while (true) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c == '\n') {
                    String l = line.toString().trim();
                    line.setLength(0);
                    if (l.isEmpty()) {
                        break;
                    }
                    if (first) {
                        status = Integer.parseInt(l.substring(9, 12));
                        first = false;
                    } else if (l.regionMatches(true, 0, "content-length:", 0, 15)) {
                        length = Integer.parseInt(l.substring(15).trim());
                    }
                } else {
                    line.append((char) c);
                }
            }
            byte[] body = in.readNBytes(length);
            if (body.length < length) {
                throw new IOException("short body");
            }
            return new Response(status, new String(body, StandardCharsets.UTF_8));
        }
    }
}
