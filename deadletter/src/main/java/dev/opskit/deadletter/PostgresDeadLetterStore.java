package dev.opskit.deadletter;

import dev.opskit.core.internal.json.JsonWriter;
import dev.opskit.core.schema.SchemaInstaller;
import dev.opskit.core.jdbc.Jdbc;
import dev.opskit.deadletter.internal.HeadersJson;
import dev.opskit.deadletter.internal.RunHandle;
import dev.opskit.deadletter.internal.TargetRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
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
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL {@link DeadLetterStore}: letters in {@code <schema>.dead_letters}, replay-all runs
 * in {@code <schema>.dead_letter_replay_runs}.
 *
 * <pre>{@code
 * DeadLetterStore store = PostgresDeadLetterStore.builder(dataSource)
 *         .schema("opskit")                       // default
 *         .meterRegistry(registry)                // optional
 *         .build();                               // installs the tables unless installSchema(false)
 * store.registerReplayTarget("webhook:*", (tx, letter) -> webhooks.redeliver(letter));
 * }</pre>
 *
 * <h2>Concurrency</h2>
 * A replay locks the letter's row with {@code SELECT ... FOR UPDATE SKIP LOCKED}, calls the target
 * with the same connection and marks the letter replayed before it commits: a concurrent replay of
 * the same letter sees it locked ({@link ReplayOutcome#BUSY}) or already replayed, never hands it
 * over a second time. A replay-all run works in batches, one transaction each, and commits its
 * cursor with each batch; while it runs it holds a session advisory lock (on a connection of its
 * own) keyed on its run id, so a later run with the same filter can tell a live run (refuse) from
 * one whose process died (resume from the cursor).
 *
 * <h2>Time</h2>
 * Times come from the database's clock ({@code now()}), so purge and ages agree between hosts.
 */
public final class PostgresDeadLetterStore implements DeadLetterStore {
    /** Default purge batch size: letters deleted per transaction. */
    public static final int DEFAULT_PURGE_BATCH_SIZE = 1_000;
    /** Default pause between two purge batches. */
    public static final Duration DEFAULT_PURGE_PAUSE = Duration.ZERO;
    /** Default interval at which the size gauges are refreshed. */
    public static final Duration DEFAULT_METRICS_REFRESH = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(PostgresDeadLetterStore.class);
    /** First key of the two-int advisory locks held by live replay-all runs: "opdl". */
    private static final int RUN_LOCK_NAMESPACE = 0x6f70646c;
    /** First key of the transaction lock taken while a run is started: "opdf". */
    private static final int START_LOCK_NAMESPACE = 0x6f706466;
    private static final String COLUMNS = """
            id, source, kind, payload::text AS payload, headers::text AS headers, idempotency_key, error_type, cause_type,
            message, stack_trace, error_history::text AS error_history, attempts, first_failed_at, last_failed_at, died_at, reason, reason_detail, replay_of,
            status, replay_count, last_replayed_at, last_replay_ref, last_replay_error""";

    private final DataSource dataSource;
    private final String schema;
    private final String name;
    private final int purgeBatchSize;
    private final Duration purgePause;
    private final TargetRegistry targets = new TargetRegistry();
    private final DeadLetterMetrics metrics;
    private final ScheduledExecutorService metricsRefresher;
    private final Map<Long, RunHandle> activeRuns = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshWarned = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private final String sqlInsert;
    private final String sqlGet;
    private final String sqlLockOne;
    private final String sqlMarkReplayed;
    private final String sqlReplayError;
    private final String sqlStats;

    private PostgresDeadLetterStore(Builder b) {
        this.dataSource = b.dataSource;
        this.schema = b.schema;
        this.name = "deadletter[" + schema + "]";
        this.purgeBatchSize = b.purgeBatchSize;
        this.purgePause = b.purgePause;
        b.targets.forEach(targets::register);
        this.sqlInsert = q("""
                INSERT INTO {s}.dead_letters (source, kind, payload, headers, idempotency_key, error_type, cause_type, message,
                    stack_trace, attempts, first_failed_at, last_failed_at, died_at, reason, reason_detail, replay_of, error_history)
                VALUES (?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, now()), ?, ?, ?, ?::jsonb)
                RETURNING id""");
        this.sqlGet = q("SELECT " + COLUMNS + " FROM {s}.dead_letters WHERE id = ?");
        this.sqlLockOne = q("SELECT " + COLUMNS + " FROM {s}.dead_letters WHERE id = ? FOR UPDATE SKIP LOCKED");
        this.sqlMarkReplayed = q("""
                UPDATE {s}.dead_letters d
                   SET status = 'replayed', replay_count = d.replay_count + 1, last_replayed_at = now(),
                       last_replay_ref = u.ref, last_replay_error = NULL
                  FROM unnest(?::bigint[], ?::text[]) AS u(id, ref)
                 WHERE d.id = u.id""");
        this.sqlReplayError = q("""
                UPDATE {s}.dead_letters d SET last_replay_error = u.err
                  FROM unnest(?::bigint[], ?::text[]) AS u(id, err)
                 WHERE d.id = u.id""");
        this.sqlStats = q("""
                SELECT source,
                       count(*) FILTER (WHERE status = 'dead')     AS waiting,
                       count(*) FILTER (WHERE status = 'replayed') AS replayed,
                       min(died_at) FILTER (WHERE status = 'dead') AS oldest
                  FROM {s}.dead_letters
                 GROUP BY source
                 ORDER BY source""");
        if (b.installSchema) {
            SchemaInstaller.forSchema(dataSource, schema).install(DeadLetterSchema.MODULE);
        }
        if (b.loadProviders) {
            loadProviders(b.providerSettings);
        }
        if (b.meterRegistry != null) {
            this.metrics = new DeadLetterMetrics(b.meterRegistry);
            this.metricsRefresher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "opskit-deadletter-metrics-" + schema);
                t.setDaemon(true);
                return t;
            });
            long ms = b.metricsRefresh.toMillis();
            metricsRefresher.scheduleWithFixedDelay(this::refreshMetrics, 0, ms, TimeUnit.MILLISECONDS);
        } else {
            this.metrics = null;
            this.metricsRefresher = null;
        }
        log.info("{} - ready (purgeBatchSize={}, purgePause={}, metrics={}, metricsRefresh={})", name, purgeBatchSize,
                purgePause, metrics != null, b.metricsRefresh);
    }

    /** Starts a builder for a store on {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** The schema this store uses. */
    public String schema() {
        return schema;
    }

    private String q(String sql) {
        return sql.replace("{s}", schema);
    }

    private void loadProviders(Map<String, String> settings) {
        ReplayTargetProvider.Context ctx = new ReplayTargetProvider.Context(dataSource, schema, settings);
        for (ReplayTargetProvider p : ServiceLoader.load(ReplayTargetProvider.class, Thread.currentThread().getContextClassLoader())) {
            String pattern = p.sourcePattern();
            targets.register(pattern, p.create(ctx));
            log.info("{} - replay target for '{}' from {}", name, pattern, p.getClass().getName());
        }
    }

    // ---------------------------------------------------------------- add, get, list

    @Override
    public long add(Connection tx, NewDeadLetter letter) {
        Objects.requireNonNull(tx, "tx must not be null");
        Objects.requireNonNull(letter, "letter must not be null");
        try (PreparedStatement ps = tx.prepareStatement(sqlInsert)) {
            ps.setString(1, letter.source());
            ps.setString(2, letter.kind());
            ps.setString(3, letter.payload());
            ps.setString(4, HeadersJson.stringMap(clean(letter.headers())));
            ps.setString(5, letter.idempotencyKey());
            ps.setString(6, clean(letter.errorType()));
            ps.setString(7, clean(letter.causeType()));
            ps.setString(8, clean(letter.message()));
            ps.setString(9, clean(letter.stackTrace()));
            ps.setInt(10, letter.attempts());
            Jdbc.setInstant(ps, 11, letter.firstFailedAt());
            Jdbc.setInstant(ps, 12, letter.lastFailedAt());
            Jdbc.setInstant(ps, 13, letter.diedAt());
            ps.setString(14, letter.reason().code());
            ps.setString(15, clean(letter.reasonDetail()));
            if (letter.replayOf() == null) {
                ps.setNull(16, Types.BIGINT);
            } else {
                ps.setLong(16, letter.replayOf());
            }
            ps.setString(17, letter.errorHistory());
            long id;
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            if (metrics != null) {
                metrics.added(letter.source(), letter.reason());
            }
            log.debug("{} - added letter {} from '{}' ({})", name, id, letter.source(), letter.reason().code());
            return id;
        } catch (SQLException e) {
            throw new DeadLetterException(name + " - could not add a dead letter from '" + letter.source() + "': " + e.getMessage(), e);
        }
    }

    @Override
    public long add(NewDeadLetter letter) {
        Objects.requireNonNull(letter, "letter must not be null");
        return inTransaction("add a dead letter from '" + letter.source() + "'", c -> add(c, letter));
    }

    @Override
    public Optional<DeadLetter> get(long id) {
        return withConnection("get letter " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement(sqlGet)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public DeadLetterPage list(DeadLetterQuery query) {
        Objects.requireNonNull(query, "query must not be null");
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder(q("SELECT " + COLUMNS + " FROM {s}.dead_letters WHERE id > ?"));
        params.add(query.afterId());
        where(query, sql, params);
        sql.append(" ORDER BY id LIMIT ?");
        params.add(query.limit() + 1);
        return withConnection("list letters", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                bind(ps, params);
                List<DeadLetter> letters = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        letters.add(read(rs));
                    }
                }
                boolean more = letters.size() > query.limit();
                return new DeadLetterPage(more ? letters.subList(0, query.limit()) : letters, more);
            }
        });
    }

    @Override
    public long count(DeadLetterQuery query) {
        Objects.requireNonNull(query, "query must not be null");
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder(q("SELECT count(*) FROM {s}.dead_letters WHERE true"));
        where(query, sql, params);
        return withConnection("count letters", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Override
    public List<SourceStats> stats() {
        return withConnection("read statistics", c -> {
            List<SourceStats> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sqlStats); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new SourceStats(rs.getString(1), rs.getLong(2), rs.getLong(3), Jdbc.instant(rs, 4)));
                }
            }
            return out;
        });
    }

    /** Appends the query's filters (fixed SQL fragments, values as parameters). */
    private static void where(DeadLetterQuery q, StringBuilder sql, List<Object> params) {
        if (q.status() != null) {
            sql.append(" AND status = ?");
            params.add(q.status().code());
        }
        if (q.source() != null) {
            if (q.source().endsWith("*")) {
                sql.append(" AND starts_with(source, ?)");
                params.add(q.source().substring(0, q.source().length() - 1));
            } else {
                sql.append(" AND source = ?");
                params.add(q.source());
            }
        }
        if (q.kind() != null) {
            sql.append(" AND kind = ?");
            params.add(q.kind());
        }
        if (q.reason() != null) {
            sql.append(" AND reason = ?");
            params.add(q.reason().code());
        }
        if (q.diedFrom() != null) {
            sql.append(" AND died_at >= ?");
            params.add(q.diedFrom().atOffset(ZoneOffset.UTC));
        }
        if (q.diedBefore() != null) {
            sql.append(" AND died_at < ?");
            params.add(q.diedBefore().atOffset(ZoneOffset.UTC));
        }
    }

    private static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object p = params.get(i);
            if (p instanceof Long l) {
                ps.setLong(i + 1, l);
            } else if (p instanceof Integer n) {
                ps.setInt(i + 1, n);
            } else if (p instanceof OffsetDateTime t) {
                ps.setObject(i + 1, t);
            } else {
                ps.setString(i + 1, (String) p);
            }
        }
    }

    // ---------------------------------------------------------------- replay

    @Override
    public void registerReplayTarget(String sourcePattern, ReplayTarget target) {
        targets.register(sourcePattern, target);
        log.info("{} - replay target registered for '{}'", name, sourcePattern);
    }

    @Override
    public boolean hasReplayTarget(String source) {
        Objects.requireNonNull(source, "source must not be null");
        return targets.resolve(source).isPresent();
    }

    @Override
    public ReplayResult replay(long id) {
        ensureOpen();
        ReplayResult result = withConnection("replay letter " + id, c -> replayAlone(c, id, 0));
        count(result.outcome());
        if (result.outcome() == ReplayOutcome.REPLAYED) {
            log.info("{} - replayed letter {} from '{}' (ref {})", name, id, result.source(), result.reference());
        } else {
            log.warn("{} - letter {} not replayed: {}{}", name, id, result.outcome().code(),
                    result.detail() == null ? "" : " - " + result.detail());
        }
        return result;
    }

    /**
     * Replays one letter in a transaction of its own: lock the row (skip it when another replay
     * holds it), call the target, mark it replayed, commit. A failing target's work is rolled back
     * and the error recorded in a second transaction. When {@code runId > 0}, the run's cursor and
     * counters move in the same transactions.
     */
    private ReplayResult replayAlone(Connection c, long id, long runId) throws SQLException {
        c.setAutoCommit(false);
        try {
            DeadLetter letter;
            try (PreparedStatement ps = c.prepareStatement(sqlLockOne)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    letter = rs.next() ? read(rs) : null;
                }
            }
            if (letter == null || letter.status() == DeadLetterStatus.REPLAYED) {
                ReplayResult r = letter != null
                        ? new ReplayResult(id, letter.source(), ReplayOutcome.ALREADY_REPLAYED, "letter " + id + " was already replayed", null)
                        : whyNotLocked(c, id);
                c.rollback();
                return r;
            }
            Optional<ReplayTarget> target = targets.resolve(letter.source());
            if (target.isEmpty()) {
                String msg = TargetRegistry.noTargetMessage(letter.source());
                updatePairs(c, sqlReplayError, new Long[] {id}, new String[] {msg});
                advanceRun(c, runId, id, 0, 1);
                c.commit();
                return new ReplayResult(id, letter.source(), ReplayOutcome.NO_TARGET, msg, null);
            }
            String ref;
            try {
                ref = target.get().accept(c, letter);
                updatePairs(c, sqlMarkReplayed, new Long[] {id}, new String[] {ref});
                advanceRun(c, runId, id, 1, 0);
                c.commit();
            } catch (Exception e) {
                Jdbc.rollbackQuietly(c);
                String msg = failure(e);
                updatePairs(c, sqlReplayError, new Long[] {id}, new String[] {msg});
                advanceRun(c, runId, id, 0, 1);
                c.commit();
                return new ReplayResult(id, letter.source(), ReplayOutcome.FAILED, msg, null);
            }
            return new ReplayResult(id, letter.source(), ReplayOutcome.REPLAYED, null, ref);
        } catch (Throwable e) {
            // an Error from a target too: setAutoCommit(true) below would otherwise commit its half-done work
            Jdbc.rollbackQuietly(c);
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Why {@code SELECT ... FOR UPDATE SKIP LOCKED} found no row: gone, replayed, or locked by another replay. */
    private ReplayResult whyNotLocked(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(q("SELECT source, status FROM {s}.dead_letters WHERE id = ?"))) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new ReplayResult(id, null, ReplayOutcome.NOT_FOUND, "no dead letter with id " + id, null);
                }
                if ("replayed".equals(rs.getString(2))) {
                    return new ReplayResult(id, rs.getString(1), ReplayOutcome.ALREADY_REPLAYED,
                            "letter " + id + " was already replayed", null);
                }
                return new ReplayResult(id, rs.getString(1), ReplayOutcome.BUSY,
                        "letter " + id + " is being replayed by another replay right now", null);
            }
        }
    }

    private void advanceRun(Connection c, long runId, long cursor, long done, long failed) throws SQLException {
        if (runId <= 0) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(q("""
                UPDATE {s}.dead_letter_replay_runs
                   SET cursor_id = greatest(cursor_id, ?), done = done + ?, failed = failed + ?, updated_at = now()
                 WHERE id = ?"""))) {
            ps.setLong(1, cursor);
            ps.setLong(2, done);
            ps.setLong(3, failed);
            ps.setLong(4, runId);
            ps.executeUpdate();
        }
    }

    private static String failure(Exception e) {
        String msg = e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return clean(NewDeadLetter.cap(msg, NewDeadLetter.MAX_MESSAGE_CHARS));
    }

    private static void updatePairs(Connection c, String sql, Long[] ids, String[] texts) throws SQLException {
        if (ids.length == 0) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Array a = c.createArrayOf("bigint", ids);
            Array b = c.createArrayOf("text", texts);
            ps.setArray(1, a);
            ps.setArray(2, b);
            ps.executeUpdate();
        }
    }

    @Override
    public ReplayAllRun startReplayAll(ReplayAllRequest request) {
        Objects.requireNonNull(request, "request must not be null");
        ensureOpen();
        if (request.dryRun()) {
            RunHandle handle = new RunHandle(0, count(request.filter()), 0, 0);
            startThread(handle, () -> dryRun(request, handle));
            return handle;
        }
        Connection lock = null;
        try {
            lock = dataSource.getConnection();
            RunHandle handle = claimRun(lock, request);
            Connection lockConnection = lock;
            activeRuns.put(handle.runId(), handle);
            startThread(handle, () -> runAll(request, handle, lockConnection));
            return handle;
        } catch (SQLException e) {
            Jdbc.closeQuietly(lock);
            throw new DeadLetterException(name + " - could not start a replay-all run: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            Jdbc.closeQuietly(lock);
            throw e;
        }
    }

    private void startThread(RunHandle handle, Runnable body) {
        Thread t = new Thread(body, "opskit-deadletter-replay-" + handle.runId());
        t.setDaemon(true);
        t.start();
    }

    /**
     * Finds an orphaned run with the same filter to resume (its owner's advisory lock is gone), or
     * creates one; either way leaves this connection holding the run's advisory lock.
     */
    private RunHandle claimRun(Connection lock, ReplayAllRequest request) throws SQLException {
        String key = filterKey(request.filter());
        lock.setAutoCommit(false);
        try {
            try (PreparedStatement ps = lock.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
                ps.setInt(1, START_LOCK_NAMESPACE);
                ps.setString(2, schema + "|" + key);
                ps.execute();
            }
            List<long[]> running = new ArrayList<>();
            List<String> owners = new ArrayList<>();
            try (PreparedStatement ps = lock.prepareStatement(q("""
                    SELECT id, total, done, failed, owner FROM {s}.dead_letter_replay_runs
                     WHERE filter_key = ? AND state = 'running' ORDER BY id"""))) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        running.add(new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)});
                        owners.add(rs.getString(5));
                    }
                }
            }
            for (int i = 0; i < running.size(); i++) {
                long[] r = running.get(i);
                if (tryRunLock(lock, r[0])) {
                    try (PreparedStatement ps = lock.prepareStatement(q(
                            "UPDATE {s}.dead_letter_replay_runs SET owner = ?, updated_at = now() WHERE id = ?"))) {
                        ps.setString(1, owner());
                        ps.setLong(2, r[0]);
                        ps.executeUpdate();
                    }
                    lock.commit();
                    log.warn("{} - resuming replay-all run {} ({}): its previous owner {} stopped before the end ({} of {} done, {} failed)",
                            name, r[0], key, owners.get(i), r[2], r[1], r[3]);
                    return new RunHandle(r[0], r[1], r[2], r[3]);
                }
                throw new DeadLetterException(name + " - replay-all run " + r[0] + " with the same filter (" + key
                        + ") is running in " + owners.get(i) + "; wait for it or cancel it there");
            }
            long maxId;
            try (Statement st = lock.createStatement();
                 ResultSet rs = st.executeQuery(q("SELECT coalesce(max(id), 0) FROM {s}.dead_letters"))) {
                rs.next();
                maxId = rs.getLong(1);
            }
            List<Object> params = new ArrayList<>();
            StringBuilder sql = new StringBuilder(q("SELECT count(*) FROM {s}.dead_letters WHERE id <= ?"));
            params.add(maxId);
            where(request.filter(), sql, params);
            long total;
            try (PreparedStatement ps = lock.prepareStatement(sql.toString())) {
                bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            long runId;
            try (PreparedStatement ps = lock.prepareStatement(q("""
                    INSERT INTO {s}.dead_letter_replay_runs (filter_key, filter_json, dry_run, max_letter_id, total, owner)
                    VALUES (?, ?, false, ?, ?, ?) RETURNING id"""))) {
                ps.setString(1, key);
                ps.setString(2, key);
                ps.setLong(3, maxId);
                ps.setLong(4, total);
                ps.setString(5, owner());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    runId = rs.getLong(1);
                }
            }
            if (!tryRunLock(lock, runId)) {
                throw new DeadLetterException(name + " - could not lock new replay-all run " + runId);
            }
            lock.commit();
            log.info("{} - replay-all run {} started ({}, rate {}/s): {} letters up to id {}", name, runId, key,
                    request.ratePerSecond() == 0 ? "unthrottled" : request.ratePerSecond(), total, maxId);
            return new RunHandle(runId, total, 0, 0);
        } catch (SQLException | RuntimeException e) {
            lock.rollback();
            throw e;
        } finally {
            lock.setAutoCommit(true);
        }
    }

    private static boolean tryRunLock(Connection c, long runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            ps.setInt(1, RUN_LOCK_NAMESPACE);
            ps.setInt(2, (int) runId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private void runAll(ReplayAllRequest request, RunHandle handle, Connection lock) {
        long runId = handle.runId();
        RunHandle.Pacer pacer = new RunHandle.Pacer(request.ratePerSecond());
        try (lock; Connection c = dataSource.getConnection()) {
            long cursor;
            long maxId;
            try (PreparedStatement ps = c.prepareStatement(q(
                    "SELECT cursor_id, max_letter_id FROM {s}.dead_letter_replay_runs WHERE id = ?"))) {
                ps.setLong(1, runId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    cursor = rs.getLong(1);
                    maxId = rs.getLong(2);
                }
            }
            List<Object> filterParams = new ArrayList<>();
            StringBuilder filterSql = new StringBuilder();
            where(request.filter(), filterSql, filterParams);
            String select = q("SELECT " + COLUMNS + " FROM {s}.dead_letters WHERE id > ? AND id <= ?") + filterSql
                    + " ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED";
            c.setAutoCommit(false);
            while (true) {
                if (handle.cancelRequested() || closed.get()) {
                    endRun(c, runId, "cancelled");
                    handle.end(ReplayProgress.State.CANCELLED, null);
                    log.info("{} - replay-all run {} cancelled: {}", name, runId, handle.progress());
                    return;
                }
                List<DeadLetter> batch = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(select)) {
                    List<Object> params = new ArrayList<>();
                    params.add(cursor);
                    params.add(maxId);
                    params.addAll(filterParams);
                    params.add(pacer.batchSize(request.batchSize()));
                    bind(ps, params);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            batch.add(read(rs));
                        }
                    }
                }
                if (batch.isEmpty()) {
                    c.rollback();
                    endRun(c, runId, "finished");
                    handle.end(ReplayProgress.State.FINISHED, null);
                    log.info("{} - replay-all run {} finished: {}", name, runId, handle.progress());
                    return;
                }
                cursor = batch.get(batch.size() - 1).id();
                if (!fastBatch(c, runId, batch, cursor, handle)) {
                    // A target that does not join the transaction, or a failure in the batch: one letter per transaction.
                    c.rollback();
                    for (DeadLetter letter : batch) {
                        ReplayResult r = replayAlone(c, letter.id(), runId);
                        count(r.outcome());
                        switch (r.outcome()) {
                            case REPLAYED -> handle.add(1, 0);
                            case FAILED, NO_TARGET -> {
                                handle.add(0, 1);
                                log.warn("{} - replay-all run {}: letter {} not replayed: {} - {}", name, runId, letter.id(),
                                        r.outcome().code(), r.detail());
                            }
                            default -> {
                                // taken by another replay or deleted meanwhile: counted as skipped at the end
                            }
                        }
                    }
                    c.setAutoCommit(false);
                    advanceRun(c, runId, cursor, 0, 0);
                    c.commit();
                }
                pacer.pace(batch.size(), handle);
            }
        } catch (Exception | Error e) {
            // The run stays 'running' in the table; its advisory lock went with the closed connection,
            // so the next run with the same filter resumes it from the last committed cursor. An Error
            // (from a target, say) ends the handle too, so that nobody awaits a dead thread forever.
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            activeRuns.remove(runId);
            handle.end(ReplayProgress.State.FAILED, e);
            log.error("{} - replay-all run {} stopped by an error; start it again to resume: {}", name, runId, e.toString());
        } finally {
            activeRuns.remove(runId);
        }
    }

    /**
     * Hands a locked batch over in the batch's transaction when every letter's target joins it (or
     * it has none). Returns false, with nothing handed over, when the batch must be done one letter
     * at a time instead.
     */
    private boolean fastBatch(Connection c, long runId, List<DeadLetter> batch, long cursor, RunHandle handle) throws SQLException {
        List<ReplayTarget> resolved = new ArrayList<>(batch.size());
        for (DeadLetter letter : batch) {
            ReplayTarget t = targets.resolve(letter.source()).orElse(null);
            if (t != null && !t.joinsTransaction()) {
                return false;
            }
            resolved.add(t);
        }
        List<Long> okIds = new ArrayList<>();
        List<String> okRefs = new ArrayList<>();
        List<Long> badIds = new ArrayList<>();
        List<String> badErrors = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            DeadLetter letter = batch.get(i);
            ReplayTarget t = resolved.get(i);
            if (t == null) {
                badIds.add(letter.id());
                badErrors.add(TargetRegistry.noTargetMessage(letter.source()));
                log.warn("{} - replay-all run {}: letter {} not replayed: {}", name, runId, letter.id(), badErrors.get(badErrors.size() - 1));
                continue;
            }
            try {
                okRefs.add(t.accept(c, letter));
                okIds.add(letter.id());
            } catch (Exception e) {
                log.debug("{} - replay-all run {}: letter {} failed in a batch, redoing the batch letter by letter: {}",
                        name, runId, letter.id(), e.toString());
                return false;
            }
        }
        try {
            updatePairs(c, sqlMarkReplayed, okIds.toArray(Long[]::new), okRefs.toArray(String[]::new));
            updatePairs(c, sqlReplayError, badIds.toArray(Long[]::new), badErrors.toArray(String[]::new));
            advanceRun(c, runId, cursor, okIds.size(), badIds.size());
            c.commit();
        } catch (SQLException e) {
            // For instance a target that swallowed an SQL error and left the transaction aborted.
            log.debug("{} - replay-all run {}: batch could not be committed, redoing it letter by letter: {}", name, runId, e.toString());
            return false;
        }
        handle.add(okIds.size(), badIds.size());
        for (int i = 0; i < okIds.size(); i++) {
            count(ReplayOutcome.REPLAYED);
        }
        for (int i = 0; i < badIds.size(); i++) {
            count(ReplayOutcome.NO_TARGET);
        }
        return true;
    }

    private void endRun(Connection c, long runId, String state) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(q(
                "UPDATE {s}.dead_letter_replay_runs SET state = ?, finished_at = now(), updated_at = now() WHERE id = ?"))) {
            ps.setString(1, state);
            ps.setLong(2, runId);
            ps.executeUpdate();
        }
        c.commit();
    }

    private void dryRun(ReplayAllRequest request, RunHandle handle) {
        try {
            DeadLetterQuery page = request.filter().toBuilder().limit(1000).build();
            while (!handle.cancelRequested()) {
                DeadLetterPage p = list(page);
                long ok = 0;
                long bad = 0;
                for (DeadLetter l : p.letters()) {
                    if (targets.resolve(l.source()).isPresent()) {
                        ok++;
                    } else {
                        bad++;
                    }
                }
                handle.add(ok, bad);
                if (p.nextAfterId().isEmpty()) {
                    handle.end(ReplayProgress.State.FINISHED, null);
                    return;
                }
                page = page.after(p.nextAfterId().getAsLong());
            }
            handle.end(ReplayProgress.State.CANCELLED, null);
        } catch (RuntimeException | Error e) {
            handle.end(ReplayProgress.State.FAILED, e);
        }
    }

    static String filterKey(DeadLetterQuery f) {
        return new JsonWriter().beginObject()
                .name("source").value(f.source())
                .name("kind").value(f.kind())
                .name("reason").value(f.reason() == null ? null : f.reason().code())
                .name("diedFrom").value(f.diedFrom() == null ? null : f.diedFrom().toString())
                .name("diedBefore").value(f.diedBefore() == null ? null : f.diedBefore().toString())
                .endObject().toString();
    }

    private static String owner() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown-host";
        }
        return "pid " + ProcessHandle.current().pid() + " on " + host;
    }

    private void count(ReplayOutcome outcome) {
        if (metrics != null) {
            metrics.replayed(outcome);
        }
    }

    // ---------------------------------------------------------------- retention

    @Override
    public long cleanupReplayed(Duration olderThan) {
        requireAge("olderThan", olderThan);
        return deleteInBatches("cleanup", "replayed letters last replayed more than " + olderThan + " ago",
                q("""
                  WITH doomed AS (
                      SELECT id FROM {s}.dead_letters
                       WHERE status = 'replayed' AND last_replayed_at <= ?
                       ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
                  DELETE FROM {s}.dead_letters d USING doomed WHERE d.id = doomed.id
                  RETURNING d.id, d.source"""), olderThan);
    }

    @Override
    public long purgeOlderThan(Duration age) {
        requireAge("age", age);
        return deleteInBatches("age", "letters that died more than " + age + " ago",
                q("""
                  WITH doomed AS (
                      SELECT id FROM {s}.dead_letters
                       WHERE died_at < ?
                       ORDER BY died_at LIMIT ? FOR UPDATE SKIP LOCKED)
                  DELETE FROM {s}.dead_letters d USING doomed WHERE d.id = doomed.id
                  RETURNING d.id, d.source"""), age);
    }

    @Override
    public long enforceCap(long maxLetters) {
        if (maxLetters < 0) {
            throw new IllegalArgumentException("maxLetters must be 0 or more, but was " + maxLetters);
        }
        Long threshold = withConnection("find the cap threshold", c -> {
            try (PreparedStatement ps = c.prepareStatement(q("SELECT id FROM {s}.dead_letters ORDER BY id DESC OFFSET ? LIMIT 1"))) {
                ps.setLong(1, maxLetters);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : null;
                }
            }
        });
        if (threshold == null) {
            return 0;
        }
        String sql = q("""
                WITH doomed AS (
                    SELECT id FROM {s}.dead_letters WHERE id <= ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
                DELETE FROM {s}.dead_letters d USING doomed WHERE d.id = doomed.id
                RETURNING d.id, d.source""");
        return deleteBatches("cap", "letters beyond the newest " + maxLetters, sql, ps -> ps.setLong(1, threshold));
    }

    @Override
    public boolean delete(long id) {
        String source = withConnection("delete letter " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement(q("DELETE FROM {s}.dead_letters WHERE id = ? RETURNING source"))) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
        if (source == null) {
            return false;
        }
        if (metrics != null) {
            metrics.removed("manual", 1);
        }
        log.info("{} - removed letter {} from '{}' (cause manual)", name, id, source);
        return true;
    }

    private static void requireAge(String what, Duration d) {
        Objects.requireNonNull(d, what + " must not be null");
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, but was " + d);
        }
    }

    private long deleteInBatches(String cause, String what, String sql, Duration age) {
        OffsetDateTime cutoff = withConnection("read the database time", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT now()")) {
                rs.next();
                return rs.getObject(1, OffsetDateTime.class);
            }
        }).minus(age);
        return deleteBatches(cause, what, sql, ps -> ps.setObject(1, cutoff));
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /**
     * Runs {@code sql} (parameter 1 bound by {@code first}, parameter 2 the batch size) in its own
     * short transaction until it deletes less than a batch, counting and logging per source.
     */
    private long deleteBatches(String cause, String what, String sql, Binder first) {
        Map<String, long[]> bySource = new TreeMap<>();
        long total = 0;
        try {
            while (true) {
                int n = withConnection("delete " + what, c -> {
                    int deleted = 0;
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        first.bind(ps);
                        ps.setInt(2, purgeBatchSize);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                deleted++;
                                long id = rs.getLong(1);
                                long[] s = bySource.computeIfAbsent(rs.getString(2), k -> new long[] {0, Long.MAX_VALUE, 0});
                                s[0]++;
                                s[1] = Math.min(s[1], id);
                                s[2] = Math.max(s[2], id);
                                log.debug("{} - removed letter {} ({})", name, id, cause);
                            }
                        }
                    }
                    return deleted;
                });
                total += n;
                if (metrics != null) {
                    metrics.removed(cause, n);
                }
                if (n < purgeBatchSize) {
                    break;
                }
                if (!purgePause.isZero()) {
                    try {
                        Thread.sleep(purgePause.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        log.warn("{} - interrupted while deleting {}; {} removed so far", name, what, total);
                        break;
                    }
                }
            }
        } catch (RuntimeException e) {
            if (total == 0) {
                throw e;
            }
            // the batches before the failure are committed: say so, in the log and to the caller
            logRemoved(total, what, cause, bySource);
            throw new DeadLetterException(e.getMessage() + " (" + total + " letters were removed before this failure, cause "
                    + cause + ")", e);
        }
        logRemoved(total, what, cause, bySource);
        return total;
    }

    private void logRemoved(long total, String what, String cause, Map<String, long[]> bySource) {
        if (total > 0) {
            Map<String, String> summary = new LinkedHashMap<>();
            bySource.forEach((src, s) -> summary.put(src, s[0] + " (ids " + s[1] + ".." + s[2] + ")"));
            log.info("{} - removed {} {} (cause {}): {}", name, total, what, cause, summary);
        }
    }

    // ---------------------------------------------------------------- metrics, lifecycle

    /** Refreshes the size gauges now (they also refresh on their own every interval). No-op without metrics. */
    public void refreshMetrics() {
        if (metrics == null) {
            return;
        }
        try {
            List<SourceStats> s = stats();
            Instant now = withConnection("read the database time", c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT now()")) {
                    rs.next();
                    return rs.getObject(1, OffsetDateTime.class).toInstant();
                }
            });
            metrics.refresh(s, now);
            refreshWarned.set(false);
        } catch (RuntimeException e) {
            if (refreshWarned.compareAndSet(false, true)) {
                log.warn("{} - could not refresh dead-letter metrics (warned once until it works again): {}", name, e.getMessage());
            } else {
                log.debug("{} - could not refresh dead-letter metrics: {}", name, e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            activeRuns.values().forEach(RunHandle::cancel);
            if (metricsRefresher != null) {
                metricsRefresher.shutdownNow();
            }
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new DeadLetterException(name + " - store is closed");
        }
    }

    // ---------------------------------------------------------------- JDBC helpers

    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T withConnection(String what, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new DeadLetterException(name + " - could not " + what + ": " + e.getMessage(), e);
        }
    }

    private <T> T inTransaction(String what, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                Jdbc.rollbackQuietly(c);
                throw e;
            } finally {
                try {
                    c.setAutoCommit(auto);
                } catch (SQLException ignored) {
                    // the connection is closed next anyway
                }
            }
        } catch (SQLException e) {
            throw new DeadLetterException(name + " - could not " + what + ": " + e.getMessage(), e);
        }
    }

    /** PostgreSQL text cannot hold NUL characters; they become U+FFFD. */
    private static String clean(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
    }

    private static Map<String, String> clean(Map<String, String> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(clean(k), clean(v)));
        return out;
    }

    private static DeadLetter read(ResultSet rs) throws SQLException {
        long replayOf = rs.getLong("replay_of");
        Long replayOfOrNull = rs.wasNull() ? null : replayOf;
        return new DeadLetter(
                rs.getLong("id"),
                rs.getString("source"),
                rs.getString("kind"),
                rs.getString("payload"),
                HeadersJson.parseStringMap(rs.getString("headers")),
                rs.getString("idempotency_key"),
                rs.getString("error_type"),
                rs.getString("cause_type"),
                rs.getString("message"),
                rs.getString("stack_trace"),
                rs.getString("error_history"),
                rs.getInt("attempts"),
                Jdbc.instant(rs, "first_failed_at"),
                Jdbc.instant(rs, "last_failed_at"),
                Jdbc.instant(rs, "died_at"),
                DeadLetterReason.fromCode(rs.getString("reason")),
                rs.getString("reason_detail"),
                replayOfOrNull,
                DeadLetterStatus.fromCode(rs.getString("status")),
                rs.getInt("replay_count"),
                Jdbc.instant(rs, "last_replayed_at"),
                rs.getString("last_replay_ref"),
                rs.getString("last_replay_error"));
    }

    /** Builder; not thread-safe. Every setter validates at once. */
    public static final class Builder {
        private final DataSource dataSource;
        private String schema = SchemaInstaller.DEFAULT_SCHEMA;
        private boolean installSchema = true;
        private MeterRegistry meterRegistry;
        private Duration metricsRefresh = DEFAULT_METRICS_REFRESH;
        private int purgeBatchSize = DEFAULT_PURGE_BATCH_SIZE;
        private Duration purgePause = DEFAULT_PURGE_PAUSE;
        private boolean loadProviders;
        private Map<String, String> providerSettings = Map.of();
        private final Map<String, ReplayTarget> targets = new LinkedHashMap<>();

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource must not be null");
        }

        /** The schema holding the tables (default {@code opskit}); a lower-case identifier. */
        public Builder schema(String schema) {
            this.schema = SchemaInstaller.requireSchemaName(schema);
            return this;
        }

        /** Whether {@link #build()} installs or upgrades the tables (default true). */
        public Builder installSchema(boolean install) {
            this.installSchema = install;
            return this;
        }

        /** Publishes {@link DeadLetterMetrics} on {@code registry}; none by default. */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry must not be null");
            return this;
        }

        /** How often the size gauges are refreshed by a query (default 30 s, at least 100 ms). */
        public Builder metricsRefreshInterval(Duration interval) {
            Objects.requireNonNull(interval, "metricsRefreshInterval must not be null");
            if (interval.toMillis() < 100) {
                throw new IllegalArgumentException("metricsRefreshInterval must be at least 100ms, but was " + interval);
            }
            this.metricsRefresh = interval;
            return this;
        }

        /** Letters deleted per transaction by purge, cap and cleanup (default 1000, 1 to 100000). */
        public Builder purgeBatchSize(int size) {
            if (size < 1 || size > 100_000) {
                throw new IllegalArgumentException("purgeBatchSize must be between 1 and 100000, but was " + size);
            }
            this.purgeBatchSize = size;
            return this;
        }

        /**
         * Pause between two purge batches (default {@link #DEFAULT_PURGE_PAUSE}, 0 to 10 s): spreads the
         * WAL and I/O of a large purge so concurrent inserts keep short waits.
         */
        public Builder purgePause(Duration pause) {
            Objects.requireNonNull(pause, "purgePause must not be null");
            if (pause.isNegative() || pause.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("purgePause must be between 0 and 10s, but was " + pause);
            }
            this.purgePause = pause;
            return this;
        }

        /** Registers a target at build time (see {@link DeadLetterStore#registerReplayTarget}). */
        public Builder replayTarget(String sourcePattern, ReplayTarget target) {
            TargetRegistry.requirePattern(sourcePattern);
            targets.put(sourcePattern, Objects.requireNonNull(target, "target must not be null"));
            return this;
        }

        /** Registers the targets of every {@link ReplayTargetProvider} found by {@link ServiceLoader}, with no settings. */
        public Builder loadReplayTargetProviders() {
            return loadReplayTargetProviders(Map.of());
        }

        /** Registers the targets of every {@link ReplayTargetProvider} on the classpath, passing {@code settings}. */
        public Builder loadReplayTargetProviders(Map<String, String> settings) {
            this.loadProviders = true;
            this.providerSettings = Map.copyOf(Objects.requireNonNull(settings, "settings must not be null"));
            return this;
        }

        /**
         * Builds the store.
         *
         * @throws dev.opskit.core.OpsKitException when installing the schema fails (database unreachable...)
         */
        public PostgresDeadLetterStore build() {
            return new PostgresDeadLetterStore(this);
        }
    }
}
