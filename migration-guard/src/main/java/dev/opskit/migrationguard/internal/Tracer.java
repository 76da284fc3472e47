package dev.opskit.migrationguard.internal;

import dev.opskit.migrationguard.MigrationGuardException;
import dev.opskit.migrationguard.Rule;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Runs migration statements on a real PostgreSQL and records, per statement, the relation locks
 * the migrating backend newly holds ({@code pg_locks} of {@code pg_backend_pid()}), the tables and
 * indexes whose storage was replaced (their {@code relfilenode} changed: a rewrite) and the time.
 * Every statement runs under a savepoint, so one that PostgreSQL refuses inside a transaction
 * block (CREATE INDEX CONCURRENTLY, VACUUM) is recorded as not traced and the run goes on.
 */
public final class Tracer {
    /** User relations (tables, partitioned tables, materialized views, indexes, TOAST tables). */
    private static final String RELATIONS = """
            SELECT c.oid, c.relfilenode, n.nspname, c.relname, c.relkind
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_temp%'
              AND c.relkind IN ('r', 'p', 'm', 'i', 'I', 't')""";
    private static final String LOCKS = """
            SELECT l.relation, l.mode FROM pg_locks l
            WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND l.database = (
              SELECT oid FROM pg_database WHERE datname = current_database())""";
    /** PostgreSQL's table lock modes, weakest first; a statement's lock list shows the strongest per relation. */
    private static final List<String> MODES = List.of("AccessShareLock", "RowShareLock", "RowExclusiveLock",
            "ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock");
    private static final Set<String> TRANSACTION_CONTROL = Set.of("BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT");

    /** One relation as the catalog showed it. */
    record Relation(long oid, long relfilenode, String schema, String name, char kind) {
        String display() {
            return schema.equals("public") ? name : schema + "." + name;
        }

        boolean isTable() {
            return kind == 'r' || kind == 'p' || kind == 'm';
        }
    }

    /** What one statement did. {@code notTraced} says why it did not run, or is null. */
    public record Step(String file, Statement statement, long micros, List<String> locks, List<String> rewrites,
            @Nullable String notTraced) {
    }

    /** The steps and the findings of a run. */
    public record Result(List<Step> steps, List<Engine.Source> sources) {
    }

    private final Connection conn;

    public Tracer(Connection conn) {
        this.conn = conn;
    }

    /**
     * Traces {@code scripts} (path, SQL) in order. With {@code commitEachFile}, each file runs in
     * its own transaction and is committed (later files see earlier ones as existing tables, as in
     * production); otherwise all run in one transaction, rolled back at the end unless
     * {@code commitAtEnd}, and "existing" means existing before the trace.
     */
    public Result trace(List<String[]> scripts, boolean commitEachFile, boolean commitAtEnd) {
        List<Step> steps = new ArrayList<>();
        List<Engine.Source> sources = new ArrayList<>();
        boolean autoCommit;
        try {
            autoCommit = conn.getAutoCommit();
            conn.setAutoCommit(false);
        } catch (SQLException e) {
            throw new MigrationGuardException("cannot start the trace transaction: " + e.getMessage(), e);
        }
        boolean done = false;
        try {
            Map<Long, Relation> existing = relations();
            for (String[] script : scripts) {
                String file = script[0];
                String sql = Engine.withoutBom(script[1]);
                if (commitEachFile) {
                    existing = relations();
                }
                List<RawFinding> findings = new ArrayList<>();
                for (Statement st : Splitter.split(sql, Lexer.lex(sql))) {
                    steps.add(run(file, st, existing, findings));
                }
                sources.add(new Engine.Source(file, sql, file, findings));
                if (commitEachFile) {
                    conn.commit();
                }
            }
            if (commitAtEnd || commitEachFile) {
                conn.commit();
            } else {
                conn.rollback();
            }
            done = true;
        } catch (SQLException e) {
            throw new MigrationGuardException("trace failed: " + e.getMessage(), e);
        } finally {
            try {
                if (!done) {
                    conn.rollback();
                }
                conn.setAutoCommit(autoCommit);
            } catch (SQLException ignored) {
                // the connection is broken; the caller closes it
            }
        }
        return new Result(List.copyOf(steps), List.copyOf(sources));
    }

