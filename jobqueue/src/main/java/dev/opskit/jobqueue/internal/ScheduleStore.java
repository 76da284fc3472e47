package dev.opskit.jobqueue.internal;

import dev.opskit.core.jdbc.Jdbc;
import dev.opskit.jobqueue.Schedule;
import dev.opskit.jobqueue.ScheduleInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The SQL of recurring jobs (table {@code schedules}, script {@code V5__create_schedules.sql}).
 * Times are bound as microseconds since the epoch, so arrays of them (with NULLs) bind portably.
 */
public final class ScheduleStore {
    private static final String EPOCH = "timestamptz 'epoch' + ";
    private final String table;

    public ScheduleStore(String schema) {
        this.table = schema + ".schedules";
    }

    /** A schedule's row as the scheduler reads it; {@code lastDue} is null before the first due time, {@code nextDue} when unknown. */
    public record Row(String name, @Nullable Instant lastDue, Instant createdAt, @Nullable Instant nextDue) {
    }

    /**
     * One compare-and-set: move {@code name} from {@code expected} (null: never fired) to {@code due}
     * (null only in the rows of {@link #updateNext}, which moves nothing).
     */
    public record Cas(String name, @Nullable Instant expected, @Nullable Instant due, @Nullable Instant next) {
    }

    /**
     * Inserts the schedules not yet in the table (created at {@code now}), updates the spec, kind and
     * queue of the others to these declarations, marks all as seen at {@code now}, and deletes rows
     * nobody declared for {@link Schedule#FORGET_AFTER}. Never waits for a row lock: a row held by
     * another worker's enqueue transaction is skipped (that worker declares it too, and the next
     * declaration a minute later catches up), so a stalled worker cannot stall the others.
     */
    public void declare(Connection c, Collection<Schedule> schedules, Instant now) throws SQLException {
        List<Schedule> sorted = schedules.stream().sorted(java.util.Comparator.comparing(Schedule::name)).toList();
        int n = sorted.size();
        String[] names = new String[n];
        String[] specs = new String[n];
        String[] kinds = new String[n];
        String[] queues = new String[n];
        for (int i = 0; i < n; i++) {
            Schedule s = sorted.get(i);
            names[i] = s.name();
            specs[i] = s.spec();
            kinds[i] = s.template().kind();
            queues[i] = s.template().queue();
        }
        String upsert = """
                INSERT INTO %s AS s (name, spec, kind, queue, created_at, seen_at)
                SELECT n, s, k, q, %s?::bigint * interval '1 microsecond', %s?::bigint * interval '1 microsecond'
                  FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) AS t(n, s, k, q)
                ON CONFLICT (name) DO NOTHING""".formatted(table, EPOCH, EPOCH);
        try (PreparedStatement ps = c.prepareStatement(upsert)) {
            long micros = micros(now);
            ps.setLong(1, micros);
            ps.setLong(2, micros);
            ps.setArray(3, c.createArrayOf("text", names));
            ps.setArray(4, c.createArrayOf("text", specs));
            ps.setArray(5, c.createArrayOf("text", kinds));
            ps.setArray(6, c.createArrayOf("text", queues));
            ps.executeUpdate();
        }
        String update = """
                UPDATE %1$s s SET spec = t.s, kind = t.k, queue = t.q,
                                  seen_at = greatest(s.seen_at, %2$s?::bigint * interval '1 microsecond')
                  FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) AS t(n, s, k, q)
                 WHERE s.name = t.n AND s.name IN (SELECT name FROM %1$s WHERE name = ANY(?::text[]) FOR UPDATE SKIP LOCKED)"""
                .formatted(table, EPOCH);
        try (PreparedStatement ps = c.prepareStatement(update)) {
            ps.setLong(1, micros(now));
            ps.setArray(2, c.createArrayOf("text", names));
            ps.setArray(3, c.createArrayOf("text", specs));
            ps.setArray(4, c.createArrayOf("text", kinds));
            ps.setArray(5, c.createArrayOf("text", queues));
            ps.setArray(6, c.createArrayOf("text", names));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM %1$s WHERE name IN (SELECT name FROM %1$s WHERE seen_at < %2$s?::bigint * interval '1 microsecond'"
                        .formatted(table, EPOCH) + " FOR UPDATE SKIP LOCKED)")) {
            ps.setLong(1, micros(now.minus(Schedule.FORGET_AFTER)));
            ps.executeUpdate();
        }
    }

