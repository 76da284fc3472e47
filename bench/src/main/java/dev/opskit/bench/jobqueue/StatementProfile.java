package dev.opskit.bench.jobqueue;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;

/**
 * Where the database time of a burn-down goes: runs one opskit burn-down (after a warm-up) on an
 * embedded PostgreSQL with {@code pg_stat_statements} loaded and prints, per statement, calls,
 * rows, total and mean execution time. A diagnostic, not a measurement against a target.
 *
 * <p>Arguments: {@code [jobs] [workers]}, default 100000 16. With {@code -Dexplain.min=0} (and
 * {@code -Dexplain.rate}, default 0.002) auto_explain logs sampled plans with buffers to
 * {@code /tmp/opskit-statement-profile} ({@code -Dexplain.dir}).
 *
 * <pre>
 * mvn -q -pl bench exec:exec -Dbench.main=dev.opskit.bench.jobqueue.StatementProfile -Dbench.args="200000 16"
 * </pre>
 */
public final class StatementProfile {
    private StatementProfile() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].isBlank()) {
            args = new String[0];
        } else if (args.length == 1 && args[0].contains(" ")) {
            args = args[0].trim().split("\\s+");
        }
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("shared_buffers", "512MB")
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("pg_stat_statements.track", "all")
                .setServerConfig("pg_stat_statements.track_planning", "on")
                .setServerConfig("session_preload_libraries", "auto_explain")
                .setServerConfig("auto_explain.log_min_duration", System.getProperty("explain.min", "-1"))
                .setServerConfig("auto_explain.sample_rate", System.getProperty("explain.rate", "0.002"))
                .setServerConfig("auto_explain.log_analyze", "on")
                .setServerConfig("auto_explain.log_buffers", "on")
                .setServerConfig("logging_collector", "on")
                .setServerConfig("log_directory", System.getProperty("explain.dir", "/tmp/opskit-statement-profile"))
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
             HikariDataSource ds = Bench.pool(pg.getJdbcUrl("postgres", "postgres"), 20)) {
            Bench.sql(ds, "CREATE EXTENSION pg_stat_statements");
            OpskitBench.burnDownOnce(ds, Math.min(jobs, 20_000), workers, Duration.ZERO, false);
            Bench.sql(ds, "SELECT pg_stat_statements_reset()");
            Result r = OpskitBench.burnDownOnce(ds, jobs, workers, Duration.ZERO, true);
            System.out.println(r.json(Bench.load()));
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("""
                         SELECT calls, rows, total_exec_time, total_plan_time, plans, shared_blks_hit, wal_records,
                                regexp_replace(left(query, 140), '\\s+', ' ', 'g')
                           FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12""")) {
                System.out.printf(Locale.ROOT, "%8s %9s %10s %8s %8s %10s %9s  %s%n", "calls", "rows", "exec ms", "plan ms", "plans", "blks hit", "wal recs", "statement");
                while (rs.next()) {
                    System.out.printf(Locale.ROOT, "%8d %9d %10.1f %8.1f %8d %10d %9d  %s%n", rs.getLong(1), rs.getLong(2), rs.getDouble(3),
                            rs.getDouble(4), rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getString(8));
                }
            }
        }
        System.exit(0);
    }
}