    private Step run(String file, Statement st, Map<Long, Relation> existing, List<RawFinding> findings) throws SQLException {
        String first = st.code.isEmpty() ? "" : st.code.get(0).text().toUpperCase(Locale.ROOT);
        if (TRANSACTION_CONTROL.contains(first)) {
            return new Step(file, st, 0, List.of(), List.of(), "transaction control: the tracer owns the transaction");
        }
        Map<Long, Relation> before = relations();
        Set<String> locksBefore = locks();
        Savepoint sp = conn.setSavepoint();
        long start = System.nanoTime();
        try (java.sql.Statement s = conn.createStatement()) {
            s.execute(st.text());
        } catch (SQLException e) {
            conn.rollback(sp);
            if ("25001".equals(e.getSQLState())) {
                return new Step(file, st, 0, List.of(), List.of(), "cannot run inside a transaction block (PostgreSQL 25001)");
            }
            throw new MigrationGuardException(file + ":" + st.line() + ":" + st.column() + ": PostgreSQL refused the statement ("
                    + e.getSQLState() + "): " + e.getMessage(), e);
        }
        long micros = (System.nanoTime() - start) / 1000;
        conn.releaseSavepoint(sp);
        Map<Long, Relation> after = relations();
        Set<String> taken = new LinkedHashSet<>(locks());
        taken.removeAll(locksBefore);
        Map<Long, String> strongest = new java.util.TreeMap<>();
        Set<Long> reportedLock = new HashSet<>();
        for (String lock : taken) {
            int colon = lock.indexOf(':');
            long oid = Long.parseLong(lock.substring(0, colon));
            String mode = lock.substring(colon + 1);
            Relation r = after.getOrDefault(oid, before.get(oid));
            if (r == null || r.kind() == 't' || r.schema().equals("pg_toast")) {
                continue; // created and dropped inside the statement, or a TOAST table (follows its table)
            }
            strongest.merge(oid, mode, (x, y) -> MODES.indexOf(x) >= MODES.indexOf(y) ? x : y);
            Relation old = existing.get(oid);
            if (mode.equals("AccessExclusiveLock") && old != null && old.isTable() && reportedLock.add(oid)) {
                String rows = after.containsKey(oid) ? rows(old) : "dropped by the statement";
                String timeout = setting("lock_timeout");
                findings.add(new RawFinding(Rule.TRACE_ACCESS_EXCLUSIVE, file, st.line(), st.column(),
                        "Took ACCESS EXCLUSIVE on existing table " + old.display() + " (" + rows + ") with lock_timeout "
                                + (timeout.equals("0") ? "0 (waits for the lock for ever, queueing all traffic behind it)" : timeout)
                                + ": every read and write of it waits until the transaction ends. "
                                + Rule.TRACE_ACCESS_EXCLUSIVE.advice(), st));
            }
        }
        List<String> locks = new ArrayList<>();
        strongest.forEach((oid, mode) -> locks.add(java.util.Objects.requireNonNull(
                after.containsKey(oid) ? after.get(oid) : before.get(oid), "a locked relation is in one snapshot").display() + " " + mode));
        List<String> rewrites = new ArrayList<>();
        for (Relation was : before.values()) {
            Relation now = after.get(was.oid());
            if (now != null && now.relfilenode() != was.relfilenode() && was.kind() != 't') {
                rewrites.add(was.display());
                if (was.isTable() && existing.containsKey(was.oid())) {
                    findings.add(new RawFinding(Rule.TRACE_TABLE_REWRITE, file, st.line(), st.column(),
                            "Rewrote existing table " + was.display() + " (its storage, relfilenode, was replaced) while"
                                    + " holding ACCESS EXCLUSIVE. " + Rule.TRACE_TABLE_REWRITE.advice(), st));
                }
            }
        }
        locks.sort(null);
        rewrites.sort(null);
        return new Step(file, st, micros, List.copyOf(locks), List.copyOf(rewrites), null);
    }

    private String rows(Relation r) throws SQLException {
        String q = "SELECT count(*) FROM (SELECT 1 FROM ONLY " + quote(r.schema()) + "." + quote(r.name()) + " LIMIT 1001) s";
        try (java.sql.Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(q)) {
            rs.next();
            long n = rs.getLong(1);
            return n == 0 ? "empty here" : n > 1000 ? "over 1,000 rows" : n + (n == 1 ? " row" : " rows");
        }
    }

    private String setting(String name) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT current_setting(?)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

        private static String quote(String ident) {
        return '"' + ident.replace("\"", "\"\"") + '"';
    }

    private Map<Long, Relation> relations() throws SQLException {
        Map<Long, Relation> out = new HashMap<>();
        try (PreparedStatement ps = conn.prepareStatement(RELATIONS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getLong(1), new Relation(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                        rs.getString(5).charAt(0)));
            }
        }
        return out;
    }

    private Set<String> locks() throws SQLException {
        Set<String> out = new HashSet<>();
        try (PreparedStatement ps = conn.prepareStatement(LOCKS); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getLong(1) + ":" + rs.getString(2));
            }
        }
        return out;
    }
}
