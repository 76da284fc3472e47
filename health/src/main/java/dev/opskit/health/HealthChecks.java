package dev.opskit.health;

import dev.opskit.core.health.HealthCheck;
import dev.opskit.core.health.HealthResult;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Factories for the built-in checks. For a HikariCP pool see {@link HikariPoolCheck} (kept apart so
 * HikariCP is only needed when that check is used).
 */
public final class HealthChecks {
    /** Query of {@link #dataSource(DataSource)}: {@value}. */
    public static final String DEFAULT_VALIDATION_QUERY = "SELECT 1";
    /** Query timeout of {@link #dataSource(DataSource)}: 1 second (JDBC query timeouts have a granularity of one second). */
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(1);

    private HealthChecks() {
    }

    /** {@link #dataSource(DataSource, String, Duration)} with {@code SELECT 1} and a 1 s query timeout. */
    public static HealthCheck dataSource(DataSource dataSource) {
        return dataSource(dataSource, DEFAULT_VALIDATION_QUERY, DEFAULT_QUERY_TIMEOUT);
    }

    /**
     * Borrows a connection, runs {@code query} with a query timeout (rounded up to whole seconds,
     * as JDBC requires) and reports {@code latencyMs} (borrow plus query). UP when the query
     * answers; DOWN with the {@code SQLException}'s type and message otherwise. Put it in readiness,
     * never in liveness. Register it with a check timeout at least as long as the query timeout:
     * the check timeout also covers a borrow that waits for a pool.
     *
     * @param query a trivial read-only statement, a constant (never user input)
     */
    public static HealthCheck dataSource(DataSource dataSource, String query, Duration queryTimeout) {
        Objects.requireNonNull(dataSource, "dataSource must not be null");
        Objects.requireNonNull(query, "query must not be null");
        Objects.requireNonNull(queryTimeout, "queryTimeout must not be null");
        if (query.isBlank()) {
            throw new IllegalArgumentException("query must not be blank");
        }
        if (queryTimeout.isNegative() || queryTimeout.isZero()) {
            throw new IllegalArgumentException("queryTimeout must be greater than 0, but was " + queryTimeout.toMillis() + " ms");
        }
        int seconds = (int) Math.max(1, (queryTimeout.toMillis() + 999) / 1000);
        return () -> {
            long start = System.nanoTime();
            try (Connection connection = dataSource.getConnection(); Statement st = connection.createStatement()) {
                st.setQueryTimeout(seconds);
                try (ResultSet rs = st.executeQuery(query)) {
                    rs.next();
                }
            }
            long micros = (System.nanoTime() - start) / 1_000;
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("latencyMs", micros / 1000.0);
            return HealthResult.up(details);
        };
    }

