package dev.opskit.deadletter;

import dev.opskit.deadletter.internal.DeadLetterMeters;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes letters for the store: replayed ones ({@code cleanup}), those older than an age, those
 * beyond a cap, one by id. Deletes in batches of its own short transactions with
 * {@code FOR UPDATE SKIP LOCKED}, so a purge of millions neither holds long locks nor blocks a
 * replay; counts and logs per source.
 */
final class Retention {
    private static final Logger log = LoggerFactory.getLogger(PostgresDeadLetterStore.class);

    private final StoreSql sql;
    private final DeadLetterMeters metrics;
    private final int purgeBatchSize;
    private final Duration purgePause;

    Retention(StoreSql sql, DeadLetterMeters metrics, int purgeBatchSize, Duration purgePause) {
        this.sql = sql;
        this.metrics = metrics;
        this.purgeBatchSize = purgeBatchSize;
        this.purgePause = purgePause;
    }

    long cleanupReplayed(Duration olderThan) {
        requireAge("olderThan", olderThan);
        return deleteInBatches("cleanup", "replayed letters last replayed more than " + olderThan + " ago",
                sql.q("""
                  WITH doomed AS (
                      SELECT id FROM {s}.dead_letters
                       WHERE status = 'replayed' AND last_replayed_at <= ?
                       ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
                  DELETE FROM {s}.dead_letters d USING doomed WHERE d.id = doomed.id
                  RETURNING d.id, d.source"""), olderThan);
    }

    long purgeOlderThan(Duration age) {
        requireAge("age", age);
        return deleteInBatches("age", "letters that died more than " + age + " ago",
                sql.q("""
                  WITH doomed AS (
                      SELECT id FROM {s}.dead_letters
                       WHERE died_at < ?
                       ORDER BY died_at LIMIT ? FOR UPDATE SKIP LOCKED)
                  DELETE FROM {s}.dead_letters d USING doomed WHERE d.id = doomed.id
                  RETURNING d.id, d.source"""), age);
    }

    long enforceCap(long maxLetters) {
        if (maxLetters < 0) {
            throw new IllegalArgumentException("maxLetters must be 0 or more, but was " + maxLetters);
        }
        OptionalLong found = sql.withConnection("find the cap threshold", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.q("SELECT id FROM {s}.dead_letters ORDER BY id DESC OFFSET ? LIMIT 1"))) {
                ps.setLong(1, maxLetters);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
                }
            }
        });
        if (found.isEmpty()) {
            return 0;
        }
        long threshold = found.getAsLong();
        String statement = sql.q("""
                WITH doomed AS (
                    SELECT id FROM {s}.dead_letters WHERE id <= ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
                DELETE FROM {s}.dead_letters d USING doomed WHERE d.id = doomed.id
                RETURNING d.id, d.source""");
        return deleteBatches("cap", "letters beyond the newest " + maxLetters, statement, ps -> ps.setLong(1, threshold));
    }

    boolean delete(long id) {
        Optional<String> deleted = sql.withConnection("delete letter " + id, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.q("DELETE FROM {s}.dead_letters WHERE id = ? RETURNING source"))) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
                }
            }
        });
        if (deleted.isEmpty()) {
            return false;
        }
        String source = deleted.get();
        metrics.removed("manual", 1);
        log.info("{} - removed letter {} from '{}' (cause manual)", sql.name(), id, source);
        return true;
    }

    private static void requireAge(String what, Duration d) {
        Objects.requireNonNull(d, what + " must not be null");
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, but was " + d);
        }
    }

    private long deleteInBatches(String cause, String what, String statement, Duration age) {
        OffsetDateTime cutoff = sql.now().minus(age);
        return deleteBatches(cause, what, statement, ps -> ps.setObject(1, cutoff));
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /**
     * Runs {@code statement} (parameter 1 bound by {@code first}, parameter 2 the batch size) in its own
     * short transaction until it deletes less than a batch, counting and logging per source.
     */
    private long deleteBatches(String cause, String what, String statement, Binder first) {
        Map<String, long[]> bySource = new TreeMap<>();
        long total = 0;
        try {
            while (true) {
                int n = sql.withConnection("delete " + what, c -> {
                    int deleted = 0;
                    try (PreparedStatement ps = c.prepareStatement(statement)) {
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
                                log.debug("{} - removed letter {} ({})", sql.name(), id, cause);
                            }
                        }
                    }
                    return deleted;
                });
                total += n;
                metrics.removed(cause, n);
                if (n < purgeBatchSize) {
                    break;
                }
                if (!purgePause.isZero()) {
                    try {
                        Thread.sleep(purgePause.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        log.warn("{} - interrupted while deleting {}; {} removed so far", sql.name(), what, total);
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
            log.info("{} - removed {} {} (cause {}): {}", sql.name(), total, what, cause, summary);
        }
    }

}
