package dev.opskit.migrationguard.cli;

import dev.opskit.core.cli.Opskit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;

/** The command line, run as a child process: exit codes 0/1/2 and the formats. */
@ExtendWith(PostgresExtension.class)
class MigrationGuardCliTest {
    record Run(int exit, String out, String err) {
    }

    @TempDir
    Path dir;
    Path safe;
    Path unsafe;

    @BeforeEach
    void migrations() throws IOException {
        safe = Files.createDirectories(dir.resolve("safe"));
        Files.writeString(safe.resolve("V1__init.sql"), "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n");
        Files.writeString(safe.resolve("V2__index.sql"), "CREATE INDEX CONCURRENTLY users_email ON users (email);\n");
        unsafe = Files.createDirectories(dir.resolve("unsafe"));
        Files.writeString(unsafe.resolve("V1__init.sql"), "CREATE TABLE users (id bigint PRIMARY KEY, legacy text);\n");
        Files.writeString(unsafe.resolve("V2__drop.sql"),
                "SET lock_timeout = '5s';\nSET statement_timeout = '5min';\nALTER TABLE users DROP COLUMN legacy;\n");
    }

    private static Run run(Path cwd, String... args) throws Exception {
        // without Flyway on the classpath: the command line must not need it
        String classpath = String.join(java.io.File.pathSeparator, java.util.Arrays.stream(
                System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> !e.contains("flyway")).toList());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, Opskit.class.getName(), "migrations"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectOutput(cwd.resolve("out.txt").toFile())
                .redirectError(cwd.resolve("err.txt").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("CLI did not finish within 120 s: " + cmd);
        }
        return new Run(p.exitValue(), Files.readString(cwd.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(cwd.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    @Test
    void exitCodeIsZeroWhenNothingBlocksOneWhenAFindingBlocksTwoOnUsageOrIoErrors() throws Exception {
        Run ok = run(dir, "check", "safe");
        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).contains("OK: 2 file(s)");
        assertThat(ok.err()).as("no logging noise").isEmpty();

        Run blocked = run(dir, "check", "unsafe");
        assertThat(blocked.exit()).as(blocked.toString()).isEqualTo(1);
        assertThat(blocked.out()).contains("V2__drop.sql:3:1: blocking [drop-column]");

        assertThat(run(dir, "check", "missing-dir").exit()).isEqualTo(2);
        Files.createDirectories(dir.resolve("empty"));
        Run empty = run(dir, "check", "empty");
        assertThat(empty.exit()).isZero();
        assertThat(empty.err()).contains("no .sql migration files found");
        assertThat(run(dir, "check", "--format", "xml", "safe").err()).contains("format must be text, json, sarif or github, but was 'xml'");
        assertThat(run(dir, "check").exit()).isEqualTo(2);
        assertThat(run(dir, "frobnicate").exit()).isEqualTo(2);
    }

    @Test
    void jsonSarifAndGithubFormatsAndAConfigFile() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Run j = run(dir, "check", "--format", "json", "unsafe");
        assertThat(j.exit()).isEqualTo(1);
        JsonNode root = json.readTree(j.out());
        assertThat(root.get("summary").get("blocking").asInt()).isEqualTo(1);
        assertThat(root.get("findings").get(0).get("rule").asText()).isEqualTo("drop-column");

        Run s = run(dir, "check", "--format=sarif", "unsafe");
        JsonNode sarif = json.readTree(s.out());
        assertThat(sarif.get("runs").get(0).get("results").get(0).get("locations").get(0)
                .get("physicalLocation").get("artifactLocation").get("uri").asText()).isEqualTo("unsafe/V2__drop.sql");

        Run g = run(dir, "check", "--format", "github", "unsafe");
        assertThat(g.out()).contains("::error file=unsafe/V2__drop.sql,line=3,col=1,title=drop-column::");

        Files.writeString(dir.resolve("guard.properties"), "severity.drop-column = warning\n");
        assertThat(run(dir, "check", "--config", "guard.properties", "unsafe").exit()).isZero();
        Files.writeString(dir.resolve("bad.properties"), "severity.nope = warning\n");
        Run bad = run(dir, "check", "--config", "bad.properties", "unsafe");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("unknown rule id 'nope'");
    }

    @Test
    void pgVersionAndExcludeFlagsOverTheConfigFile() throws Exception {
        Files.writeString(unsafe.resolve("V3__nn.sql"), "SET lock_timeout = '5s';\nSET statement_timeout = '5min';\n"
                + "ALTER TABLE users ADD CONSTRAINT users_legacy_nn CHECK (legacy IS NOT NULL);\n"
                + "ALTER TABLE users ALTER COLUMN legacy SET NOT NULL;\n");
        assertThat(run(dir, "check", "unsafe").out()).doesNotContain("[set-not-null]");
        Run old = run(dir, "check", "--pg-version", "11", "unsafe");
        assertThat(old.out()).as(old.toString()).contains("V3__nn.sql:4:1: blocking [set-not-null]");
        Run excluded = run(dir, "check", "--pg-version=11", "--exclude", "V2__*.sql", "--exclude=V3__*", "unsafe");
        assertThat(excluded.exit()).as(excluded.toString()).isZero();
        assertThat(excluded.out()).contains("OK: 1 file(s)");
        Run bad = run(dir, "check", "--pg-version", "9.4", "unsafe");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("pg-version must be a PostgreSQL major version from 10 on");
    }

    @Test
    void fingerprintPrintsApprovalLinesThatApproveOnceSigned() throws Exception {
        Run fp = run(dir, "fingerprint", "unsafe/V2__drop.sql");
        assertThat(fp.exit()).isZero();
        String line = fp.out().lines().filter(l -> l.startsWith("drop-column ")).findFirst().orElseThrow();
        assertThat(line).matches("drop-column [0-9a-f]{16} by= reason=\"\"");
        Files.writeString(unsafe.resolve("opskit-approvals.txt"),
                line.replace("by=", "by=alice,bob").replace("reason=\"\"", "reason=\"legacy unused since v1.4\"") + "\n");
        Run approved = run(dir, "check", "unsafe");
        assertThat(approved.exit()).as(approved.out()).isZero();
        assertThat(approved.out()).contains("approved [drop-column]");
        assertThat(run(dir, "fingerprint", "unsafe/missing.sql").exit()).isEqualTo(2);
    }

    @Test
    void traceRunsTheMigrationsOnAnEmbeddedPostgresAndReportsLocksAndRewrites() throws Exception {
        Files.writeString(unsafe.resolve("V3__retype.sql"), "INSERT INTO users VALUES (1);\n"
                + "ALTER TABLE users ALTER COLUMN id TYPE numeric;\n");
        Run t = run(dir, "trace", "unsafe");
        assertThat(t.exit()).as(t.toString()).isEqualTo(1);
        assertThat(t.out()).contains("unsafe/V2__drop.sql:3:1: ALTER TABLE users DROP COLUMN legacy",
                "locks: users AccessExclusiveLock", "rewrote: users",
                "V2__drop.sql:3:1: blocking [trace-access-exclusive] Took ACCESS EXCLUSIVE on existing table users (empty here) with lock_timeout 5s",
                "V3__retype.sql:2:1: blocking [trace-table-rewrite]");
        assertThat(run(dir, "trace", "--commit", "unsafe").err()).contains("--commit needs --url");
    }

    @Test
    void traceWithAUrlRollsBackUnlessToldToCommit(TestDatabase db) throws Exception {
        TestDatabase target = db.server().createDatabase("cli_trace");
        Run rolledBack = run(dir, "trace", "--url", target.jdbcUrl(), "--format", "json", "safe");
        assertThat(rolledBack.exit()).as(rolledBack.toString()).isZero();
        assertThat(new ObjectMapper().readTree(rolledBack.out()).get("findings")).isEmpty();
        assertThat(tables(target)).isZero();
        Run committed = run(dir, "trace", "--url=" + target.jdbcUrl(), "--commit", "safe");
        assertThat(committed.exit()).as(committed.toString()).isZero();
        assertThat(tables(target)).isEqualTo(1);
        Run refused = run(dir, "trace", "--url", target.jdbcUrl(), "safe");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("V1__init.sql:1:1: PostgreSQL refused the statement (42P07)");
        target.close();
    }

    @Test
    void aLiquibaseChangelogIsCheckedWithItsChangesetIdsAndIncludes() throws Exception {
        Path lb = Files.createDirectories(dir.resolve("lb"));
        for (String f : List.of("db.changelog-master.xml", "001-users.sql")) {
            Files.copy(Path.of("examples/liquibase").resolve(f), lb.resolve(f));
        }
        Run r = run(dir, "check", "lb/db.changelog-master.xml");
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("lb/001-users.sql:10:1: approved [drop-column] changeset 001-drop-legacy by alice:",
                "lb/db.changelog-master.xml:7:1: blocking [set-not-null] changeset 002-email-required by bob:");
        Run formatted = run(dir, "check", "lb/001-users.sql");
        assertThat(formatted.exit()).as(formatted.toString()).isZero();
        assertThat(formatted.out()).contains("changeset 001-drop-legacy by alice");
        assertThat(run(dir, "check", "lb/db.changelog-master.xml", "safe").err()).contains("check one Liquibase changelog at a time");
    }

    private static long tables(TestDatabase db) throws java.sql.SQLException {
        try (java.sql.Connection c = db.dataSource().getConnection();
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 'users'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
