package dev.opskit.core.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jspecify.annotations.Nullable;

/**
 * The few JDBC chores every PostgreSQL store of opskit repeats: clean-up on a failure path and
 * {@code timestamptz} to {@link Instant} and back. PostgreSQL's driver reads a {@code timestamptz}
 * as an {@link OffsetDateTime} in UTC, whatever the JVM's or the session's time zone, so these
 * conversions never depend on either.
 */
public final class Jdbc {
    private Jdbc() {
    }

    /**
     * Rolls back, ignoring a failure of the rollback itself: on a failure path the first failure is
     * the one to report, and a connection whose rollback fails is broken, its transaction gone with it.
     * Null is allowed.
     */
    public static void rollbackQuietly(@Nullable Connection c) {
        if (c != null) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the original failure is what matters
            }
        }
    }

    /** Closes, ignoring a failure (the resource is broken already); null is allowed. */
    public static void closeQuietly(@Nullable AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // nothing else to do with a resource that cannot even be closed
            }
        }
    }

    /** The {@code timestamptz} in {@code column} (1-based) as an instant, or null when it is SQL NULL. */
    public static @Nullable Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /**
     * The {@code timestamptz NOT NULL} in {@code column} (1-based) as an instant.
     *
     * @throws NullPointerException naming the column when it holds SQL NULL after all
     */
    public static Instant requiredInstant(ResultSet rs, int column) throws SQLException {
        Instant t = instant(rs, column);
        if (t == null) {
            throw new NullPointerException("column " + column + " is NOT NULL but held NULL");
        }
        return t;
    }

    /** The {@code timestamptz} in the column named {@code column} as an instant, or null when it is SQL NULL. */
    public static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** Binds {@code instant} to the {@code timestamptz} parameter {@code index} (1-based); null binds SQL NULL. */
    public static void setInstant(PreparedStatement ps, int index, @Nullable Instant instant) throws SQLException {
        if (instant == null) {
            ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
        }
    }
}