    /**
     * DOWN when the file store holding {@code path} has fewer than {@code minFreeBytes} usable
     * bytes; UP otherwise. Details: {@code path}, {@code freeBytes}, {@code totalBytes},
     * {@code thresholdBytes}.
     */
    public static HealthCheck diskSpace(Path path, long minFreeBytes) {
        Objects.requireNonNull(path, "path must not be null");
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("minFreeBytes must be at least 0, but was " + minFreeBytes);
        }
        return () -> {
            FileStore store;
            try {
                store = Files.getFileStore(path);
            } catch (IOException e) {
                return HealthResult.down(e, Map.of("path", path.toString()));
            }
            long free = store.getUsableSpace();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("path", path.toString());
            details.put("freeBytes", free);
            details.put("totalBytes", store.getTotalSpace());
            details.put("thresholdBytes", minFreeBytes);
            if (free < minFreeBytes) {
                return HealthResult.down("only " + free + " bytes free on " + path + ", below the threshold of "
                        + minFreeBytes + " bytes").withDetail("path", path.toString()).withDetail("freeBytes", free)
                        .withDetail("thresholdBytes", minFreeBytes);
            }
            return HealthResult.up(details);
        };
    }

    /**
     * A liveness check: DOWN when the JVM finds threads deadlocked on monitors or ownable
     * synchronizers ({@link ThreadMXBean#findDeadlockedThreads()}), naming up to ten of them. Such
     * threads never recover, so a restart is the right answer. Registered by default by
     * {@link HealthRegistry} as {@value HealthRegistry#DEADLOCK_CHECK}.
     */
    public static HealthCheck deadlockedThreads() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        return () -> {
            long[] ids = threads.isSynchronizerUsageSupported() ? threads.findDeadlockedThreads() : threads.findMonitorDeadlockedThreads();
            if (ids == null || ids.length == 0) {
                return HealthResult.up();
            }
            List<String> names = new ArrayList<>();
            for (ThreadInfo info : threads.getThreadInfo(ids)) {
                if (info != null && names.size() < 10) {
                    names.add(info.getThreadName());
                }
            }
            return HealthResult.down(ids.length + " deadlocked threads: " + String.join(", ", names))
                    .withDetail("deadlockedThreads", ids.length)
                    .withDetail("threads", String.join(", ", names));
        };
    }

    /**
     * JVM heap in use after the last garbage collection, as a share of the maximum heap: DEGRADED
     * above {@code degradedAbove} (0.9 for the runbooks' 90 %), UP otherwise. After-GC use is what
     * the application really keeps (the live set); the heap just before a collection is always
     * nearly full and says nothing. UP with {@code "noGcYet": true} before the first collection.
     * Details: {@code usedAfterGcBytes}, {@code maxBytes}, {@code ratio}, {@code threshold}.
     *
     * @param degradedAbove in (0, 1]
     */
    public static HealthCheck heapAfterGc(double degradedAbove) {
        if (!(degradedAbove > 0 && degradedAbove <= 1)) {
            throw new IllegalArgumentException("degradedAbove must be in (0, 1], like 0.9, but was " + degradedAbove);
        }
        return () -> {
            long used = 0;
            boolean collected = false;
            for (java.lang.management.MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() != java.lang.management.MemoryType.HEAP) {
                    continue;
                }
                java.lang.management.MemoryUsage after = pool.getCollectionUsage();
                if (after != null) {
                    used += after.getUsed();
                    collected |= after.getUsed() > 0 || after.getCommitted() > 0;
                }
            }
            long max = Runtime.getRuntime().maxMemory();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("usedAfterGcBytes", used);
            details.put("maxBytes", max);
            details.put("threshold", degradedAbove);
            if (!collected) {
                details.put("noGcYet", true);
                return HealthResult.up(details);
            }
            double ratio = max <= 0 ? 0 : (double) used / max;
            details.put("ratio", Math.round(ratio * 1000) / 1000.0);
            if (ratio > degradedAbove) {
                details.put("reason", String.format(java.util.Locale.ROOT, "%.1f %% of the heap is still in use after GC,"
                        + " above %.1f %%", ratio * 100, degradedAbove * 100));
                return HealthResult.degraded(details);
            }
            return HealthResult.up(details);
        };
    }

    /**
     * An HTTP dependency: a GET of {@code uri} answered within {@code timeout} with a status below
     * 400 is UP; 5xx, 4xx, no answer in time or a connection error is DOWN (the message says which).
     * Redirects are not followed (a 3xx is an answer). Details: {@code uri} (without user info and
     * query), {@code status}, {@code elapsedMs}.
     */
    public static HealthCheck http(java.net.URI uri, Duration timeout) {
        Objects.requireNonNull(uri, "uri must not be null");
        Objects.requireNonNull(timeout, "timeout must not be null");
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("uri must be http or https, but was " + uri.getScheme() + " in " + shown(uri));
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
        }
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        String shown = shown(uri);
        return () -> {
            long start = System.nanoTime();
            java.net.http.HttpResponse<Void> response;
            try {
                response = client.sendAsync(request, java.net.http.HttpResponse.BodyHandlers.discarding())
                        .get(timeout.toMillis() + 250, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return HealthResult.down("no answer from " + shown + " within " + timeout.toMillis() + " ms").withDetail("uri", shown);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return HealthResult.down("interrupted while calling " + shown).withDetail("uri", shown);
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (cause instanceof java.net.http.HttpTimeoutException) {
                    return HealthResult.down("no answer from " + shown + " within " + timeout.toMillis() + " ms").withDetail("uri", shown);
                }
                return HealthResult.down(cause, Map.of("uri", shown));
            }
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("uri", shown);
            details.put("status", response.statusCode());
            details.put("elapsedMs", elapsed);
            if (response.statusCode() >= 400) {
                return HealthResult.of(dev.opskit.core.health.HealthStatus.DOWN, details)
                        .withError("HttpStatus", shown + " answered " + response.statusCode());
            }
            return HealthResult.up(details);
        };
    }

    /** The URI without user info, query and fragment: health details are often public. */
    private static String shown(java.net.URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }
}
