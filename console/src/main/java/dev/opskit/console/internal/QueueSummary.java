package dev.opskit.console.internal;

import dev.opskit.deadletter.DeadLetterStore;
import dev.opskit.deadletter.SourceStats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queues' summary: jobs per queue and state, the oldest due job's wait, completions per minute
 * over the last {@value #MINUTES} minutes, and the dead letters waiting per source.
 *
 * <p>Exact counts need a pass over the hot table ({@code jobs} has no per-state counter, and its
 * partial indexes do not cover every state), which takes hundreds of milliseconds at a million
 * jobs. So the summary is a snapshot, served from memory: a request that finds it older than
 * {@code maxAge} gets it at once and starts one refresh in the background (on the thread
 * {@code opskit-console-summary}), so the page never waits for the count and concurrent pages cost
 * one query per {@code maxAge}, not one each. Only the first request, a request after a quiet spell
 * (snapshot older than ten max ages, at least 30 s) and every request with a max age of zero wait
 * for the query. Each answer says when its snapshot was taken ({@code asOf}).
 * The per-minute throughput reads {@code finished_jobs} through its {@code finished_at} index, so
 * it needs the queue's finished-job retention (default one hour); without it the chart is empty.
 */
public final class QueueSummary implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QueueSummary.class);
    /** Minutes of throughput in the chart, the current one included. */
    static final int MINUTES = 15;

    private final DataSource dataSource;
    private final String schema;
    private final @Nullable DeadLetterStore deadLetters;
    private final Duration maxAge;
    private final Object loadLock = new Object();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile @Nullable Snapshot last;
    private volatile @Nullable String lastError;
    private @Nullable ExecutorService refresher;

    /** One queue's jobs. {@code other}: states this console does not know (a newer job queue). */
    public record QueueRow(String queue, long due, long scheduled, long running, long completed, long cancelled, long dead,
                           long other, @Nullable Duration oldestDueAge) {
    }

    /** Jobs that finished in one minute. */
    public record Minute(Instant start, long completed, long cancelled, long dead) {
    }

    /** The summary at {@code asOf} (database time), read in {@code queryMillis}. */
    public record Snapshot(Instant asOf, long queryMillis, long loadedNanos, List<QueueRow> queues, List<Minute> minutes,
                           List<SourceStats> deadLetters) {
    }

    public QueueSummary(DataSource dataSource, String schema, @Nullable DeadLetterStore deadLetters, Duration maxAge) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.deadLetters = deadLetters;
        this.maxAge = maxAge;
    }

    /** The error of the last background refresh, or null when it worked. */
    public @Nullable String lastError() {
        return lastError;
    }

    /** The current snapshot; loads it on the first call (or always, with a max age of zero). */
    public Snapshot get() {
        Snapshot s = last;
        if (s == null || maxAge.isZero() || tooOld(s)) {
            synchronized (loadLock) {
                s = last;
                if (s == null || maxAge.isZero() || tooOld(s)) {
                    s = load();
                    last = s;
                    lastError = null;
                }
            }
            return s;
        }
        if (System.nanoTime() - s.loadedNanos() > maxAge.toNanos() && refreshing.compareAndSet(false, true)) {
            try {
                executor().execute(this::refresh);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                refreshing.set(false);
            }
        }
        return s;
    }

    /**
     * Refreshes happen only when asked for, so after a quiet hour the snapshot is an hour old: past
     * ten times the max age (at least 30 s) a request waits for a new one rather than show it.
     */
    private boolean tooOld(Snapshot s) {
        long limit = Math.max(maxAge.toNanos() * 10, 30_000_000_000L);
        return System.nanoTime() - s.loadedNanos() > limit;
    }

    private void refresh() {
        try {
            last = load();
            lastError = null;
        } catch (RuntimeException e) {
            if (lastError == null) {
                log.warn("console[{}] - could not refresh the queue summary: {}", schema, e.getMessage());
            }
            lastError = e.getMessage();
        } finally {
            refreshing.set(false);
        }
    }

    private synchronized ExecutorService executor() {
        if (refresher == null) {
            refresher = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "opskit-console-summary");
                t.setDaemon(true);
                return t;
            });
        }
        return refresher;
    }

    @Override
    public synchronized void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }

    Snapshot load() {
        long started = System.nanoTime();
        Instant asOf;
        Map<String, long[]> rows = new TreeMap<>();
        Map<String, Long> oldest = new TreeMap<>();
        List<Minute> minutes = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            int isolation = c.getTransactionIsolation();
            // one snapshot for the three statements, so the numbers agree with each other and with asOf
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                // a background count is not urgent: one database core, not a parallel scan that competes with the workers
                try (PreparedStatement ps = c.prepareStatement("SET LOCAL max_parallel_workers_per_gather = 0")) {
                    ps.execute();
                }
                asOf = readHot(c, rows, oldest);
                readFinished(c, rows);
                readMinutes(c, asOf, minutes);
                c.commit();
            } finally {
                if (!c.getAutoCommit()) {
                    c.rollback();
                }
                c.setTransactionIsolation(isolation);
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the job counts of schema '" + schema + "': " + e.getMessage(), e);
        }
        List<SourceStats> letters = deadLetters == null ? List.of() : deadLetters.stats();
        List<QueueRow> queues = new ArrayList<>();
        rows.forEach((q, n) -> {
            Long age = oldest.get(q);
            queues.add(new QueueRow(q, n[0], n[1], n[2], n[3], n[4], n[5], n[6], age == null ? null : Duration.ofMillis(Math.max(0, age))));
        });
        long millis = (System.nanoTime() - started) / 1_000_000;
        return new Snapshot(asOf, millis, System.nanoTime(), List.copyOf(queues), List.copyOf(minutes), List.copyOf(letters));
    }

    private Instant readHot(Connection c, Map<String, long[]> rows, Map<String, Long> oldest) throws SQLException {
        String sql = """
                SELECT now(), queue,
                       count(*) FILTER (WHERE state = 'available' AND run_at <= now()),
                       count(*) FILTER (WHERE state = 'available' AND run_at > now()),
                       count(*) FILTER (WHERE state = 'running'),
                       count(*) FILTER (WHERE state NOT IN ('available', 'running')),
                       (extract(epoch FROM now() - min(run_at) FILTER (WHERE state = 'available' AND run_at <= now())) * 1000)::bigint
                  FROM %s.jobs GROUP BY queue""".formatted(schema);
        Instant now = null;
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                now = rs.getTimestamp(1).toInstant();
                long[] n = rows.computeIfAbsent(rs.getString(2), q -> new long[7]);
                n[0] = rs.getLong(3);
                n[1] = rs.getLong(4);
                n[2] = rs.getLong(5);
                n[6] = rs.getLong(6);
                long age = rs.getLong(7);
                if (!rs.wasNull()) {
                    oldest.put(rs.getString(2), age);
                }
            }
        }
        if (now == null) {
            try (PreparedStatement ps = c.prepareStatement("SELECT now()"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                now = rs.getTimestamp(1).toInstant();
            }
        }
        return now;
    }

    private void readFinished(Connection c, Map<String, long[]> rows) throws SQLException {
        String sql = "SELECT queue, state, count(*) FROM %s.finished_jobs GROUP BY queue, state".formatted(schema);
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long[] n = rows.computeIfAbsent(rs.getString(1), q -> new long[7]);
                switch (rs.getString(2)) {
                    case "completed" -> n[3] += rs.getLong(3);
                    case "cancelled" -> n[4] += rs.getLong(3);
                    case "dead" -> n[5] += rs.getLong(3);
                    default -> n[6] += rs.getLong(3);
                }
            }
        }
    }

    private void readMinutes(Connection c, Instant asOf, List<Minute> out) throws SQLException {
        String sql = """
                SELECT (extract(epoch FROM date_trunc('minute', finished_at)))::bigint AS minute, state, count(*)
                  FROM %s.finished_jobs
                 WHERE finished_at >= date_trunc('minute', now()) - interval '%d minutes'
                 GROUP BY 1, 2""".formatted(schema, MINUTES - 1);
        Map<Long, long[]> byMinute = new TreeMap<>();
        long current = asOf.getEpochSecond() / 60 * 60;
        for (int i = MINUTES - 1; i >= 0; i--) {
            byMinute.put(current - i * 60L, new long[3]);
        }
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long[] n = byMinute.get(rs.getLong(1));
                if (n == null) {
                    continue;   // finished "in the future" by clock skew between writers; not charted
                }
                switch (rs.getString(2)) {
                    case "completed" -> n[0] += rs.getLong(3);
                    case "cancelled" -> n[1] += rs.getLong(3);
                    default -> n[2] += rs.getLong(3);
                }
            }
        }
        byMinute.forEach((m, n) -> out.add(new Minute(Instant.ofEpochSecond(m), n[0], n[1], n[2])));
    }
}
