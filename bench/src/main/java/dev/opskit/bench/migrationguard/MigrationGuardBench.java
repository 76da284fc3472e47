package dev.opskit.bench.migrationguard;

import dev.opskit.migrationguard.GuardConfig;
import dev.opskit.migrationguard.MigrationGuard;
import dev.opskit.migrationguard.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Speed of the migration guard.
 *
 * <pre>
 * throughput [seconds]        statements/s on one thread for a realistic migration mix (warm-up of 3 x seconds,
 *                             then 5 timed rounds of seconds each; wall clock and per CPU second of the thread)
 * cli JAR [files] [runs] [jvm-flags,comma-separated]
 *                             writes FILES migration files to a temp dir and times `java [flags] -jar JAR migrations check DIR` (JAR: cli/target/opskit.jar) end to end
 * </pre>
 */
public final class MigrationGuardBench {
    private MigrationGuardBench() {
    }

    /**
     * A realistic mix: CREATE TABLE / ALTER TABLE / CREATE INDEX / INSERT / COMMENT / GRANT, DO blocks, function
     * bodies, strings with quotes and dollar signs, comments, and an approved DROP COLUMN now and then.
     */
    static String migration(int n, Random random) {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("-- migration ").append(n).append(": generated for the benchmark\n");
        sb.append("SET lock_timeout = '5s';\nSET statement_timeout = '15min';\n");
        String t = "table_" + n;
        sb.append("CREATE TABLE ").append(t).append(" (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n")
                .append("  tenant_id bigint NOT NULL,\n  name text NOT NULL,\n  status text DEFAULT 'new',\n")
                .append("  payload jsonb,\n  created_at timestamptz NOT NULL DEFAULT now()\n);\n");
        sb.append("CREATE INDEX ").append(t).append("_tenant ON ").append(t).append(" (tenant_id, created_at DESC);\n");
        sb.append("COMMENT ON TABLE ").append(t).append(" IS 'rows of ").append(t).append("; see docs';\n");
        for (int i = 0; i < 3; i++) {
            switch (random.nextInt(9)) {
                case 0 -> sb.append("ALTER TABLE users ADD COLUMN col_").append(n).append('_').append(i).append(" text;\n");
                case 1 -> sb.append("CREATE INDEX CONCURRENTLY IF NOT EXISTS users_c").append(n).append(i)
                        .append(" ON users (email) WHERE deleted_at IS NULL;\n");
                case 2 -> sb.append("ALTER TABLE orders ADD CONSTRAINT orders_fk_").append(n).append(i)
                        .append(" FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n");
                case 3 -> sb.append("INSERT INTO settings (key, value) VALUES ('k").append(n).append(i)
                        .append("', E'it\\'s $$ -- not a comment'), ('x', 'y');\n");
                case 4 -> sb.append("DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood_").append(n)
                        .append("') THEN\n    CREATE TYPE mood_").append(n).append(" AS ENUM ('a', 'b');\n  END IF;\nEND\n$$;\n");
                case 5 -> sb.append("CREATE OR REPLACE FUNCTION f_").append(n).append(i)
                        .append("() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND\n$fn$;\n");
                case 6 -> sb.append("/* backfill moved to a job */ UPDATE ").append(t).append(" SET status = 'x' WHERE id < 0;\n");
                case 7 -> sb.append("-- opskit:approve drop-column by=alice,bob reason=\"unused since v1.4\"\n")
                        .append("ALTER TABLE users DROP COLUMN old_").append(n).append(i).append(";\n");
                default -> sb.append("GRANT SELECT ON ").append(t).append(" TO reporting;\n");
            }
        }
        return sb.toString();
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].isBlank()) {
            args = new String[] {"throughput"};
        }
        // exec:exec passes bench.args as one argument: split it
        if (args.length == 1 && args[0].contains(" ")) {
            args = args[0].trim().split("\\s+");
        }
        switch (args[0]) {
            case "throughput" -> throughput(args.length > 1 ? Integer.parseInt(args[1]) : 5);
            case "cli" -> cli(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 1000,
                    args.length > 3 ? Integer.parseInt(args[3]) : 5,
                    args.length > 4 ? List.of(args[4].split(",")) : List.of());
            case "trace" -> trace(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 7);
            default -> throw new IllegalArgumentException("usage: throughput [seconds] | cli JAR [files] [runs] | trace JAR [runs]; got "
                    + Arrays.toString(args));
        }
    }

    private static void throughput(int seconds) {
        Random random = new Random(1);
        List<String> scripts = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            scripts.add(migration(i, random));
        }
        MigrationGuard guard = MigrationGuard.create(GuardConfig.ofDefaults());
        long statementsPerPass = 0;
        for (String s : scripts) {
            statementsPerPass += guard.checkSql("m.sql", s).statements();
        }
        System.out.printf("mix: %d scripts, %d top-level statements per pass (plus statements inside DO blocks)%n",
                scripts.size(), statementsPerPass);
        long sink = 0;
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(3L * seconds);
        while (System.nanoTime() < warmEnd) {
            for (String s : scripts) {
                sink += guard.checkSql("m.sql", s).findings().size();
            }
        }
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        List<Double> wallRates = new ArrayList<>();
        List<Double> cpuRates = new ArrayList<>();
        for (int round = 1; round <= 5; round++) {
            long statements = 0;
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long now;
            do {
                for (String s : scripts) {
                    Report r = guard.checkSql("m.sql", s);
                    statements += r.statements();
                    sink += r.findings().size();
                }
                now = System.nanoTime();
            } while (now < end);
            double perSecond = statements / ((now - start) / 1e9);
            double perCpuSecond = statements / ((threads.getCurrentThreadCpuTime() - cpuStart) / 1e9);
            wallRates.add(perSecond);
            cpuRates.add(perCpuSecond);
            System.out.printf("round %d: %,.0f statements/s wall clock, %,.0f statements per CPU second (one thread)%n",
                    round, perSecond, perCpuSecond);
        }
        wallRates.sort(Double::compare);
        cpuRates.sort(Double::compare);
        System.out.printf("median: %,.0f statements/s wall clock, %,.0f statements per CPU second%n",
                wallRates.get(2), cpuRates.get(2));
        System.out.println("(sink " + sink + ")");
    }

    private static void cli(Path jar, int files, int runs, List<String> jvmFlags) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no CLI jar at " + jar.toAbsolutePath() + " (run mvn -B -q install -DskipTests)");
        }
        Path dir = Files.createTempDirectory("mg-bench");
        Random random = new Random(2);
        long bytes = 0;
        for (int i = 1; i <= files; i++) {
            String sql = migration(i, random);
            bytes += sql.length();
            Files.writeString(dir.resolve("V" + i + "__migration_" + i + ".sql"), sql);
        }
        System.out.printf("%d files, %,d bytes in %s%n", files, bytes, dir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Double> times = new ArrayList<>();
        for (int run = 0; run <= runs; run++) {
            long start = System.nanoTime();
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
            cmd.addAll(jvmFlags);
            cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "migrations", "check", dir.toString()));
            if (run == 0) {
                System.out.println("command: " + String.join(" ", cmd));
            }
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            int exit = p.waitFor();
            double s = (System.nanoTime() - start) / 1e9;
            if (run == 0) {
                System.out.printf("first run (cold page cache for the jar): %.3f s, exit %d%n", s, exit);
                continue;
            }
            times.add(s);
            System.out.printf("run %d: %.3f s, exit %d%n", run, s, exit);
        }
        times.sort(Double::compare);
        System.out.printf("median %.3f s, best %.3f s, worst %.3f s over %d runs%n",
                times.get(times.size() / 2), times.get(0), times.get(times.size() - 1), times.size());
    }

    /**
     * {@code opskit migrations trace} of one 20-statement migration (after a 2-file schema) on the
     * embedded PostgreSQL it starts itself, end to end: JVM start, initdb, server start, trace, stop.
     */
    private static void trace(Path jar, int runs) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no CLI jar at " + jar.toAbsolutePath() + " (run mvn -B -q install -DskipTests)");
        }
        Path dir = Files.createTempDirectory("mg-trace-bench");
        Files.writeString(dir.resolve("V1__schema.sql"), """
                CREATE TABLE accounts (id bigint PRIMARY KEY, email text, balance numeric);
                INSERT INTO accounts SELECT g, 'user' || g || '@example.com', g FROM generate_series(1, 10000) g;
                """);
        StringBuilder m = new StringBuilder("SET lock_timeout = '5s';\nSET statement_timeout = '1min';\n");
        for (int i = 1; i <= 6; i++) {
            m.append("ALTER TABLE accounts ADD COLUMN c").append(i).append(" text;\n");
            m.append("CREATE INDEX accounts_c").append(i).append(" ON accounts (c").append(i).append(");\n");
            m.append("COMMENT ON COLUMN accounts.c").append(i).append(" IS 'bench';\n");
        }
        Files.writeString(dir.resolve("V2__twenty_statements.sql"), m.toString());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-jar", jar.toAbsolutePath().toString(), "migrations", "trace", dir.toString());
        System.out.println("command: " + String.join(" ", cmd) + " (V2 has 20 statements)");
        List<Double> times = new ArrayList<>();
        for (int run = 0; run <= runs; run++) {
            long start = System.nanoTime();
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            int exit = p.waitFor();
            double s = (System.nanoTime() - start) / 1e9;
            System.out.printf("%s: %.3f s, exit %d%n", run == 0 ? "first run (may unpack the PostgreSQL binaries)" : "run " + run, s, exit);
            if (run > 0) {
                times.add(s);
            }
        }
        times.sort(Double::compare);
        System.out.printf("median %.3f s, best %.3f s, worst %.3f s over %d runs%n",
                times.get(times.size() / 2), times.get(0), times.get(times.size() - 1), times.size());
    }
}
