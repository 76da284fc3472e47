package dev.opskit.deadletter;

import dev.opskit.core.internal.json.JsonWriter;
import dev.opskit.core.jdbc.Jdbc;
import dev.opskit.deadletter.internal.DeadLetterMeters;
import dev.opskit.deadletter.internal.RunHandle;
import dev.opskit.deadletter.internal.ReplayTracing;
import dev.opskit.deadletter.internal.TargetRegistry;
import java.net.InetAddress;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays letters for the store: one at a time ({@link #replay(long)}) and replay-all runs
 * ({@link #startReplayAll}), which lock the rows they hand over, keep their cursor and counters in
 * {@code dead_letter_replay_runs} and resume after a crash from the last committed batch.
 */
final class Replays {
    private static final Logger log = LoggerFactory.getLogger(PostgresDeadLetterStore.class);
    /** First key of the two-int advisory locks held by live replay-all runs: "opdl". */
    private static final int RUN_LOCK_NAMESPACE = 0x6f70646c;
    /** First key of the transaction lock taken while a run is started: "opdf". */
    private static final int START_LOCK_NAMESPACE = 0x6f706466;

    private final StoreSql sql;
    private final TargetRegistry targets;
    private final DeadLetterMeters metrics;
    /** The store itself, for the dry run's list and count. */
    private final DeadLetterStore reader;
    private final AtomicBoolean closed;
    private final Map<Long, RunHandle> activeRuns = new ConcurrentHashMap<>();
    private final String sqlLockOne;
    private final String sqlMarkReplayed;
    private final String sqlReplayError;

    Replays(StoreSql sql, TargetRegistry targets, DeadLetterMeters metrics, DeadLetterStore reader, AtomicBoolean closed) {
        this.sql = sql;
        this.targets = targets;
        this.metrics = metrics;
        this.reader = reader;
        this.closed = closed;
        this.sqlLockOne = sql.q("SELECT " + StoreSql.COLUMNS + " FROM {s}.dead_letters WHERE id = ? FOR UPDATE SKIP LOCKED");
        this.sqlMarkReplayed = sql.q("""
                UPDATE {s}.dead_letters d
                   SET status = 'replayed', replay_count = d.replay_count + 1, last_replayed_at = now(),
                       last_replay_ref = u.ref, last_replay_error = NULL
                  FROM unnest(?::bigint[], ?::text[]) AS u(id, ref)
                 WHERE d.id = u.id""");
        this.sqlReplayError = sql.q("""
                UPDATE {s}.dead_letters d SET last_replay_error = u.err
                  FROM unnest(?::bigint[], ?::text[]) AS u(id, err)
                 WHERE d.id = u.id""");
    }

    /** Asks every run of this process to stop after its current batch (the store is closing). */
    void cancelAll() {
        activeRuns.values().forEach(RunHandle::cancel);
    }

    ReplayResult replay(long id) {
        ReplayResult result = sql.withConnection("replay letter " + id, c -> replayAlone(c, id, 0));
        count(result.outcome());
        if (result.outcome() == ReplayOutcome.REPLAYED) {
            log.info("{} - replayed letter {} from '{}' (ref {})", sql.name(), id, result.source(), result.reference());
        } else {
            log.warn("{} - letter {} not replayed: {}{}", sql.name(), id, result.outcome().code(),
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
                    letter = rs.next() ? StoreSql.read(rs) : null;
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
            ReplayTracing.ReplaySpan span = ReplayTracing.start(letter, runId);
            try {
                ref = target.get().accept(c, letter);
                updatePairs(c, sqlMarkReplayed, new Long[] {id}, new String[] {ref});
                advanceRun(c, runId, id, 1, 0);
                c.commit();
                span.end("replayed", null);
            } catch (Exception e) {
                span.end("failed", e);
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
        try (PreparedStatement ps = c.prepareStatement(sql.q("SELECT source, status FROM {s}.dead_letters WHERE id = ?"))) {
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
        try (PreparedStatement ps = c.prepareStatement(sql.q("""
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
        return StoreSql.clean(NewDeadLetter.cap(msg, NewDeadLetter.MAX_MESSAGE_CHARS));
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

    ReplayAllRun startReplayAll(ReplayAllRequest request) {
        Objects.requireNonNull(request, "request must not be null");
        if (request.dryRun()) {
            RunHandle handle = new RunHandle(0, reader.count(request.filter()), 0, 0);
            startThread(handle, () -> dryRun(request, handle));
            return handle;
        }
        Connection lock;
        try {
            lock = sql.dataSource().getConnection();
        } catch (SQLException e) {
            throw new DeadLetterException(sql.name() + " - could not start a replay-all run: " + e.getMessage(), e);
        }
        try {
            RunHandle handle = claimRun(lock, request);
            activeRuns.put(handle.runId(), handle);
            startThread(handle, () -> runAll(request, handle, lock));
            return handle;
        } catch (SQLException e) {
            Jdbc.closeQuietly(lock);
            throw new DeadLetterException(sql.name() + " - could not start a replay-all run: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            Jdbc.closeQuietly(lock);
            throw e;
        }
    }

    private void startThread(RunHandle handle, Runnable body) {
        // the run's spans are children of the code that started it
        Thread t = new Thread(ReplayTracing.inCurrentContext(body), "opskit-deadletter-replay-" + handle.runId());
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
                ps.setString(2, sql.schema() + "|" + key);
                ps.execute();
            }
            List<long[]> running = new ArrayList<>();
            List<String> owners = new ArrayList<>();
            try (PreparedStatement ps = lock.prepareStatement(sql.q("""
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
                    try (PreparedStatement ps = lock.prepareStatement(sql.q(
                            "UPDATE {s}.dead_letter_replay_runs SET owner = ?, updated_at = now() WHERE id = ?"))) {
                        ps.setString(1, owner());
                        ps.setLong(2, r[0]);
                        ps.executeUpdate();
                    }
                    lock.commit();
                    log.warn("{} - resuming replay-all run {} ({}): its previous owner {} stopped before the end ({} of {} done, {} failed)",
                            sql.name(), r[0], key, owners.get(i), r[2], r[1], r[3]);
                    return new RunHandle(r[0], r[1], r[2], r[3]);
                }
                throw new DeadLetterException(sql.name() + " - replay-all run " + r[0] + " with the same filter (" + key
                        + ") is running in " + owners.get(i) + "; wait for it or cancel it there");
            }
            long maxId;
            try (Statement st = lock.createStatement();
                 ResultSet rs = st.executeQuery(sql.q("SELECT coalesce(max(id), 0) FROM {s}.dead_letters"))) {
                rs.next();
                maxId = rs.getLong(1);
            }
            List<Object> params = new ArrayList<>();
            StringBuilder text = new StringBuilder(sql.q("SELECT count(*) FROM {s}.dead_letters WHERE id <= ?"));
            params.add(maxId);
            StoreSql.where(request.filter(), text, params);
            long total;
            try (PreparedStatement ps = lock.prepareStatement(text.toString())) {
                StoreSql.bind(ps, params);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    total = rs.getLong(1);
                }
            }
            long runId;
            try (PreparedStatement ps = lock.prepareStatement(sql.q("""
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
                throw new DeadLetterException(sql.name() + " - could not lock new replay-all run " + runId);
            }
            lock.commit();
            log.info("{} - replay-all run {} started ({}, rate {}/s): {} letters up to id {}", sql.name(), runId, key,
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
        try (lock; Connection c = sql.dataSource().getConnection()) {
            long cursor;
            long maxId;
            try (PreparedStatement ps = c.prepareStatement(sql.q(
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
            StoreSql.where(request.filter(), filterSql, filterParams);
            String select = sql.q("SELECT " + StoreSql.COLUMNS + " FROM {s}.dead_letters WHERE id > ? AND id <= ?") + filterSql
                    + " ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED";
            c.setAutoCommit(false);
            while (true) {
                if (handle.cancelRequested() || closed.get()) {
                    endRun(c, runId, "cancelled");
                    handle.end(ReplayProgress.State.CANCELLED, null);
                    log.info("{} - replay-all run {} cancelled: {}", sql.name(), runId, handle.progress());
                    return;
                }
                List<DeadLetter> batch = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(select)) {
                    List<Object> params = new ArrayList<>();
                    params.add(cursor);
                    params.add(maxId);
                    params.addAll(filterParams);
                    params.add(pacer.batchSize(request.batchSize()));
                    StoreSql.bind(ps, params);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            batch.add(StoreSql.read(rs));
                        }
                    }
                }
                if (batch.isEmpty()) {
                    c.rollback();
                    endRun(c, runId, "finished");
                    handle.end(ReplayProgress.State.FINISHED, null);
                    log.info("{} - replay-all run {} finished: {}", sql.name(), runId, handle.progress());
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
                                log.warn("{} - replay-all run {}: letter {} not replayed: {} - {}", sql.name(), runId, letter.id(),
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
            log.error("{} - replay-all run {} stopped by an error; start it again to resume: {}", sql.name(), runId, e.toString());
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
                log.warn("{} - replay-all run {}: letter {} not replayed: {}", sql.name(), runId, letter.id(), badErrors.get(badErrors.size() - 1));
                continue;
            }
            // one span per letter; if the batch is redone letter by letter, each letter gets a second one
            ReplayTracing.ReplaySpan span = ReplayTracing.start(letter, runId);
            try {
                okRefs.add(t.accept(c, letter));
                okIds.add(letter.id());
                span.end("handed_over_in_batch", null);
            } catch (Exception e) {
                span.end("failed_in_batch", e);
                log.debug("{} - replay-all run {}: letter {} failed in a batch, redoing the batch letter by letter: {}",
                        sql.name(), runId, letter.id(), e.toString());
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
            log.debug("{} - replay-all run {}: batch could not be committed, redoing it letter by letter: {}", sql.name(), runId, e.toString());
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
        try (PreparedStatement ps = c.prepareStatement(sql.q(
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
                DeadLetterPage p = reader.list(page);
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
        metrics.replayed(outcome);
    }

}
