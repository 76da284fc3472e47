package dev.opskit.deadletter;

import dev.opskit.core.schema.SchemaInstaller;
import dev.opskit.core.jdbc.Jdbc;
import dev.opskit.deadletter.internal.HeadersJson;
import dev.opskit.deadletter.internal.ReplayTracing;
import dev.opskit.deadletter.internal.DeadLetterMeters;
import dev.opskit.deadletter.internal.MeteredStore;
import dev.opskit.core.schema.SchemaModule;
import dev.opskit.deadletter.internal.TargetRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL {@link DeadLetterStore}: letters in {@code <schema>.dead_letters}, replay-all runs
 * in {@code <schema>.dead_letter_replay_runs}.
 *
 * <pre>{@code
 * PostgresDeadLetterStore store = PostgresDeadLetterStore.builder(dataSource)
 *         .schema("opskit")                       // default
 *         .build();
 * store.installSchema();                          // creates or upgrades the tables
 * new DeadLetterMetrics(store).bindTo(registry);  // optional
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
public final class PostgresDeadLetterStore implements DeadLetterStore, MeteredStore {
    /** The dead-letter tables ({@code dead_letters}, {@code dead_letter_replay_runs}) as schema module {@code deadletter}; {@link #installSchema()} installs it. */
    public static final SchemaModule SCHEMA = SchemaModule.of("deadletter", PostgresDeadLetterStore.class,
            "V1__create_dead_letters.sql", "V2__error_history.sql");

    /** Default purge batch size: letters deleted per transaction. */
    public static final int DEFAULT_PURGE_BATCH_SIZE = 1_000;
    /** Default pause between two purge batches. */
    public static final Duration DEFAULT_PURGE_PAUSE = Duration.ZERO;

    private static final Logger log = LoggerFactory.getLogger(PostgresDeadLetterStore.class);

    private final StoreSql sql;
    private final DataSource dataSource;
    private final String schema;
    private final String name;
    private final Replays replays;
    private final Retention retention;
    private final int purgeBatchSize;
    private final Duration purgePause;
    private final TargetRegistry targets = new TargetRegistry();
    private final DeadLetterMeters metrics = new DeadLetterMeters();
    private @Nullable ScheduledExecutorService metricsRefresher; // guarded by this; started by the first DeadLetterMetrics binding
    private final AtomicBoolean refreshWarned = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    private final String sqlInsert;
    private final String sqlGet;
    private final String sqlStats;

    private PostgresDeadLetterStore(Builder b) {
        this.sql = new StoreSql(b.dataSource, b.schema);
        this.dataSource = b.dataSource;
        this.schema = b.schema;
        this.name = sql.name();
        this.purgeBatchSize = b.purgeBatchSize;
        this.purgePause = b.purgePause;
        b.targets.forEach(targets::register);
        this.sqlInsert = sql.q("""
                INSERT INTO {s}.dead_letters (source, kind, payload, headers, idempotency_key, error_type, cause_type, message,
                    stack_trace, attempts, first_failed_at, last_failed_at, died_at, reason, reason_detail, replay_of, error_history)
                VALUES (?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, now()), ?, ?, ?, ?::jsonb)
                RETURNING id""");
        this.sqlGet = sql.q("SELECT " + StoreSql.COLUMNS + " FROM {s}.dead_letters WHERE id = ?");
        this.sqlStats = sql.q("""
                SELECT source,
                       count(*) FILTER (WHERE status = 'dead')     AS waiting,
                       count(*) FILTER (WHERE status = 'replayed') AS replayed,
                       min(died_at) FILTER (WHERE status = 'dead') AS oldest
                  FROM {s}.dead_letters
                 GROUP BY source
                 ORDER BY source""");
        this.replays = new Replays(sql, targets, metrics, this, closed);
        this.retention = new Retention(sql, metrics, purgeBatchSize, purgePause);
        if (b.loadProviders) {
            loadProviders(b.providerSettings);
        }
        log.info("{} - ready (purgeBatchSize={}, purgePause={})", name, purgeBatchSize, purgePause);
    }

    /** Starts a builder for a store on {@code dataSource}. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** The schema this store uses. */
    public String schema() {
        return schema;
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
            // inside a span, the letter keeps its trace context, so a replay links back to it
            ps.setString(4, HeadersJson.stringMap(StoreSql.clean(ReplayTracing.withTraceContext(letter.headers()))));
            ps.setString(5, letter.idempotencyKey());
            ps.setString(6, StoreSql.cleanOrNull(letter.errorType()));
            ps.setString(7, StoreSql.cleanOrNull(letter.causeType()));
            ps.setString(8, StoreSql.cleanOrNull(letter.message()));
            ps.setString(9, StoreSql.cleanOrNull(letter.stackTrace()));
            ps.setInt(10, letter.attempts());
            setInstant(ps, 11, letter.firstFailedAt());
            setInstant(ps, 12, letter.lastFailedAt());
            setInstant(ps, 13, letter.diedAt());
            ps.setString(14, letter.reason().code());
            ps.setString(15, StoreSql.cleanOrNull(letter.reasonDetail()));
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
            metrics.added(letter.source(), letter.reason());
            log.debug("{} - added letter {} from '{}' ({})", name, id, letter.source(), letter.reason().code());
            return id;
        } catch (SQLException e) {
            throw new DeadLetterException(name + " - could not add a dead letter from '" + letter.source() + "': " + e.getMessage(), e);
        }
    }

    /**
     * {@link Jdbc#setInstant}, which binds SQL NULL for null too; but core does not declare its
     * parameter {@code @Nullable}, so null is handled here.
     */
    private static void setInstant(PreparedStatement ps, int index, @Nullable Instant instant) throws SQLException {
        if (instant == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            Jdbc.setInstant(ps, index, instant);
        }
    }

    @Override
    public long add(NewDeadLetter letter) {
        Objects.requireNonNull(letter, "letter must not be null");
        return sql.inTransaction("add a dead letter from '" + letter.source() + "'", c -> add(c, letter));
    }

    @Override
    public Optional<DeadLetter> get(long id) {
        return sql.withConnection("get letter " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement(sqlGet)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(StoreSql.read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public DeadLetterPage list(DeadLetterQuery query) {
        Objects.requireNonNull(query, "query must not be null");
        List<Object> params = new ArrayList<>();
        StringBuilder text = new StringBuilder(sql.q("SELECT " + StoreSql.COLUMNS + " FROM {s}.dead_letters WHERE id > ?"));
        params.add(query.afterId());
        StoreSql.where(query, text, params);
        text.append(" ORDER BY id LIMIT ?");
        params.add(query.limit() + 1);
        return sql.withConnection("list letters", c -> {
            try (PreparedStatement ps = c.prepareStatement(text.toString())) {
                StoreSql.bind(ps, params);
                List<DeadLetter> letters = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        letters.add(StoreSql.read(rs));
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
        StringBuilder text = new StringBuilder(sql.q("SELECT count(*) FROM {s}.dead_letters WHERE true"));
        StoreSql.where(query, text, params);
        return sql.withConnection("count letters", c -> {
            try (PreparedStatement ps = c.prepareStatement(text.toString())) {
                StoreSql.bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Override
    public List<SourceStats> stats() {
        return sql.withConnection("read statistics", c -> {
            List<SourceStats> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sqlStats); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new SourceStats(rs.getString(1), rs.getLong(2), rs.getLong(3), Jdbc.instant(rs, 4)));
                }
            }
            return out;
        });
    }


    // ---------------------------------------------------------------- replay (Replays)

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
        return replays.replay(id);
    }

    @Override
    public ReplayAllRun startReplayAll(ReplayAllRequest request) {
        Objects.requireNonNull(request, "request must not be null");
        ensureOpen();
        return replays.startReplayAll(request);
    }

    // ---------------------------------------------------------------- retention (Retention)

    @Override
    public long cleanupReplayed(Duration olderThan) {
        return retention.cleanupReplayed(olderThan);
    }

    @Override
    public long purgeOlderThan(Duration age) {
        return retention.purgeOlderThan(age);
    }

    @Override
    public long enforceCap(long maxLetters) {
        return retention.enforceCap(maxLetters);
    }

    @Override
    public boolean delete(long id) {
        return retention.delete(id);
    }

    // ---------------------------------------------------------------- schema, metrics, lifecycle

    /**
     * Creates or upgrades the dead-letter tables (and the schema) under an advisory lock, so many
     * instances may call it at startup at once. Idempotent. {@code PostgresJobQueue.installSchema()}
     * does it too, for the queue's own store.
     */
    public void installSchema() {
        SchemaInstaller.forSchema(dataSource, schema).install(SCHEMA);
    }

    /** Internal: {@link DeadLetterMetrics} binds it. */
    @Override
    public DeadLetterMeters meters() {
        return metrics;
    }

    /** Internal: started by the first {@link DeadLetterMetrics} binding; stopped by {@link #close()}. */
    @Override
    public synchronized void startMetricsRefresh(Duration interval) {
        if (metricsRefresher != null || closed.get()) {
            return;
        }
        metricsRefresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "opskit-deadletter-metrics-" + schema);
            t.setDaemon(true);
            return t;
        });
        metricsRefresher.scheduleWithFixedDelay(this::refreshMetrics, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Refreshes the size gauges now (they also refresh on their own every interval). No-op before a {@link DeadLetterMetrics} binding. */
    public void refreshMetrics() {
        if (!metrics.enabled()) {
            return;
        }
        try {
            List<SourceStats> s = stats();
            Instant now = sql.now().toInstant();
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
            replays.cancelAll();
            synchronized (this) {
                if (metricsRefresher != null) {
                    metricsRefresher.shutdownNow();
                }
            }
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new DeadLetterException(name + " - store is closed");
        }
    }


    /** Builder; not thread-safe. Every setter validates at once. */
    public static final class Builder {
        private final DataSource dataSource;
        private String schema = SchemaInstaller.DEFAULT_SCHEMA;
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