    /** The rows of {@code names} (absent names have no row, say deleted after a long absence). */
    public Map<String, Row> read(Connection c, Collection<String> names) throws SQLException {
        Map<String, Row> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT name, last_due, created_at, next_due FROM %s WHERE name = ANY(?::text[])".formatted(table))) {
            ps.setArray(1, c.createArrayOf("text", names.toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new Row(rs.getString(1), Jdbc.instant(rs, 2), Jdbc.requiredInstant(rs, 3), Jdbc.instant(rs, 4)));
                }
            }
        }
        return out;
    }

    /**
     * The compare-and-set of due schedules, in the caller's transaction: moves each row whose
     * {@code last_due} still is the expected value and that no other transaction holds, and returns
     * the names it moved. The caller enqueues the jobs of exactly those in the same transaction; a
     * row locked by another worker is skipped (that worker enqueues, or rolls back and a later
     * evaluation tries again), a row already moved is someone else's enqueue.
     */
    public Set<String> advance(Connection c, List<Cas> cas, Instant now) throws SQLException {
        int n = cas.size();
        String[] names = new String[n];
        Long[] expected = new Long[n];
        Long[] due = new Long[n];
        Long[] next = new Long[n];
        for (int i = 0; i < n; i++) {
            Cas x = cas.get(i);
            names[i] = x.name();
            expected[i] = x.expected() == null ? null : micros(x.expected());
            due[i] = micros(Objects.requireNonNull(x.due(), "an advance needs the due time"));
            next[i] = x.next() == null ? null : micros(x.next());
        }
        String sql = """
                WITH d AS (SELECT n, %1$se * interval '1 microsecond' AS expected, %1$sdu * interval '1 microsecond' AS due,
                                  %1$snx * interval '1 microsecond' AS next
                             FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::bigint[]) AS t(n, e, du, nx)),
                     locked AS (SELECT s.name FROM %2$s s JOIN d ON d.n = s.name
                                 WHERE s.last_due IS NOT DISTINCT FROM d.expected
                                   FOR UPDATE OF s SKIP LOCKED)
                UPDATE %2$s s SET last_due = d.due, next_due = d.next, enqueued_at = %1$s?::bigint * interval '1 microsecond',
                                  seen_at = greatest(s.seen_at, %1$s?::bigint * interval '1 microsecond')
                  FROM d, locked l
                 WHERE s.name = d.n AND l.name = s.name AND s.last_due IS NOT DISTINCT FROM d.expected
                RETURNING s.name""".formatted(EPOCH, table);
        Set<String> won = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", names));
            ps.setArray(2, c.createArrayOf("bigint", expected));
            ps.setArray(3, c.createArrayOf("bigint", due));
            ps.setArray(4, c.createArrayOf("bigint", next));
            ps.setLong(5, micros(now));
            ps.setLong(6, micros(now));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    won.add(rs.getString(1));
                }
            }
        }
        return won;
    }

    /** Sets {@code next_due} (for listings) where {@code last_due} is still as read; autocommit is fine. */
    public void updateNext(Connection c, List<Cas> rows) throws SQLException {
        int n = rows.size();
        String[] names = new String[n];
        Long[] expected = new Long[n];
        Long[] next = new Long[n];
        for (int i = 0; i < n; i++) {
            Cas x = rows.get(i);
            names[i] = x.name();
            expected[i] = x.expected() == null ? null : micros(x.expected());
            next[i] = x.next() == null ? null : micros(x.next());
        }
        String sql = """
                UPDATE %1$s s SET next_due = %2$st.nx * interval '1 microsecond'
                  FROM unnest(?::text[], ?::bigint[], ?::bigint[]) AS t(n, e, nx)
                 WHERE s.name = t.n AND s.last_due IS NOT DISTINCT FROM %2$st.e * interval '1 microsecond'""".formatted(table, EPOCH);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", names));
            ps.setArray(2, c.createArrayOf("bigint", expected));
            ps.setArray(3, c.createArrayOf("bigint", next));
            ps.executeUpdate();
        }
    }

    /** Every schedule of the schema, by name; {@code declared} judged at {@code now}. */
    public List<ScheduleInfo> list(Connection c, Instant now) throws SQLException {
        List<ScheduleInfo> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT name, spec, kind, queue, last_due, next_due, created_at, seen_at FROM %s ORDER BY name".formatted(table));
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Instant seen = Jdbc.requiredInstant(rs, 8);
                boolean declared = seen.isAfter(now.minus(Schedule.STALE_AFTER));
                out.add(new ScheduleInfo(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), declared,
                        Jdbc.instant(rs, 5), declared ? Jdbc.instant(rs, 6) : null, Jdbc.requiredInstant(rs, 7), seen));
            }
        }
        return out;
    }

    static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

}
