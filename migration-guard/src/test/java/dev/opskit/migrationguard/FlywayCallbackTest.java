package dev.opskit.migrationguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import dev.opskit.migrationguard.flyway.MigrationGuardCallback;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(PostgresExtension.class)
class FlywayCallbackTest {
    private final TestDatabase db;

    FlywayCallbackTest(TestDatabase db) {
        this.db = db;
    }

    private Flyway flyway(String schema, String location) {
        return Flyway.configure().dataSource(db.dataSource()).schemas(schema).locations(location)
                .callbacks(new MigrationGuardCallback()).load();
    }

    private static double checks(SimpleMeterRegistry meters, String outcome) {
        return meters.get(MigrationGuardMetrics.CHECKS).tag("gate", "flyway").tag("outcome", outcome).functionCounter().count();
    }

    private static double blockingFindings(SimpleMeterRegistry meters, String rule) {
        var found = meters.find(MigrationGuardMetrics.BLOCKING_FINDINGS).tag("rule", rule).functionCounter();
        return found == null ? 0 : found.count();
    }

    private boolean columnExists(String schema, String table, String column) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.getMetaData().getColumns(null, schema, table, column)) {
            return rs.next();
        }
    }

    @Test
    void safeMigrationsRunAndABlockingPendingMigrationAbortsMigrate(@TempDir Path dir) throws Exception {
        // counts are JVM-wide (other tests' gates add to them): measure this test's increments
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        new MigrationGuardMetrics().bindTo(meters);
        double passed0 = checks(meters, "passed");
        double blocked0 = checks(meters, "blocked");
        double dropColumn0 = blockingFindings(meters, "drop-column");

        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE users (id bigint PRIMARY KEY, legacy text);\n");
        assertThat(flyway("fw_a", "filesystem:" + dir).migrate().migrationsExecuted).isEqualTo(1);
        assertThat(checks(meters, "passed") - passed0).isEqualTo(1);

        Files.writeString(dir.resolve("V2__drop.sql"),
                "SET lock_timeout = '5s';\nSET statement_timeout = '5min';\nALTER TABLE users DROP COLUMN legacy;\n");
        assertThatThrownBy(() -> flyway("fw_a", "filesystem:" + dir).migrate())
                .hasStackTraceContaining("drop-column")
                .hasStackTraceContaining("V2__drop.sql:3:1")
                .satisfies(e -> {
                    Throwable t = e;
                    while (t != null && !(t instanceof MigrationBlockedException)) {
                        t = t.getCause();
                    }
                    assertThat(t).as("MigrationBlockedException in the cause chain of " + e).isNotNull();
                    assertThat(((MigrationBlockedException) t).report().blocking()).hasSize(1);
                });
        assertThat(columnExists("fw_a", "users", "legacy")).as("V2 must not have run").isTrue();
        assertThat(checks(meters, "blocked") - blocked0).isEqualTo(1);
        assertThat(blockingFindings(meters, "drop-column") - dropColumn0).isEqualTo(1);

        write(dir.resolve("opskit-approvals.txt"), approvalLine(dir.resolve("V2__drop.sql")));
        assertThat(flyway("fw_a", "filesystem:" + dir).migrate().migrationsExecuted).isEqualTo(1);
        assertThat(columnExists("fw_a", "users", "legacy")).isFalse();
        assertThat(checks(meters, "passed") - passed0).isEqualTo(2);
        assertThat(checks(meters, "blocked") - blocked0).isEqualTo(1);
    }

    @Test
    void scriptsAreCheckedAsWrittenSoApprovalsMadeInCiStillMatchWithPlaceholders(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("V1__init.sql"), "CREATE TABLE ${table} (id bigint PRIMARY KEY, legacy text);\n");
        Path drop = dir.resolve("V2__drop.sql");
        Files.writeString(drop, "SET lock_timeout = '5s';\nSET statement_timeout = '5min';\n"
                + "ALTER TABLE ${table} DROP COLUMN legacy;\n");
        Flyway blocked = Flyway.configure().dataSource(db.dataSource()).schemas("fw_c").locations("filesystem:" + dir)
                .placeholders(java.util.Map.of("table", "accounts")).callbacks(new MigrationGuardCallback()).load();
        assertThatThrownBy(blocked::migrate).hasStackTraceContaining("drop-column");

        // the fingerprint CI computes from the file as written approves it at start-up too
        write(dir.resolve("opskit-approvals.txt"), approvalLine(drop));
        Flyway approved = Flyway.configure().dataSource(db.dataSource()).schemas("fw_c").locations("filesystem:" + dir)
                .placeholders(java.util.Map.of("table", "accounts")).callbacks(new MigrationGuardCallback()).load();
        approved.migrate();
        assertThat(approved.info().current().getVersion().getVersion()).isEqualTo("2");
    }

    @Test
    void classpathLocationsAreReadToo() {
        assertThatThrownBy(() -> flyway("fw_b", "classpath:dev/opskit/migrationguard/flyway-blocked").migrate())
                .hasStackTraceContaining("truncate");
    }

    private static String approvalLine(Path script) throws IOException {
        Report r = MigrationGuard.check(script);
        Finding f = r.findings().stream().filter(x -> x.rule() == Rule.DROP_COLUMN).findFirst().orElseThrow();
        return "drop-column " + f.fingerprint() + " by=alice,bob reason=\"unused since v1.4\"\n";
    }

    private static void write(Path p, String s) throws IOException {
        Files.writeString(p, s);
    }
}
