package dev.opskit.jobqueue.internal;

import dev.opskit.core.jdbc.Jdbc;
import dev.opskit.jobqueue.DrainRecord;
import dev.opskit.jobqueue.EnqueueResult;
import dev.opskit.jobqueue.Job;
import dev.opskit.jobqueue.JobRequest;
import dev.opskit.jobqueue.JobState;
import dev.opskit.jobqueue.QueueCounts;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Every SQL statement of the PostgreSQL job queue, in one place. Table names are qualified with
 * the configured schema, which was validated as a plain identifier before it reaches here; every
 * value travels as a bind parameter. Methods take the connection to run on and never commit or
 * close it, so callers decide the transaction.
 *
 * <p>Statements that address running jobs by id say {@code state <> 'available'}, not
 * {@code state = 'running'} (the same rows: the table's CHECK allows only these two states). With
 * {@code = 'running'} the planner may pick the partial index of running jobs
 * ({@code jobs_running}) instead of the primary key whenever the statistics were taken while
 * almost nothing ran (after a bulk enqueue, say) and believe that index tiny; during a burn-down
 * it holds an entry for every job claimed since the last vacuum, and a 16-row completion scanned
 * 100,000 of them (86 ms instead of 0.09 ms, measured with {@code EXPLAIN (ANALYZE, BUFFERS)}).
 */
public final class PgStore {
    /** The columns of a {@link Job}, in the order {@link #job(ResultSet)} reads them. */
    private static final String JOB_COLUMNS = """
            id, queue, kind, payload::text AS payload, priority, state, run_at, created_at, attempt, max_attempts,
            unique_key, worker_id, attempted_at, lease_expires_at, NULL::timestamptz AS finished_at, errors::text AS errors, replay_of""";
    private static final String FINISHED_COLUMNS = """
            id, queue, kind, payload::text AS payload, priority, state, run_at, created_at, attempt, max_attempts,
            unique_key, worker_id, attempted_at, NULL::timestamptz AS lease_expires_at, finished_at, errors::text AS errors, replay_of""";

    private final String schema;
    private final String jobs;
    private final String finished;
    private final String channel;
    private final String drains;
    private final String controls;
    private final String starts;
    // The enqueue statements, built once: enqueue is the hottest call of a producer.
    private final String insertPlain;
    private final String insertUnique;
    private final String existingUnique;
    private final java.util.concurrent.atomic.AtomicReferenceArray<String> claimSql = new java.util.concurrent.atomic.AtomicReferenceArray<>(1025);
    /**
     * The claim of a controlled queue, one text for every batch size: its plan is generic
     * ({@code plan_cache_mode} is forced for its transaction), and every text of its own would be
     * planned from scratch on each pooled connection until the driver prepares it there (planning
     * this statement takes longer than running it).
     */
    private final String controlledSql;
    /** The same for a queue without a rate limit: no window, no per-key ranking (claims nothing once a rate limit is set). */
    private final String concurrencySql;

    public PgStore(String schema) {
        this.schema = schema;
        this.jobs = schema + ".jobs";
        this.finished = schema + ".finished_jobs";
        this.drains = schema + ".drains";
        this.controls = schema + ".queue_controls";
        this.starts = schema + ".queue_starts";
        this.channel = channelFor(schema);
        String values = """
                INSERT INTO %s (queue, kind, payload, priority, run_at, max_attempts, unique_key, replay_of, trace_context)
                VALUES (?, ?, ?::jsonb, ?, greatest(now(), coalesce(timestamptz 'epoch' + ?::bigint * interval '1 second'
                                                                         + ?::int * interval '1 microsecond',
                                                                     now() + ?::bigint * interval '1 microsecond')), ?, ?, ?, ?)
                """.formatted(jobs);
        this.insertPlain = values + "RETURNING id, CASE WHEN ? AND run_at <= now() THEN pg_notify(?, queue) END";
        this.insertUnique = "WITH inserted AS (\n" + values + """
                ON CONFLICT (kind, unique_key) WHERE unique_key IS NOT NULL DO NOTHING
                RETURNING id, queue, run_at)
                SELECT id, CASE WHEN ? AND run_at <= now() THEN pg_notify(?, queue) END FROM inserted""";
        this.existingUnique = "SELECT id FROM %s WHERE kind = ? AND unique_key = ?".formatted(jobs);
        this.controlledSql = "SELECT " + CONTROL_COLUMNS + ", set_config('synchronous_commit', 'off', true),"
                + " set_config('plan_cache_mode', 'force_generic_plan', true) FROM " + controls
                + " WHERE queue = ? FOR UPDATE;\n" + controlledClaimSql();
        this.concurrencySql = "SELECT " + CONTROL_COLUMNS + ", set_config('synchronous_commit', 'off', true),"
                + " set_config('plan_cache_mode', 'force_generic_plan', true) FROM " + controls
                + " WHERE queue = ? FOR UPDATE;\n" + """
                WITH ctl AS MATERIALIZED (
                    SELECT queue, max_running FROM %1$s WHERE queue = ? AND NOT paused AND rate_permits IS NULL)
                UPDATE %2$s j
                   SET state = 'running', attempt = j.attempt + 1, lease_token = ?, worker_id = ?, attempted_at = now(),
                       lease_expires_at = now() + ?::bigint * interval '1 millisecond'
                 WHERE j.ctid = ANY(ARRAY(
                    SELECT ctid FROM %2$s
                     WHERE queue = (SELECT queue FROM ctl) AND state = 'available' AND run_at <= now()
                     ORDER BY priority, run_at, id
                     LIMIT coalesce((SELECT greatest(0, CASE WHEN max_running IS NULL THEN ?::int
                                         ELSE least(?::int, max_running - (SELECT count(*) FROM %2$s r WHERE r.queue = ctl.queue
                                                    AND r.state = 'running'
                                                    AND NOT (r.id = ANY(?::bigint[]) AND r.lease_token = ANY(?::bigint[])))) END)
                                     FROM ctl), 0)
                     FOR UPDATE SKIP LOCKED))
                RETURNING
                """.formatted(controls, jobs) + CLAIM_RETURNING;
    }

    /** The LISTEN/NOTIFY channel of a schema. */
    public static String channelFor(String schema) {
        String c = "opskit_jobs_" + schema;
        return c.length() > 63 ? c.substring(0, 63) : c;
    }

    public String schema() {
        return schema;
    }

    public String channel() {
        return channel;
    }

    // ---------------------------------------------------------------- enqueue

    /**
     * Inserts one job; with {@code notify}, the same statement sends the NOTIFY that wakes idle
     * workers of its queue (delivered when the transaction commits) if the job is due now.
     */
    public EnqueueResult enqueue(Connection c, JobRequest r, boolean notify) throws SQLException {
        if (r.uniqueKey().isEmpty()) {
            // Nothing to conflict with: a plain INSERT, without the speculative insertion that an
            // ON CONFLICT clause costs on every row, and with the NOTIFY in its RETURNING list.
            try (PreparedStatement ps = c.prepareStatement(insertPlain)) {
                bindInsert(ps, r, notify);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new EnqueueResult(rs.getLong(1), true);
                }
            }
        }
        // A unique job that finished between the failed insert and the select frees its key: try again.
        for (int round = 0; round < 5; round++) {
            try (PreparedStatement ps = c.prepareStatement(insertUnique)) {
                bindInsert(ps, r, notify);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new EnqueueResult(rs.getLong(1), true);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(existingUnique)) {
                ps.setString(1, r.kind());
                ps.setString(2, r.uniqueKey().orElseThrow());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new EnqueueResult(rs.getLong(1), false);
                    }
                }
            }
        }
        throw new SQLException("unique key '" + r.uniqueKey().orElse("") + "' of kind " + r.kind()
                + " kept changing hands; enqueue not completed");
    }

    private void bindInsert(PreparedStatement ps, JobRequest r, boolean notify) throws SQLException {
        ps.setString(1, r.queue());
        ps.setString(2, r.kind());
        ps.setString(3, r.payload());
        ps.setInt(4, r.priority());
        // seconds and microseconds apart: bigint * interval is computed in float8, which holds whole
        // microseconds only up to about year 2255; seconds and a part below a million stay exact
        if (r.runAt().isPresent()) {
            long micros = micros(r.runAt().get());
            ps.setLong(5, Math.floorDiv(micros, 1_000_000L));
            ps.setInt(6, (int) Math.floorMod(micros, 1_000_000L));
        } else {
            ps.setNull(5, Types.BIGINT);
            ps.setNull(6, Types.INTEGER);
        }
        ps.setLong(7, r.delay().toNanos() / 1000);
        ps.setInt(8, r.maxAttempts());
        ps.setString(9, r.uniqueKey().orElse(null));
        ps.setObject(10, r.replayOf().orElse(null), Types.BIGINT);
        ps.setString(11, Tracing.capture());
        ps.setBoolean(12, notify);
        ps.setString(13, channel);
    }

    /**
     * The insert's columns: parameter 1 is the trace context, the same for the whole group (one
     * caller enqueued it), and the arrays {@link #bindRequests} binds as parameters 2 to 11.
     */
    private static final String INSERT_FROM_UNNEST = """
            INSERT INTO %s (queue, kind, payload, priority, run_at, max_attempts, unique_key, replay_of, trace_context)
            SELECT q, k, p::jsonb, pr, greatest(now(), coalesce(timestamptz 'epoch' + ra * interval '1 second' + rmu * interval '1 microsecond',
                                                                  now() + d * interval '1 microsecond')), m, u, rp, ?::text
              FROM unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::bigint[], ?::int[], ?::bigint[], ?::int[], ?::text[], ?::bigint[])
            """;

    /** Binds the trace context and the requests' columns as arrays, parameters 1 to 11 of {@link #INSERT_FROM_UNNEST}. */
    private static void bindRequests(Connection c, PreparedStatement ps, List<JobRequest> requests) throws SQLException {
        int n = requests.size();
        String[] queues = new String[n];
        String[] kinds = new String[n];
        String[] payloads = new String[n];
        Integer[] priorities = new Integer[n];
        Long[] runAts = new Long[n];
        Integer[] runAtMicros = new Integer[n];
        Long[] delays = new Long[n];
        Integer[] maxAttempts = new Integer[n];
        String[] uniqueKeys = new String[n];
        Long[] replays = new Long[n];
        for (int i = 0; i < n; i++) {
            JobRequest r = requests.get(i);
            queues[i] = r.queue();
            kinds[i] = r.kind();
            payloads[i] = r.payload();
            priorities[i] = r.priority();
            if (r.runAt().isPresent()) {
                long micros = micros(r.runAt().get());
                runAts[i] = Math.floorDiv(micros, 1_000_000L); // seconds and micros apart: see bindInsert
                runAtMicros[i] = (int) Math.floorMod(micros, 1_000_000L);
            }
            delays[i] = r.delay().toNanos() / 1000;
            maxAttempts[i] = r.maxAttempts();
            uniqueKeys[i] = r.uniqueKey().orElse(null);
            replays[i] = r.replayOf().orElse(null);
        }
        ps.setString(1, Tracing.capture());
        ps.setArray(2, c.createArrayOf("text", queues));
        ps.setArray(3, c.createArrayOf("text", kinds));
        ps.setArray(4, c.createArrayOf("text", payloads));
        ps.setArray(5, c.createArrayOf("int4", priorities));
        ps.setArray(6, c.createArrayOf("int8", runAts));
        ps.setArray(7, c.createArrayOf("int4", runAtMicros));
        ps.setArray(8, c.createArrayOf("int8", delays));
        ps.setArray(9, c.createArrayOf("int4", maxAttempts));
        ps.setArray(10, c.createArrayOf("text", uniqueKeys));
        ps.setArray(11, c.createArrayOf("int8", replays));
    }

    /**
     * Inserts jobs without unique keys in one statement and returns their ids in the order of
     * {@code requests}. The rows are inserted in that order, so the identity column hands out
     * increasing ids in that order: the returned ids, sorted, are the requests' ids. Each due job
     * of a queue in {@code notifyQueues} sends that queue's NOTIFY (PostgreSQL folds identical
     * notifications of one transaction into one).
     */
    public long[] enqueueGroup(Connection c, List<JobRequest> requests, Collection<String> notifyQueues) throws SQLException {
        for (JobRequest r : requests) {
            if (r.uniqueKey().isPresent()) {
                throw new IllegalArgumentException("a job with a unique key cannot be enqueued in a group: " + r);
            }
        }
        int n = requests.size();
        String sql = "WITH inserted AS (\n" + INSERT_FROM_UNNEST.formatted(jobs) + """
                       WITH ORDINALITY AS t(q, k, p, pr, ra, rmu, d, m, u, rp, ord)
                 ORDER BY ord
                RETURNING id, queue, run_at)
                SELECT id, CASE WHEN run_at <= now() AND queue = ANY(?::text[]) THEN pg_notify(?, queue) END,
                       (SELECT CASE WHEN count(*) = ? THEN 1
                               ELSE ('opskit: the group insert stored ' || count(*) || ' of ' || ? || ' rows')::int END
                          FROM inserted)
                  FROM inserted""";
        // The last column fails the whole statement (so nothing commits) when a row was not stored,
        // for example skipped by an application's BEFORE INSERT trigger: the caller then retries
        // each request alone and nothing is inserted twice. One statement, no extra round trip.
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bindRequests(c, ps, requests);
            ps.setArray(12, c.createArrayOf("text", notifyQueues.toArray(String[]::new)));
            ps.setString(13, channel);
            ps.setLong(14, n);
            ps.setLong(15, n);
            long[] ids = new long[n];
            int i = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (i == n) {
                        throw new SQLException("the group insert returned more than the " + n + " rows it inserted");
                    }
                    ids[i++] = rs.getLong(1);
                }
            }
            if (i != n) {
                throw new SQLException("the group insert returned " + i + " ids for " + n + " jobs");
            }
            java.util.Arrays.sort(ids);
            return ids;
        }
    }

    /** Inserts all requests in one statement; returns the number inserted per queue. */
    public Map<String, Integer> enqueueAll(Connection c, List<JobRequest> requests) throws SQLException {
        if (requests.isEmpty()) {
            return Map.of();
        }
        String sql = "WITH inserted AS (\n" + INSERT_FROM_UNNEST.formatted(jobs) + """
                       AS t(q, k, p, pr, ra, rmu, d, m, u, rp)
                ON CONFLICT (kind, unique_key) WHERE unique_key IS NOT NULL DO NOTHING
                RETURNING queue)
                SELECT queue, count(*)::int, pg_notify(?, queue) FROM inserted GROUP BY queue""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bindRequests(c, ps, requests);
            ps.setString(12, channel);
            Map<String, Integer> out = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getInt(2));
                }
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- reads

    /** Cancels a waiting job; returns its queue, or null when no waiting job has that id. */
    public @Nullable String cancel(Connection c, long id) throws SQLException {
        String sql = """
                WITH cancelled AS (DELETE FROM %s WHERE id = ? AND state = 'available' RETURNING *)
                INSERT INTO %s (id, queue, kind, payload, priority, state, run_at, created_at, attempt, max_attempts,
                                unique_key, worker_id, attempted_at, errors, replay_of)
                SELECT id, queue, kind, payload, priority, 'cancelled', run_at, created_at, attempt, max_attempts,
                       unique_key, worker_id, attempted_at, errors, replay_of FROM cancelled
                RETURNING queue""".formatted(jobs, finished);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /**
     * Asks the worker of a running job to stop it: sets {@code cancel_requested_at} (kept from an
     * earlier request). Returns the job's queue, or null when no running job has that id.
     */
    public @Nullable String requestCancel(Connection c, long id) throws SQLException {
        String sql = """
                UPDATE %s SET cancel_requested_at = coalesce(cancel_requested_at, now())
                 WHERE id = ? AND state = 'running'
                RETURNING queue""".formatted(jobs);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** When a cancel was requested for the running job {@code id}; null when none was, or it does not run. */
    public @Nullable Instant cancelRequestedAt(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT cancel_requested_at FROM " + jobs + " WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Jdbc.instant(rs, 1) : null;
            }
        }
    }

    /** A job a running-cancel statement ended as cancelled. */
    public record Cancelled(long id, String queue) {
    }

    /** A job whose lease was extended, and whether a cancel was requested for it. */
    public record Extended(long id, boolean cancelRequested) {
    }

    /** Binds the parameters of a predicate from its first one; returns the index of the next parameter. */
    private interface Binder {
        int bind(PreparedStatement ps) throws SQLException;
    }

    /**
     * Ends as cancelled the running jobs matching {@code predicate} (over alias {@code j}, a
     * constant of this class) whose cancel was requested: moved to {@code finished_jobs} (always,
     * as a cancel of a waiting job is) with {@code errorJson} (when not null) appended to the
     * history, and then, with {@code cancelEntry}, an entry of reason {@code cancelled} that says
     * when the cancel was requested.
     */
    private List<Cancelled> endCancelled(Connection c, String predicate, Binder binder, @Nullable String errorJson, boolean cancelEntry)
            throws SQLException {
        String sql = """
                WITH cancelled AS (
                    DELETE FROM %s j WHERE %s AND j.state <> 'available' AND j.cancel_requested_at IS NOT NULL
                    RETURNING j.*)
                INSERT INTO %s (id, queue, kind, payload, priority, state, run_at, created_at, attempt, max_attempts,
                                unique_key, worker_id, attempted_at, errors, replay_of)
                SELECT id, queue, kind, payload, priority, 'cancelled', run_at, created_at, attempt, max_attempts,
                       unique_key, worker_id, attempted_at,
                       errors || CASE WHEN ?::jsonb IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(?::jsonb) END
                              || CASE WHEN ? THEN jsonb_build_array(jsonb_build_object('attempt', attempt, 'at', now(),
                                     'type', 'cancelled', 'message', 'cancelled while running, requested at ' || cancel_requested_at::text,
                                     'reason', 'cancelled')) ELSE '[]'::jsonb END,
                       replay_of FROM cancelled
                RETURNING id, queue""".formatted(jobs, predicate, finished);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int next = binder.bind(ps);
            ps.setString(next, errorJson);
            ps.setString(next + 1, errorJson);
            ps.setBoolean(next + 2, cancelEntry);
            List<Cancelled> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Cancelled(rs.getLong(1), rs.getString(2)));
                }
            }
            return out;
        }
    }

    /**
     * Ends as cancelled the given claimed jobs whose token still matches and whose cancel was
     * requested; the others are untouched. {@code errorJson}: this attempt's history entry, or null;
     * {@code cancelEntry}: append the {@code cancelled} entry too (when {@code errorJson} is not
     * already one: the outcome of an attempt whose worker did not know of the cancel).
     */
    public List<Cancelled> cancelRunning(Connection c, long[] ids, long[] tokens, @Nullable String errorJson, boolean cancelEntry)
            throws SQLException {
        return endCancelled(c, "j.id = ANY(?::bigint[]) AND j.lease_token = ANY(?::bigint[])", ps -> {
            ps.setArray(1, longs(c, ids));
            ps.setArray(2, longs(c, distinct(tokens)));
            return 3;
        }, errorJson, cancelEntry);
    }

    /** Ends as cancelled the jobs running under {@code workerId} whose cancel was requested (a drain's last step). */
    public List<Cancelled> cancelRunningOf(Connection c, String workerId) throws SQLException {
        return endCancelled(c, "j.worker_id = ?", ps -> {
            ps.setString(1, workerId);
            return 2;
        }, null, true);
    }

    /**
     * Ends as cancelled up to {@code limit} jobs whose lease expired after a cancel was requested
     * (their worker died or lost the database): a rescue must not run them again.
     */
    public List<Cancelled> cancelExpired(Connection c, int limit) throws SQLException {
        return endCancelled(c, "j.id IN (SELECT id FROM " + jobs + " WHERE state = 'running' AND lease_expires_at < now()"
                + " AND cancel_requested_at IS NOT NULL ORDER BY lease_expires_at LIMIT ? FOR UPDATE SKIP LOCKED)", ps -> {
            ps.setInt(1, limit);
            return 2;
        }, null, true);
    }

    /** The job {@code id}, waiting, running or finished (and kept), or null when there is none. */
    public @Nullable Job get(Connection c, long id) throws SQLException {
        String sql = "SELECT " + JOB_COLUMNS + " FROM " + jobs + " WHERE id = ? UNION ALL SELECT " + FINISHED_COLUMNS
                + " FROM " + finished + " WHERE id = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            ps.setLong(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? job(rs) : null;
            }
        }
    }

    public List<QueueCounts> counts(Connection c, boolean includeFinished) throws SQLException {
        String hot = """
                SELECT queue, state, count(*),
                       (extract(epoch FROM now() - min(run_at) FILTER (WHERE state = 'available' AND run_at <= now())) * 1000)::bigint
                  FROM %s GROUP BY queue, state""".formatted(jobs);
        String sql = includeFinished
                ? hot + " UNION ALL SELECT queue, state, count(*), NULL FROM " + finished + " GROUP BY queue, state"
                : hot;
        Map<String, long[]> byQueue = new LinkedHashMap<>();
        Map<String, Long> ages = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String queue = rs.getString(1);
                JobState state = JobState.valueOf(rs.getString(2).toUpperCase(Locale.ROOT));
                byQueue.computeIfAbsent(queue, q -> new long[5])[state.ordinal()] += rs.getLong(3);
                long age = rs.getLong(4);
                if (!rs.wasNull()) {
                    ages.merge(queue, age, Math::max);
                }
            }
        }
        List<QueueCounts> out = new ArrayList<>();
        byQueue.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            long[] n = e.getValue();
            Long age = ages.get(e.getKey());
            out.add(new QueueCounts(e.getKey(), n[0], n[1], n[2], n[3], n[4], age == null ? null : Duration.ofMillis(Math.max(0, age))));
        });
        return out;
    }

    public List<Job> stuck(Connection c, Duration runningLongerThan, int limit) throws SQLException {
        String sql = "SELECT " + JOB_COLUMNS + " FROM " + jobs + " " + """
                 WHERE state = 'running' AND attempted_at < now() - ?::bigint * interval '1 millisecond'
                 ORDER BY attempted_at, id LIMIT ?""";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, runningLongerThan.toMillis());
            ps.setInt(2, limit);
            return jobs(ps);
        }
    }

    /** Running jobs whose lease expired more than {@code grace} ago: the rescue is not keeping up (or no leader runs). */
    public long expiredUnrescued(Connection c, Duration grace) throws SQLException {
        String sql = "SELECT count(*) FROM " + jobs + " WHERE state = 'running' AND lease_expires_at < now() - ?::bigint * interval '1 millisecond'";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, grace.toMillis());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Running jobs whose current attempt started more than {@code threshold} ago (leases extended,
     * so not rescued: a handler that hangs or loops), and the age in milliseconds of the oldest
     * running attempt (0 when none runs).
     */
    public long[] stuckRunning(Connection c, Duration threshold) throws SQLException {
        String sql = "SELECT count(*) FILTER (WHERE attempted_at < now() - ?::bigint * interval '1 millisecond'),"
                + " coalesce((extract(epoch FROM now() - min(attempted_at)) * 1000)::bigint, 0)"
                + " FROM " + jobs + " WHERE state = 'running'";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, threshold.toMillis());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    // ---------------------------------------------------------------- workers

    /**
     * The claim statement for one batch size. The LIMIT is a literal, not a parameter: with a
     * parameter the server's generic plan assumes it fetches a tenth of the table, loses to the
     * custom plan every time, and every claim is planned again (measured: 0.12 ms of planning per
     * 16-job claim, a third of its cost). One prepared statement per batch size plans once.
     */
    private String claimSql(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("claim limit must be at least 1, was " + limit);
        }
        if (limit < claimSql.length()) {
            String cached = claimSql.get(limit);
            if (cached != null) {
                return cached;
            }
        }
        String sql = ("""
                WITH async AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))
                UPDATE %s j
                   SET state = 'running', attempt = j.attempt + 1, lease_token = ?, worker_id = ?, attempted_at = now(),
                       lease_expires_at = now() + ?::bigint * interval '1 millisecond'
                  FROM async
                 WHERE j.ctid = ANY(ARRAY(
                    SELECT ctid FROM %s
                     WHERE queue = ? AND state = 'available' AND run_at <= now()
                       AND NOT EXISTS (SELECT 1 FROM %s WHERE queue = ?)
                     ORDER BY priority, run_at, id
                     LIMIT %d
                     FOR UPDATE SKIP LOCKED))
                RETURNING
                """ + CLAIM_RETURNING).formatted(jobs, jobs, controls, limit);
        if (limit < claimSql.length()) {
            claimSql.set(limit, sql);
        }
        return sql;
    }

    /** What a claim returns per job, read by {@link #claimed(PreparedStatement, long)}. */
    private static final String CLAIM_RETURNING = """
            j.id, j.queue, j.kind, j.payload::text, j.priority, j.state, j.run_at, j.created_at, j.attempt,
                      j.max_attempts, j.unique_key, j.worker_id, j.attempted_at, j.lease_expires_at, NULL::timestamptz,
                      j.errors::text, j.replay_of,
                      (extract(epoch FROM now() - greatest(j.run_at, j.created_at)) * 1000000)::bigint,
                      j.trace_context""";

    private static final java.util.Comparator<Claimed> CLAIM_ORDER = java.util.Comparator
            .comparingInt((Claimed c) -> c.job().priority()).thenComparing(c -> c.job().runAt()).thenComparingLong(c -> c.job().id());

    /**
     * A claimed job with its fencing token, how long it waited since it was due, and the trace
     * context stored at enqueue (null when there was none).
     */
    public record Claimed(Job job, long token, long waitedMicros, @Nullable String traceContext) {
    }

    /**
     * Claims up to {@code limit} due jobs of {@code queue} in one statement and one round trip,
     * run in autocommit. The statement turns {@code synchronous_commit} off for its own
     * transaction only ({@code set_config(..., true)}): a claim lost in a server crash just
     * leaves the job waiting, and the random token of the claim keeps the old claimer fenced off.
     *
     * <p>It claims nothing when the queue has a row in {@code queue_controls} (paused or limited):
     * one primary-key probe of a table that is empty in the common case, evaluated once per
     * statement. The caller then looks at the row ({@link #control}) and claims through
     * {@link #claimControlled}.
     */
    public List<Claimed> claim(Connection c, String queue, int limit, String workerId, long token, Duration lease) throws SQLException {
        String sql = claimSql(limit);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, token);
            ps.setString(2, workerId);
            ps.setLong(3, lease.toMillis());
            ps.setString(4, queue);
            ps.setString(5, queue);
            return claimed(ps, token);
        }
    }

    private static List<Claimed> claimed(PreparedStatement ps, long token) throws SQLException {
        List<Claimed> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Claimed(job(rs), token, Math.max(0, rs.getLong(18)), rs.getString(19)));
            }
        }
        out.sort(CLAIM_ORDER); // the Tid Scan returns them in physical order
        return out;
    }

    // ---------------------------------------------------------------- queue controls

    /** A row of {@code queue_controls}: period in milliseconds, null fields unset. */
    public record Control(String queue, boolean paused, @Nullable Integer maxRunning, @Nullable Integer ratePermits,
                          @Nullable Long ratePeriodMs, @Nullable String rateKey) {
        public boolean limited() {
            return maxRunning != null || ratePermits != null;
        }
    }

    private static final String CONTROL_COLUMNS = "queue, paused, max_running, rate_permits, rate_period_ms, rate_key";

    private static Control control(ResultSet rs) throws SQLException {
        return new Control(rs.getString(1), rs.getBoolean(2), rs.getObject(3, Integer.class), rs.getObject(4, Integer.class),
                rs.getObject(5, Long.class), rs.getString(6));
    }

    /** The control row of {@code queue}, or null (not locked). */
    public @Nullable Control control(Connection c, String queue) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CONTROL_COLUMNS + " FROM " + controls + " WHERE queue = ?")) {
            ps.setString(1, queue);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? control(rs) : null;
            }
        }
    }

    /** Every control row, by queue. */
    public List<Control> controls(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CONTROL_COLUMNS + " FROM " + controls + " ORDER BY queue");
             ResultSet rs = ps.executeQuery()) {
            List<Control> out = new ArrayList<>();
            while (rs.next()) {
                out.add(control(rs));
            }
            return out;
        }
    }

    /**
     * Pauses or resumes {@code queue} and notifies its workers (at commit); returns whether the
     * state changed. Run in the caller's transaction.
     */
    public boolean setPaused(Connection c, String queue, boolean paused) throws SQLException {
        String sql = paused
                ? "INSERT INTO " + controls + " (queue, paused) VALUES (?, true) ON CONFLICT (queue) DO UPDATE SET paused = true,"
                        + " updated_at = now() WHERE NOT " + controls + ".paused RETURNING queue"
                : "UPDATE " + controls + " SET paused = false, updated_at = now() WHERE queue = ? AND paused RETURNING queue";
        boolean changed;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, queue);
            try (ResultSet rs = ps.executeQuery()) {
                changed = rs.next();
            }
        }
        dropEmptyControl(c, queue);
        notifyQueues(c, List.of(queue));
        return changed;
    }

    /** Sets (or with null removes) the concurrency limit of {@code queue}. Run in the caller's transaction. */
    public void setMaxRunning(Connection c, String queue, @Nullable Integer maxRunning) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + controls + " (queue, max_running) VALUES (?, ?)"
                + " ON CONFLICT (queue) DO UPDATE SET max_running = excluded.max_running, updated_at = now()")) {
            ps.setString(1, queue);
            ps.setObject(2, maxRunning, Types.INTEGER);
            ps.executeUpdate();
        }
        dropEmptyControl(c, queue);
        notifyQueues(c, List.of(queue)); // a raised limit lets waiting jobs start now
    }

    /**
     * Sets (or with null permits removes) the rate limit of {@code queue}. Starts recorded under
     * the old limit are forgotten when the limit is removed or its key field changes (the buckets
     * are different ones). Run in the caller's transaction.
     */
    public void setRate(Connection c, String queue, @Nullable Integer permits, @Nullable Long periodMs,
                        @Nullable String keyField) throws SQLException {
        Control before = control(c, queue);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + controls + " (queue, rate_permits, rate_period_ms, rate_key)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (queue) DO UPDATE SET rate_permits = excluded.rate_permits,"
                + " rate_period_ms = excluded.rate_period_ms, rate_key = excluded.rate_key, updated_at = now()")) {
            ps.setString(1, queue);
            ps.setObject(2, permits, Types.INTEGER);
            ps.setObject(3, periodMs, Types.BIGINT);
            ps.setString(4, keyField);
            ps.executeUpdate();
        }
        if (permits == null || before == null || !Objects.equals(before.rateKey(), keyField)) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + starts + " WHERE queue = ?")) {
                ps.setString(1, queue);
                ps.executeUpdate();
            }
        }
        dropEmptyControl(c, queue);
        notifyQueues(c, List.of(queue));
    }

    /** A queue neither paused nor limited has no row: its claims take the plain path again. */
    private void dropEmptyControl(Connection c, String queue) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + controls
                + " WHERE queue = ? AND NOT paused AND max_running IS NULL AND rate_permits IS NULL")) {
            ps.setString(1, queue);
            ps.executeUpdate();
        }
    }

    /** What {@link #claimControlled} found: the control row it locked (null when there was none) and the jobs. */
    public record ControlledClaim(@Nullable Control control, List<Claimed> jobs) {
    }

    /**
     * The claim of a paused or limited queue: two statements sent at once (one round trip) in one
     * implicit transaction, on {@code c} in autocommit mode.
     *
     * <p>First {@code SELECT ... FOR UPDATE} of the queue's control row: claimers of the queue take
     * turns from here to commit. Then the claim itself, a statement of its own so that its snapshot
     * is taken after the previous claimer committed (READ COMMITTED takes one per statement; in a
     * single statement the snapshot would predate the lock wait and miss the jobs the previous
     * claimer just started): due jobs in claim order, minus jobs whose rate bucket is full, at
     * most {@code max_running} minus the jobs running now, recording one start per job for the
     * rate limit and pruning starts older than the period. Every limit is read from the locked row.
     *
     * <p>Jobs running under this worker whose handlers already ended ({@code endedIds} with their
     * claims' {@code endedTokens}: their outcomes are on the way to the database) are not counted
     * as running; the token keeps a job rescued and claimed by someone else counted.
     *
     * <p>Jobs that go over a limit are not touched: they stay waiting and a later claim takes them.
     * Rate buckets per key are looked up for at most {@code 4 * limit + 32} due jobs per claim (after
     * skipping jobs of full buckets), so one claim may start fewer jobs than the limits allow.
     */
    public ControlledClaim claimControlled(Connection c, String queue, int limit, String workerId, long token, Duration lease,
                                           long[] endedIds, long[] endedTokens) throws SQLException {
        return claimControlled(c, queue, limit, workerId, token, lease, endedIds, endedTokens, true);
    }

    /**
     * Like {@link #claimControlled(Connection, String, int, String, long, Duration, long[], long[])};
     * with {@code rated} false, through the cheaper statement of a queue without a rate limit,
     * which claims nothing when the locked row has one: the caller then sees
     * {@code control().ratePermits() != null} and claims again with {@code rated} true.
     */
    public ControlledClaim claimControlled(Connection c, String queue, int limit, String workerId, long token, Duration lease,
                                           long[] endedIds, long[] endedTokens, boolean rated) throws SQLException {
        if (limit < 1) {
            throw new IllegalArgumentException("claim limit must be at least 1, was " + limit);
        }
        try (PreparedStatement ps = c.prepareStatement(rated ? controlledSql : concurrencySql)) {
            ps.setString(1, queue);
            ps.setString(2, queue);
            if (rated) {
                ps.setInt(3, limit);
                ps.setInt(4, Math.min(4 * limit + 32, 4096));
                ps.setInt(5, limit);
                ps.setInt(6, limit);
                ps.setArray(7, longs(c, endedIds));
                ps.setArray(8, longs(c, endedTokens));
                ps.setLong(9, token);
                ps.setString(10, workerId);
                ps.setLong(11, lease.toMillis());
            } else {
                ps.setLong(3, token);
                ps.setString(4, workerId);
                ps.setLong(5, lease.toMillis());
                ps.setInt(6, limit);
                ps.setInt(7, limit);
                ps.setArray(8, longs(c, endedIds));
                ps.setArray(9, longs(c, endedTokens));
            }
            ps.execute();
            Control locked;
            try (ResultSet rs = ps.getResultSet()) {
                locked = rs.next() ? control(rs) : null;
            }
            List<Claimed> out = new ArrayList<>();
            if (ps.getMoreResults()) {
                try (ResultSet rs = ps.getResultSet()) {
                    while (rs.next()) {
                        out.add(new Claimed(job(rs), token, Math.max(0, rs.getLong(18)), rs.getString(19)));
                    }
                }
            }
            out.sort(CLAIM_ORDER); // the Tid Scan returns them in physical order
            return new ControlledClaim(locked, out);
        }
    }

    /**
     * The second statement of {@link #claimControlled}; parameters: queue, batch size, rate-limited
     * scan size, batch size twice, ended ids, ended tokens, token, worker, lease ms (the queue is bound once, and read back from the control row
     * everywhere else). The limits come from the control row (locked by this transaction, so they
     * are the ones that the first statement read). Without a rate limit the rate parts find and
     * write nothing: their conditions compare with a NULL period.
     */
    private String controlledClaimSql() {
        String key = "coalesce(j.payload ->> (SELECT rate_key FROM ctl), '')";
        String sql = """
                WITH ctl AS MATERIALIZED (
                    SELECT queue, max_running, rate_permits, rate_period_ms, rate_key FROM %1$s WHERE queue = ? AND NOT paused),
                recent AS MATERIALIZED (
                    SELECT s.rate_key, count(*) AS n FROM %2$s s
                     WHERE s.queue = (SELECT queue FROM ctl)
                       AND s.started_at > statement_timestamp() - (SELECT rate_period_ms FROM ctl) * interval '1 millisecond'
                     GROUP BY s.rate_key),
                candidates AS MATERIALIZED (
                    SELECT j.ctid AS tid, j.priority, j.run_at, j.id, %3$s AS k
                      FROM %4$s j
                     WHERE j.queue = (SELECT queue FROM ctl) AND j.state = 'available' AND j.run_at <= now()
                       AND %3$s NOT IN (SELECT rate_key FROM recent WHERE n >= (SELECT rate_permits FROM ctl))
                     ORDER BY j.priority, j.run_at, j.id
                     LIMIT CASE WHEN (SELECT rate_key FROM ctl) IS NULL THEN ?::int ELSE ?::int END
                     FOR UPDATE OF j SKIP LOCKED),
                chosen AS MATERIALIZED (
                    SELECT x.tid, x.k FROM (
                        SELECT c.tid, c.k, c.priority, c.run_at, c.id,
                               row_number() OVER (PARTITION BY c.k ORDER BY c.priority, c.run_at, c.id) + coalesce(r.n, 0) AS used
                          FROM candidates c LEFT JOIN recent r ON r.rate_key = c.k) x
                     WHERE (SELECT rate_permits FROM ctl) IS NULL OR x.used <= (SELECT rate_permits FROM ctl)
                     ORDER BY x.priority, x.run_at, x.id
                     LIMIT greatest(0, CASE WHEN (SELECT max_running FROM ctl) IS NULL THEN ?::int
                                            ELSE least(?::int, (SELECT max_running FROM ctl)
                                                           - (SELECT count(*) FROM %4$s r WHERE r.queue = (SELECT queue FROM ctl)
                                                                AND r.state = 'running'
                                                                AND NOT (r.id = ANY(?::bigint[]) AND r.lease_token = ANY(?::bigint[])))) END)),
                started AS (
                    INSERT INTO %2$s (queue, rate_key, started_at)
                    SELECT (SELECT queue FROM ctl), k, statement_timestamp() FROM chosen WHERE (SELECT rate_permits FROM ctl) IS NOT NULL),
                claimed AS (
                    UPDATE %4$s j
                       SET state = 'running', attempt = j.attempt + 1, lease_token = ?, worker_id = ?, attempted_at = now(),
                           lease_expires_at = now() + ?::bigint * interval '1 millisecond'
                     WHERE j.ctid = ANY(ARRAY(SELECT tid FROM chosen))
                    RETURNING j.*)
                SELECT %5$s FROM claimed j""".formatted(controls, starts, key, jobs, CLAIM_RETURNING);
        return sql;
    }

    /**
     * Deletes the completed jobs whose token still matches; returns the ids that matched.
     *
     * <p>The fence is "the row's token is one of the tokens of this batch's claims", checked with
     * {@code = ANY} so the statement is driven by the primary key whatever the statistics say (a
     * join against {@code unnest} of id/token pairs got nested-loop plans over the whole table on
     * stale statistics). Tokens are random per claim, so a row rescued and claimed by someone else
     * carries a token no claim of this batch has; the only way to match another pair of the batch
     * is that this worker itself claimed the job again, and then the job did succeed.
     */
    public List<Long> complete(Connection c, long[] ids, long[] tokens, boolean keep) throws SQLException {
        String sql = """
                WITH done AS (
                    DELETE FROM %s j
                     WHERE j.id = ANY(?::bigint[]) AND j.state <> 'available'
                       AND j.lease_token = ANY(?::bigint[])
                    RETURNING j.*),
                kept AS (
                    INSERT INTO %s (id, queue, kind, payload, priority, state, run_at, created_at, attempt, max_attempts,
                                    unique_key, worker_id, attempted_at, errors, replay_of)
                    SELECT id, queue, kind, payload, priority, 'completed', run_at, created_at, attempt, max_attempts,
                           unique_key, worker_id, attempted_at, errors, replay_of FROM done WHERE ?)
                SELECT id FROM done""".formatted(jobs, finished);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, longs(c, ids));
            ps.setArray(2, longs(c, distinct(tokens)));
            ps.setBoolean(3, keep);
            List<Long> out = new ArrayList<>(ids.length);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        }
    }

    /**
     * Puts a running job back to waiting. {@code spendAttempt} false gives the attempt back
     * (postponed, handed back); {@code errorJson} (one error object or null) is appended to the history.
     *
     * @return false when the token no longer matches (the job was rescued meanwhile), or a cancel was
     *     requested (then {@link #cancelRunning} moves it to the cancelled jobs instead)
     */
    public boolean release(Connection c, long id, long token, Duration delay, boolean spendAttempt, @Nullable String errorJson) throws SQLException {
        String sql = """
                UPDATE %s
                   SET state = 'available', run_at = now() + ?::bigint * interval '1 microsecond',
                       attempt = CASE WHEN ? THEN attempt ELSE greatest(attempt - 1, 0) END,
                       worker_id = NULL, lease_expires_at = NULL,
                       errors = CASE WHEN ?::jsonb IS NULL THEN errors ELSE errors || jsonb_build_array(?::jsonb) END
                 WHERE id = ? AND lease_token = ? AND state <> 'available' AND cancel_requested_at IS NULL""".formatted(jobs);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, delay.toNanos() / 1000);
            ps.setBoolean(2, spendAttempt);
            ps.setString(3, errorJson);
            ps.setString(4, errorJson);
            ps.setLong(5, id);
            ps.setLong(6, token);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Hands back claimed jobs that never started, without spending their attempt. Returns how many
     * matched; jobs with a cancel requested do not (see {@link #cancelRunning}).
     */
    public int handBack(Connection c, long[] ids, long[] tokens) throws SQLException {
        String sql = """
                UPDATE %s j
                   SET state = 'available', attempt = greatest(j.attempt - 1, 0), worker_id = NULL, lease_expires_at = NULL
                 WHERE j.id = ANY(?::bigint[]) AND j.state <> 'available'
                   AND j.lease_token = ANY(?::bigint[]) AND j.cancel_requested_at IS NULL""".formatted(jobs);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, longs(c, ids));
            ps.setArray(2, longs(c, distinct(tokens)));
            return ps.executeUpdate();
        }
    }

    /**
     * The last step of a graceful exit: every job still running under {@code workerId} goes back
     * to waiting with reason {@code shutdown}, its attempt given back; but not those with a cancel
     * requested, which {@link #cancelRunningOf} ends first.
     */
    public List<Long> handBackAllOf(Connection c, String workerId) throws SQLException {
        String sql = """
                UPDATE %s
                   SET state = 'available', attempt = greatest(attempt - 1, 0), worker_id = NULL, lease_expires_at = NULL,
                       errors = errors || jsonb_build_array(jsonb_build_object('attempt', attempt, 'at', now(), 'type', 'shutdown',
                                  'message', 'worker ' || worker_id || ' shut down before the job finished', 'reason', 'shutdown'))
                 WHERE worker_id = ? AND state = 'running' AND cancel_requested_at IS NULL
                RETURNING id""".formatted(jobs);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, workerId);
            List<Long> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        }
    }

    /**
     * Removes a running job whose token matches and returns it with {@code errorJson} appended to
     * its history, recording it as dead in {@code finished_jobs} when {@code keep}. A null
     * {@code token} (the maintenance leader) buries it only while its lease is expired. Returns null
     * when the token no longer matches, the lease was extended again (null token), or a cancel was requested (then {@link #cancelRunning} ends
     * it as cancelled: a cancelled job never becomes a dead letter).
     */
    public @Nullable Job bury(Connection c, long id, @Nullable Long token, @Nullable String errorJson, boolean keep) throws SQLException {
        String sql = "DELETE FROM " + jobs + " WHERE id = ? AND state <> 'available' AND cancel_requested_at IS NULL"
                // without a token (the leader burying an expired lease) the lease must still be expired: its locks
                // were released before the burial, and a paused worker may have extended it meanwhile
                + (token == null ? " AND lease_expires_at < now()" : " AND lease_token = ?")
                + " RETURNING id, queue, kind, payload::text, priority, 'dead', run_at, created_at, attempt, max_attempts,"
                + " unique_key, worker_id, attempted_at, NULL::timestamptz, now(),"
                + " (errors || CASE WHEN ?::jsonb IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(?::jsonb) END)::text, replay_of";
        Job job;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setLong(i++, id);
            if (token != null) {
                ps.setLong(i++, token);
            }
            ps.setString(i++, errorJson);
            ps.setString(i, errorJson);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                job = job(rs);
            }
        }
        if (keep) {
            String insert = """
                    INSERT INTO %s (id, queue, kind, payload, priority, state, run_at, created_at, attempt, max_attempts,
                                    unique_key, worker_id, attempted_at, errors, replay_of)
                    VALUES (?, ?, ?, ?::jsonb, ?, 'dead', ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)""".formatted(finished);
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                ps.setLong(1, job.id());
                ps.setString(2, job.queue());
                ps.setString(3, job.kind());
                ps.setString(4, job.payload());
                ps.setInt(5, job.priority());
                Jdbc.setInstant(ps, 6, job.runAt());
                Jdbc.setInstant(ps, 7, job.createdAt());
                ps.setInt(8, job.attempt());
                ps.setInt(9, job.maxAttempts());
                ps.setString(10, job.uniqueKey());
                ps.setString(11, job.workerId());
                Jdbc.setInstant(ps, 12, job.attemptedAt());
                ps.setString(13, job.errors());
                ps.setObject(14, job.replayOf(), Types.BIGINT);
                ps.executeUpdate();
            }
        }
        return job;
    }

    /**
     * Extends the leases of the given running jobs; returns the jobs extended, each with whether a
     * cancel was requested for it (so the worker learns of a cancel without a query of its own). Rows locked by a
     * concurrent statement (the completer deleting them, the rescue) are skipped rather than
     * waited for: the batched completion and this batched extension would otherwise lock the same
     * rows in different orders and deadlock.
     */
    public List<Extended> extend(Connection c, long[] ids, long[] tokens, Duration lease) throws SQLException {
        String sql = """
                WITH mine AS (
                    SELECT j.id FROM %s j
                     WHERE j.id = ANY(?::bigint[]) AND j.state <> 'available'
                       AND j.lease_token = ANY(?::bigint[])
                       FOR UPDATE OF j SKIP LOCKED)
                UPDATE %s j SET lease_expires_at = now() + ?::bigint * interval '1 millisecond'
                  FROM mine WHERE j.id = mine.id
                RETURNING j.id, j.cancel_requested_at IS NOT NULL""".formatted(jobs, jobs);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, longs(c, ids));
            ps.setArray(2, longs(c, distinct(tokens)));
            ps.setLong(3, lease.toMillis());
            List<Extended> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Extended(rs.getLong(1), rs.getBoolean(2)));
                }
            }
            return out;
        }
    }

    /**
     * Returns running jobs with expired leases and attempts left to waiting; returns their queues (one
     * per job). A job with a cancel requested is never returned to waiting ({@link #cancelExpired}).
     */
    public List<String> rescue(Connection c, int limit) throws SQLException {
        String sql = """
                WITH expired AS (
                    SELECT id FROM %s
                     WHERE state = 'running' AND lease_expires_at < now() AND attempt < max_attempts
                       AND cancel_requested_at IS NULL
                     ORDER BY lease_expires_at LIMIT ? FOR UPDATE SKIP LOCKED)
                UPDATE %s j
                   SET state = 'available', run_at = now(), worker_id = NULL, lease_expires_at = NULL,
                       errors = j.errors || jsonb_build_array(jsonb_build_object('attempt', j.attempt, 'at', now(),
                                  'type', 'lease_expired', 'message', 'the lease of worker ' || coalesce(j.worker_id, '?')
                                  || ' expired', 'reason', 'rescued_after_lease'))
                  FROM expired WHERE j.id = expired.id
                RETURNING j.queue""".formatted(jobs, jobs);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, limit);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    /** Ids of running jobs with expired leases and no attempts left, locked for the caller's transaction. */
    public List<Long> lockExpiredSpent(Connection c, int limit) throws SQLException {
        String sql = """
                SELECT id FROM %s WHERE state = 'running' AND lease_expires_at < now() AND attempt >= max_attempts
                   AND cancel_requested_at IS NULL
                 ORDER BY lease_expires_at LIMIT ? FOR UPDATE SKIP LOCKED""".formatted(jobs);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, limit);
            List<Long> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        }
    }

    /** Wakes the workers of these queues now (delivered at commit). */
    public void notifyQueues(Connection c, Collection<String> queues) throws SQLException {
        if (queues.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, q) FROM unnest(?::text[]) AS q")) {
            ps.setString(1, channel);
            ps.setArray(2, c.createArrayOf("text", queues.stream().distinct().toArray(String[]::new)));
            ps.executeQuery().close();
        }
    }

    /** Deletes one batch of finished jobs older than {@code retention}; returns how many. */
    public int prune(Connection c, Duration retention, int batch) throws SQLException {
        String sql = """
                DELETE FROM %s WHERE id IN (
                    SELECT id FROM %s WHERE finished_at < now() - ?::bigint * interval '1 millisecond' LIMIT ?)""".formatted(finished, finished);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, retention.toMillis());
            ps.setInt(2, batch);
            return ps.executeUpdate();
        }
    }

    /** Records one graceful shutdown of a worker runtime (table {@code drains}). */
    public void recordDrain(Connection c, String workerId, boolean clean, int finishedJobs, int handedBack, int interrupted,
                            long tookMillis) throws SQLException {
        String sql = "INSERT INTO %s (worker_id, clean, finished, handed_back, interrupted, took_ms) VALUES (?, ?, ?, ?, ?, ?)"
                .formatted(drains);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, workerId);
            ps.setBoolean(2, clean);
            ps.setInt(3, finishedJobs);
            ps.setInt(4, handedBack);
            ps.setInt(5, interrupted);
            ps.setLong(6, tookMillis);
            ps.executeUpdate();
        }
    }

    /**
     * Drains that finished within {@code within} and were not clean or interrupted running jobs:
     * the condition {@code opskit.jobs.drains.unclean} reports.
     */
    public long uncleanDrains(Connection c, Duration within) throws SQLException {
        String sql = """
                SELECT count(*) FROM %s
                 WHERE finished_at > now() - ?::bigint * interval '1 millisecond' AND (NOT clean OR interrupted > 0)"""
                .formatted(drains);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, within.toMillis());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The drains that finished within {@code within}, newest first, at most {@code limit}. */
    public List<DrainRecord> drains(Connection c, Duration within, int limit) throws SQLException {
        String sql = """
                SELECT worker_id, finished_at, clean, finished, handed_back, interrupted, took_ms FROM %s
                 WHERE finished_at > now() - ?::bigint * interval '1 millisecond'
                 ORDER BY finished_at DESC, id DESC LIMIT ?""".formatted(drains);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, within.toMillis());
            ps.setInt(2, limit);
            List<DrainRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new DrainRecord(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getBoolean(3),
                            rs.getInt(4), rs.getInt(5), rs.getInt(6), Duration.ofMillis(rs.getLong(7))));
                }
            }
            return out;
        }
    }

    /**
     * Deletes recorded starts that no rate window looks at any more: older than their queue's
     * period, or of a queue without a rate limit. Returns how many.
     */
    public int pruneStarts(Connection c) throws SQLException {
        String sql = """
                DELETE FROM %s s
                 WHERE NOT EXISTS (SELECT 1 FROM %s c WHERE c.queue = s.queue AND c.rate_permits IS NOT NULL
                                      AND s.started_at > now() - c.rate_period_ms * interval '1 millisecond')""".formatted(starts, controls);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            return ps.executeUpdate();
        }
    }

    /** Deletes drain records older than {@code retention}. */
    public int pruneDrains(Connection c, Duration retention) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM %s WHERE finished_at < now() - ?::bigint * interval '1 millisecond'".formatted(drains))) {
            ps.setLong(1, retention.toMillis());
            return ps.executeUpdate();
        }
    }

    /**
     * Dead row versions in the hot table, from the statistics collector (cheap; up to a second stale).
     * Returns {@code [dead, live]}.
     */
    public long[] deadAndLiveRows(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT n_dead_tup, n_live_tup FROM pg_stat_user_tables WHERE schemaname = ? AND relname = 'jobs'")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new long[] {rs.getLong(1), rs.getLong(2)} : new long[] {0, 0};
            }
        }
    }

    /** Vacuums the hot table (not FULL: no exclusive lock); needs autocommit. */
    public void vacuum(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("VACUUM " + jobs);
        }
    }

    /** Takes the session-level leader lock of this schema's maintenance, if free. */
    public boolean tryLeaderLock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(?))")) {
            ps.setInt(1, 0x6f70736b); // "opsk", the namespace the schema installer uses too
            ps.setString(2, "jobqueue.maintenance." + schema);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    public void listen(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("LISTEN \"" + channel + "\"");
        }
    }

    // ---------------------------------------------------------------- mapping

    private static List<Job> jobs(PreparedStatement ps) throws SQLException {
        List<Job> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(job(rs));
            }
        }
        return out;
    }

    static Job job(ResultSet rs) throws SQLException {
        return new Job(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                JobState.valueOf(rs.getString(6).toUpperCase(Locale.ROOT)), Jdbc.requiredInstant(rs, 7), Jdbc.requiredInstant(rs, 8), rs.getInt(9),
                rs.getInt(10), rs.getString(11), rs.getString(12), Jdbc.instant(rs, 13), Jdbc.instant(rs, 14), Jdbc.instant(rs, 15),
                rs.getString(16), rs.getObject(17, Long.class));
    }

    private static Array longs(Connection c, long[] values) throws SQLException {
        Long[] boxed = new Long[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return c.createArrayOf("int8", boxed);
    }

    private static long[] distinct(long[] values) {
        return java.util.Arrays.stream(values).distinct().toArray();
    }

    static long micros(Instant i) {
        // a run-at before 1970 means "now" as much as any other past time, and would overflow far enough back.
        // Seconds and nanos apart: ChronoUnit.MICROS.between goes through nanoseconds in a long, which
        // overflows after 2262-04-11 although a run-at may be anything before year 10000.
        return i.isBefore(Instant.EPOCH) ? 0 : Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1_000);
    }
}
