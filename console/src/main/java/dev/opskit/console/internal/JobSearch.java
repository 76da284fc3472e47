package dev.opskit.console.internal;

import dev.opskit.jobqueue.JobState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Read-only search over the queue's two tables: {@code jobs} (available, running) and
 * {@code finished_jobs} (completed, cancelled, dead, while retained). Newest first, in keyset pages
 * ({@code id < before}), so a page is an index scan backwards on the primary keys whatever the
 * table size; a state filter touches only the table that can hold it. Every user value is a bind
 * parameter.
 */
final class JobSearch {
    /** Largest page. */
    static final int MAX_LIMIT = 500;
    /** A search still running after this is cancelled (answered 503). */
    static final int SEARCH_TIMEOUT_SECONDS = 5;

    private final DataSource dataSource;
    private final String schema;

    /** One row of a result page; the error is the last entry of the job's error history. */
    record Row(long id, String queue, String kind, String state, int priority, Instant runAt, Instant createdAt,
               int attempt, int maxAttempts, @Nullable String workerId, @Nullable Instant attemptedAt,
               @Nullable Instant finishedAt, int errorCount, @Nullable String lastError) {
    }

    record Filter(@Nullable String queue, @Nullable String kind, @Nullable JobState state, long before, int limit) {
    }

    JobSearch(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = schema;
    }

    /** Up to {@code limit + 1} rows, so the caller knows whether there is a next page. */
    List<Row> search(Filter f) throws SQLException {
        boolean hot = f.state() == null || f.state() == JobState.AVAILABLE || f.state() == JobState.RUNNING;
        boolean finished = f.state() == null || !hot;
        List<String> parts = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        if (hot) {
            parts.add(select("jobs", "NULL::timestamptz", f, params));
        }
        if (finished) {
            parts.add(select("finished_jobs", "finished_at", f, params));
        }
        String sql = "SELECT * FROM (" + String.join(" UNION ALL ", parts) + ") found ORDER BY id DESC LIMIT ?";
        params.add(f.limit() + 1);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            // no index on kind: a kind that matches nothing reads both tables to the end (about 1 s at
            // a million jobs), so a search is cancelled after a few seconds rather than left to run
            ps.setQueryTimeout(SEARCH_TIMEOUT_SECONDS);
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Row(rs.getLong("id"), rs.getString("queue"), rs.getString("kind"), rs.getString("state"),
                            rs.getInt("priority"), instant(rs.getTimestamp("run_at")), instant(rs.getTimestamp("created_at")),
                            rs.getInt("attempt"), rs.getInt("max_attempts"), rs.getString("worker_id"),
                            nullableInstant(rs.getTimestamp("attempted_at")), nullableInstant(rs.getTimestamp("finished_at")),
                            rs.getInt("error_count"), rs.getString("last_error")));
                }
            }
            return out;
        }
    }

    /** Each branch has its own ORDER BY and LIMIT so PostgreSQL reads only a page from each primary key. */
    private String select(String table, String finishedAt, Filter f, List<Object> params) {
        StringBuilder sql = new StringBuilder("(SELECT id, queue, kind, state, priority, run_at, created_at, attempt, max_attempts, "
                + "worker_id, attempted_at, " + finishedAt + " AS finished_at, jsonb_array_length(errors) AS error_count, "
                + "errors -> -1 ->> 'message' AS last_error FROM " + schema + "." + table + " WHERE id < ?");
        params.add(f.before());
        if (f.queue() != null) {
            sql.append(" AND queue = ?");
            params.add(f.queue());
        }
        if (f.kind() != null) {
            sql.append(" AND kind = ?");
            params.add(f.kind());
        }
        if (f.state() != null) {
            sql.append(" AND state = ?");
            params.add(f.state().sqlName());
        }
        sql.append(" ORDER BY id DESC LIMIT ?)");
        params.add(f.limit() + 1);
        return sql.toString();
    }

    /**
     * The dead letter a dead job became, by the {@code jobId} header the job queue gives it, newest
     * first; null when there is none (purged, or the job died before the queue recorded it). The
     * letters of one source are few next to the jobs, so this reads them through the
     * {@code (status, source, id)} index without one of its own.
     */
    @Nullable Long deadLetterOf(long jobId, String queue) throws SQLException {
        String sql = "SELECT id FROM " + schema + ".dead_letters WHERE status IN ('dead', 'replayed') AND source = ?"
                + " AND headers ->> 'jobId' = ? ORDER BY id DESC LIMIT 1";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, "jobqueue:" + queue);
            ps.setString(2, Long.toString(jobId));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private static Instant instant(Timestamp t) {
        return t.toInstant();
    }

    private static @Nullable Instant nullableInstant(@Nullable Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
