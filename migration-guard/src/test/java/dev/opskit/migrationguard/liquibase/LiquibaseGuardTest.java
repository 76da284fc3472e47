package dev.opskit.migrationguard.liquibase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.core.testing.TestDatabase;
import dev.opskit.migrationguard.Finding;
import dev.opskit.migrationguard.GuardConfig;
import dev.opskit.migrationguard.MigrationBlockedException;
import dev.opskit.migrationguard.MigrationGuardMetrics;
import dev.opskit.migrationguard.MigrationGuardException;
import dev.opskit.migrationguard.Report;
import dev.opskit.migrationguard.Rule;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.DirectoryResourceAccessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Liquibase changelogs: formatted SQL as written, XML/YAML as generated, and the gate before update. */
@ExtendWith(PostgresExtension.class)
class LiquibaseGuardTest {
    private static final String FORMATTED = """
            --liquibase formatted sql

            --changeset alice:1
            CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy text);

            --changeset alice:2
            SET lock_timeout = '2s';
            SET statement_timeout = '1min';
            ALTER TABLE users DROP COLUMN legacy;
            --rollback ALTER TABLE users ADD COLUMN legacy text;
            """;
    private static final String XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog"
                xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                xsi:schemaLocation="http://www.liquibase.org/xml/ns/dbchangelog
                  http://www.liquibase.org/xml/ns/dbchangelog/dbchangelog-latest.xsd">
              <include file="formatted.sql" relativeToChangelogFile="true"/>
              <changeSet id="3" author="bob">
                <addNotNullConstraint tableName="users" columnName="email" columnDataType="text"/>
              </changeSet>
              <changeSet id="4" author="bob">
                <createIndex tableName="users" indexName="users_email"><column name="email"/></createIndex>
              </changeSet>
            </databaseChangeLog>
            """;

    @TempDir
    Path dir;

    private List<String> ids(Report r) {
        return r.findings().stream().map(f -> Path.of(f.file()).getFileName() + ":" + f.line() + " " + f.rule().id()).toList();
    }

    @Test
    void formattedSqlIsCheckedAsWrittenWithTheChangesetsLinesAndIds() throws Exception {
        Files.writeString(dir.resolve("formatted.sql"), FORMATTED);
        Report r = LiquibaseGuard.check("formatted.sql", new DirectoryResourceAccessor(dir), GuardConfig.ofDefaults());
        assertThat(ids(r)).containsExactly("formatted.sql:9 drop-column");
        assertThat(r.findings().get(0).message()).startsWith("changeset 2 by alice: Dropping column users.legacy");
        assertThat(LiquibaseGuard.isFormattedSql(FORMATTED)).isTrue();
        assertThat(LiquibaseGuard.isFormattedSql("ALTER TABLE t DROP COLUMN c;")).isFalse();
    }

    @Test
    void xmlChangesAreCheckedAsTheSqlLiquibaseGeneratesAndIncludesAreFollowed() throws Exception {
        Files.writeString(dir.resolve("formatted.sql"), FORMATTED);
        Files.writeString(dir.resolve("master.xml"), XML);
        Report r = LiquibaseGuard.check("master.xml", new DirectoryResourceAccessor(dir), GuardConfig.ofDefaults());
        assertThat(ids(r)).contains("formatted.sql:9 drop-column", "master.xml:7 set-not-null",
                "master.xml:10 create-index-non-concurrently");
        Finding nn = r.findings().stream().filter(f -> f.rule() == Rule.SET_NOT_NULL).findFirst().orElseThrow();
        assertThat(nn.message()).startsWith("changeset 3 by bob: SET NOT NULL on");
        assertThat(nn.statement()).containsIgnoringCase("ALTER TABLE").containsIgnoringCase("SET NOT NULL");
    }

    @Test
    void inlineAndFileApprovalsWorkTheSameWay() throws Exception {
        Files.writeString(dir.resolve("formatted.sql"), FORMATTED.replace("ALTER TABLE users DROP COLUMN legacy;",
                "-- opskit:approve drop-column by=alice,bob reason=\"legacy unused since v2\"\nALTER TABLE users DROP COLUMN legacy;"));
        Files.writeString(dir.resolve("master.xml"), XML);
        Report before = LiquibaseGuard.check("master.xml", new DirectoryResourceAccessor(dir), GuardConfig.ofDefaults());
        assertThat(before.findings()).filteredOn(f -> f.rule() == Rule.DROP_COLUMN).singleElement()
                .satisfies(f -> assertThat(f.approved()).isTrue());
        Finding nn = before.findings().stream().filter(f -> f.rule() == Rule.SET_NOT_NULL).findFirst().orElseThrow();
        Files.writeString(dir.resolve("opskit-approvals.txt"), "set-not-null " + nn.fingerprint()
                + " by=carol reason=\"users has 40 rows\"\n");
        Report after = LiquibaseGuard.check("master.xml", new DirectoryResourceAccessor(dir), GuardConfig.ofDefaults());
        assertThat(after.findings()).filteredOn(f -> f.rule() == Rule.SET_NOT_NULL).singleElement()
                .satisfies(f -> assertThat(f.approved()).isTrue());
    }

    @Test
    void aChangelogLiquibaseCannotParseIsAClearError() throws Exception {
        Files.writeString(dir.resolve("broken.xml"), "<databaseChangeLog><changeSet id=\"1\"></databaseChangeLog>");
        assertThatThrownBy(() -> LiquibaseGuard.check("broken.xml", new DirectoryResourceAccessor(dir), GuardConfig.ofDefaults()))
                .isInstanceOf(MigrationGuardException.class).hasMessageContaining("cannot parse Liquibase changelog broken.xml");
    }

    @Test
    void theGateBlocksUpdateUntilApprovedAndChecksOnlyUnrunChangesets(TestDatabase db) throws Exception {
        TestDatabase target = db.server().createDatabase("liquibase_gate");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        new MigrationGuardMetrics().bindTo(meters);
        double blocked0 = gateChecks(meters, "blocked");
        double passed0 = gateChecks(meters, "passed");
        Files.writeString(dir.resolve("formatted.sql"), FORMATTED);
        try (Connection c = target.dataSource().getConnection()) {
            Liquibase lb = new Liquibase("formatted.sql", new DirectoryResourceAccessor(dir), new JdbcConnection(c));
            assertThatThrownBy(() -> LiquibaseGuard.update(lb, new Contexts(), new LabelExpression(), GuardConfig.ofDefaults()))
                    .isInstanceOf(MigrationBlockedException.class).hasMessageContaining("drop-column");
            assertThat(tableExists(target, "users")).as("nothing ran").isFalse();
            assertThat(gateChecks(meters, "blocked") - blocked0).isEqualTo(1);

            Files.writeString(dir.resolve("opskit-approvals.txt"), "");
            Files.writeString(dir.resolve("formatted.sql"), FORMATTED.replace("ALTER TABLE users DROP COLUMN legacy;",
                    "-- opskit:approve drop-column by=alice,bob reason=\"unused\"\nALTER TABLE users DROP COLUMN legacy;"));
            Liquibase approved = new Liquibase("formatted.sql", new DirectoryResourceAccessor(dir), new JdbcConnection(c));
            LiquibaseGuard.update(approved, new Contexts(), new LabelExpression(), GuardConfig.ofDefaults());
            assertThat(tableExists(target, "users")).isTrue();
            Report nothingLeft = LiquibaseGuard.checkUnrun(approved, new Contexts(), new LabelExpression(), GuardConfig.ofDefaults());
            assertThat(nothingLeft.findings()).isEmpty();
            assertThat(gateChecks(meters, "passed") - passed0).isEqualTo(2);
            assertThat(gateChecks(meters, "blocked") - blocked0).isEqualTo(1);
        }
        target.close();
    }

    private static double gateChecks(SimpleMeterRegistry meters, String outcome) {
        return meters.get(MigrationGuardMetrics.CHECKS).tag("gate", "liquibase").tag("outcome", outcome)
                .functionCounter().count();
    }

    private static boolean tableExists(TestDatabase db, String name) throws Exception {
        try (Connection c = db.dataSource().getConnection();
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = '" + name + "'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }
}
