package dev.opskit.deadletter;

import dev.opskit.core.jdbc.Jdbc;
import dev.opskit.deadletter.internal.HeadersJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * What the store's parts (the store, {@link Replays}, {@link Retention}) share: the data source and
 * schema, connections and transactions with the store's error messages, the row mapping and the
 * query filters.
 */
final class StoreSql {
    static final String COLUMNS = """
            id, source, kind, payload::text AS payload, headers::text AS headers, idempotency_key, error_type, cause_type,
            message, stack_trace, error_history::text AS error_history, attempts, first_failed_at, last_failed_at, died_at, reason, reason_detail, replay_of,
            status, replay_count, last_replayed_at, last_replay_ref, last_replay_error""";

    private final DataSource dataSource;
    private final String schema;
    private final String name;

    StoreSql(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.name = "deadletter[" + schema + "]";
    }

    DataSource dataSource() {
        return dataSource;
    }

    String schema() {
        return schema;
    }

    /** How the store names itself in logs and errors: {@code deadletter[opskit]}. */
    String name() {
        return name;
    }

    /** {@code sql} with {@code {s}} replaced by the (validated) schema name. */
    String q(String sql) {
        return sql.replace("{s}", schema);
    }

    /** The database's clock: purge ages and gauge ages agree between hosts. */
    OffsetDateTime now() {
        return withConnection("read the database time", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT now()")) {
                rs.next();
                return rs.getObject(1, OffsetDateTime.class);
            }
        });
    }

    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    <T> T withConnection(String what, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new DeadLetterException(name + " - could not " + what + ": " + e.getMessage(), e);
        }
    }

    <T> T inTransaction(String what, SqlWork<T> work) {
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
    static String clean(String s) {
        return s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
    }

    /** {@link #clean(String)}, null for null. */
    static @Nullable String cleanOrNull(@Nullable String s) {
        return s == null ? null : clean(s);
    }

    static Map<String, String> clean(Map<String, String> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(clean(k), clean(v)));
        return out;
    }

    static DeadLetter read(ResultSet rs) throws SQLException {
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
                Objects.requireNonNull(Jdbc.instant(rs, "died_at"), "died_at is NOT NULL"),
                DeadLetterReason.fromCode(rs.getString("reason")),
                rs.getString("reason_detail"),
                replayOfOrNull,
                DeadLetterStatus.fromCode(rs.getString("status")),
                rs.getInt("replay_count"),
                Jdbc.instant(rs, "last_replayed_at"),
                rs.getString("last_replay_ref"),
                rs.getString("last_replay_error"));
    }

    /** Appends the query's filters (fixed SQL fragments, values as parameters). */
    static void where(DeadLetterQuery q, StringBuilder sql, List<Object> params) {
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

    static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
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
}
