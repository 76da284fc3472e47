package dev.opskit.migrationguard;

import dev.opskit.migrationguard.internal.Engine;
import dev.opskit.migrationguard.internal.Tracer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Runs migrations on a real PostgreSQL and reports what static rules cannot see: the relation
 * locks each statement took (from {@code pg_locks} of the migrating backend), the tables it
 * rewrote (their {@code relfilenode} changed) and its time. Findings are
 * {@link Rule#TRACE_ACCESS_EXCLUSIVE} (ACCESS EXCLUSIVE on a table that existed before) and
 * {@link Rule#TRACE_TABLE_REWRITE}; they are approved like any other finding.
 *
 * <pre>{@code
 * TraceReport t = MigrationTrace.create(GuardConfig.ofDefaults())
 *         .trace(dataSource, scripts, MigrationTrace.Mode.ROLLBACK);
 * System.out.print(t.formatSteps());
 * t.report().throwIfBlocking();
 * }</pre>
 */
public final class MigrationTrace {
    private static final Set<Rule> TRACE_RULES = Set.of(Rule.TRACE_ACCESS_EXCLUSIVE, Rule.TRACE_TABLE_REWRITE);

    /** How the migrations' transactions end. */
    public enum Mode {
        /** All files in one transaction, rolled back at the end: the database is left as it was. */
        ROLLBACK,
        /** Each file in its own transaction, committed, as a migration runner does: a later file sees the tables of earlier ones as existing. */
        COMMIT
    }

    /** What one statement did; {@code notTraced} says why it did not run (null when it ran). */
    public record TracedStatement(String file, int line, int column, String sql, long micros, List<String> locks,
            List<String> rewrites, @Nullable String notTraced) {
    }

    /** The traced statements and the findings. */
    public record TraceReport(List<TracedStatement> statements, Report report) {
        /** One block per statement: position, time, locks taken, rewrites. */
        public String formatSteps() {
            StringBuilder sb = new StringBuilder();
            for (TracedStatement s : statements) {
                String sql = s.sql().replaceAll("\\s+", " ").strip();
                sb.append(s.file()).append(':').append(s.line()).append(':').append(s.column()).append(": ")
                        .append(sql.length() > 100 ? sql.substring(0, 100) + "..." : sql).append('\n');
                if (s.notTraced() != null) {
                    sb.append("    not traced: ").append(s.notTraced()).append('\n');
                    continue;
                }
                sb.append("    time: ").append(String.format(java.util.Locale.ROOT, "%.1f ms", s.micros() / 1000.0)).append('\n');
                sb.append("    locks: ").append(s.locks().isEmpty() ? "none new" : String.join(", ", s.locks())).append('\n');
                if (!s.rewrites().isEmpty()) {
                    sb.append("    rewrote: ").append(String.join(", ", s.rewrites())).append('\n');
                }
            }
            return sb.toString();
        }
    }

    private final GuardConfig config;

    private MigrationTrace(GuardConfig config) {
        this.config = config;
    }

    public static MigrationTrace create(GuardConfig config) {
        return new MigrationTrace(Objects.requireNonNull(config, "config must not be null"));
    }

    /**
     * Traces {@code scripts} in order on a connection from {@code dataSource}.
     *
     * @throws MigrationGuardException if PostgreSQL refuses a statement (the message names file,
     *                                 line and PostgreSQL's error; nothing of the run is committed
     *                                 after the last file that completed) or cannot be reached
     */
    public TraceReport trace(DataSource dataSource, List<MigrationScript> scripts, Mode mode) {
        Objects.requireNonNull(dataSource, "dataSource must not be null");
        try (Connection c = dataSource.getConnection()) {
            return trace(c, scripts, mode);
        } catch (SQLException e) {
            throw new MigrationGuardException("cannot connect to PostgreSQL for the trace: " + e.getMessage(), e);
        }
    }

    /** As {@link #trace(DataSource, List, Mode)}, on a connection the caller owns (its auto-commit is restored). */
    public TraceReport trace(Connection connection, List<MigrationScript> scripts, Mode mode) {
        Objects.requireNonNull(connection, "connection must not be null");
        Objects.requireNonNull(scripts, "scripts must not be null");
        Objects.requireNonNull(mode, "mode must not be null");
        List<String[]> in = new ArrayList<>();
        for (MigrationScript s : scripts) {
            Objects.requireNonNull(s, "script must not be null");
            in.add(new String[] {s.location(), s.sql()});
        }
        Tracer.Result r = new Tracer(connection).trace(in, mode == Mode.COMMIT, false);
        List<TracedStatement> steps = r.steps().stream().map(s -> new TracedStatement(s.file(), s.statement().line(),
                s.statement().column(), s.statement().text(), s.micros(), s.locks(), s.rewrites(), s.notTraced())).toList();
        Engine.Result checked = Engine.run(r.sources(), List.of(), config);
        List<Finding> findings = checked.findings().stream().filter(f -> TRACE_RULES.contains(f.rule())).toList();
        int statements = (int) steps.stream().filter(s -> s.notTraced() == null).count();
        return new TraceReport(steps, new Report(findings, scripts.size(), statements));
    }
}
