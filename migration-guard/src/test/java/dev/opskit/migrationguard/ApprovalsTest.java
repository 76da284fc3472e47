package dev.opskit.migrationguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApprovalsTest {
    private static final String DROP = "SET lock_timeout = '2s';\nSET statement_timeout = '1min';\nALTER TABLE users DROP COLUMN legacy;\n";

    @TempDir
    Path dir;

    private static List<Finding> of(Report r, Rule rule) {
        return r.findings().stream().filter(f -> f.rule() == rule).toList();
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static String fingerprintOfDrop() {
        return of(MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("V1__x.sql", DROP), Rule.DROP_COLUMN)
                .get(0).fingerprint();
    }

    @Test
    void inlineApprovalByTwoPeopleApprovesADestructiveStatement() {
        Report r = MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("V2__drop.sql",
                "SET lock_timeout = '2s';\nSET statement_timeout = '1min';\n"
                        + "-- opskit:approve drop-column by=alice,bob reason=\"column unused since v1.4, ticket OPS-12\"\n"
                        + "ALTER TABLE users DROP COLUMN legacy;\n");
        assertThat(r.hasBlocking()).isFalse();
        Finding f = of(r, Rule.DROP_COLUMN).get(0);
        assertThat(f.approved()).isTrue();
        assertThat(f.approvers()).containsExactly("alice", "bob");
    }

    @Test
    void oneApproverIsNotEnoughForADestructiveRuleButEnoughForALockingOne() {
        Report r = MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("V2__x.sql", """
                SET lock_timeout = '2s';
                SET statement_timeout = '1min';
                -- opskit:approve drop-column by=alice reason="unused"
                ALTER TABLE users DROP COLUMN legacy;
                -- opskit:approve set-not-null by=alice reason="table has 40 rows"
                ALTER TABLE users ALTER COLUMN email SET NOT NULL;
                """);
        assertThat(of(r, Rule.DROP_COLUMN).get(0).approved()).isFalse();
        assertThat(of(r, Rule.SET_NOT_NULL).get(0).approved()).isTrue();
        assertThat(of(r, Rule.APPROVAL_INSUFFICIENT)).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("needs 2 distinct approvers", "has 1 (alice)"));
        assertThat(r.blocking()).extracting(Finding::rule).containsExactlyInAnyOrder(Rule.DROP_COLUMN, Rule.APPROVAL_INSUFFICIENT);
    }

    @Test
    void approvalMustBeDirectlyAboveTheStatement() {
        Report r = MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("V2__x.sql", """
                SET lock_timeout = '2s';
                SET statement_timeout = '1min';
                -- opskit:approve drop-column by=alice,bob reason="meant for the next statement"
                SELECT 1;
                ALTER TABLE users DROP COLUMN legacy;
                """);
        assertThat(of(r, Rule.DROP_COLUMN).get(0).approved()).isFalse();
        assertThat(of(r, Rule.APPROVAL_UNUSED)).singleElement().satisfies(f -> assertThat(f.line()).isEqualTo(3));
    }

    @Test
    void approvalsFileBindsToTheFingerprintAndAnEditVoidsIt() throws IOException {
        String fp = fingerprintOfDrop();
        write("opskit-approvals.txt", "# approvals\ndrop-column " + fp + " by=alice,bob reason=\"unused since v1.4, OPS-12\"\n");
        write("V2__drop.sql", DROP.replace("ALTER TABLE users", "alter  table USERS /* reformatted */"));
        Report approved = MigrationGuard.check(dir);
        assertThat(of(approved, Rule.DROP_COLUMN).get(0).approved()).isTrue();
        assertThat(approved.hasBlocking()).isFalse();

        write("V2__drop.sql", DROP.replace("legacy", "legacy_v2"));
        Report edited = MigrationGuard.check(dir);
        assertThat(of(edited, Rule.DROP_COLUMN).get(0).approved()).isFalse();
        assertThat(of(edited, Rule.APPROVAL_UNUSED)).singleElement().satisfies(f -> {
            assertThat(f.file()).endsWith("opskit-approvals.txt");
            assertThat(f.line()).isEqualTo(2);
        });
        assertThat(edited.hasBlocking()).isTrue();
    }

    @Test
    void unusedFileApprovalsAreOnlyReportedWhenTheWholeDirectoryWasChecked() throws IOException {
        write("opskit-approvals.txt", "truncate 0123456789abcdef by=alice,bob reason=\"old\"\n");
        Path file = write("V1__ok.sql", "SELECT 1;\n");
        assertThat(of(MigrationGuard.check(file), Rule.APPROVAL_UNUSED)).isEmpty();
        assertThat(of(MigrationGuard.check(dir), Rule.APPROVAL_UNUSED)).hasSize(1);
    }

    @Test
    void approversNotOnTheAllowListDoNotCount() {
        GuardConfig config = GuardConfig.custom().allowedApprovers(List.of("alice", "Bob")).build();
        Report r = MigrationGuard.create(config).checkSql("V2__x.sql",
                "SET lock_timeout = '2s';\nSET statement_timeout = '1min';\n"
                        + "-- opskit:approve drop-column by=alice,mallory reason=\"x\"\nALTER TABLE users DROP COLUMN legacy;\n"
                        + "-- opskit:approve drop-table by=ALICE,bob reason=\"x\"\nDROP TABLE old;\n");
        assertThat(of(r, Rule.DROP_COLUMN).get(0).approved()).isFalse();
        assertThat(of(r, Rule.APPROVAL_INSUFFICIENT).get(0).message()).contains("not on the approvers list: mallory");
        assertThat(of(r, Rule.DROP_TABLE).get(0).approved()).isTrue();
    }

    @Test
    void malformedAndUnknownApprovalsAreFindings() {
        Report r = MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("V2__x.sql", """
                -- opskit:approve drop-colum by=alice,bob reason="typo"
                -- opskit:approve drop-table reason="nobody signed"
                /* opskit:approve drop-table by=a,b reason="unterminated */
                DROP TABLE old;
                """);
        assertThat(of(r, Rule.APPROVAL_UNKNOWN_RULE)).singleElement().satisfies(f -> {
            assertThat(f.line()).isEqualTo(1);
            assertThat(f.message()).contains("drop-colum");
        });
        assertThat(of(r, Rule.APPROVAL_INSUFFICIENT)).extracting(Finding::line).containsExactly(2, 3);
        assertThat(of(r, Rule.DROP_TABLE).get(0).approved()).isFalse();
    }

    @Test
    void approvalAboveADoBlockCoversStatementsInsideIt() {
        Report r = MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("V2__x.sql", """
                SET lock_timeout = '2s';
                SET statement_timeout = '1min';
                -- opskit:approve drop-column by=alice,bob reason="cleanup"
                DO $$ BEGIN ALTER TABLE users DROP COLUMN legacy; END $$;
                """);
        assertThat(of(r, Rule.DROP_COLUMN).get(0).approved()).isTrue();
        assertThat(r.hasBlocking()).isFalse();
    }

    @Test
    void severitiesAreConfigurableAndOffRemovesTheFinding() {
        GuardConfig config = GuardConfig.custom().severity("drop-column", Severity.WARNING)
                .severity(Rule.REQUIRE_LOCK_TIMEOUT, Severity.OFF).severity(Rule.PREFER_TEXT, Severity.BLOCKING).build();
        Report r = MigrationGuard.create(config).checkSql("x.sql", "ALTER TABLE users DROP COLUMN legacy;");
        assertThat(r.findings()).extracting(Finding::rule).containsExactly(Rule.REQUIRE_STATEMENT_TIMEOUT, Rule.DROP_COLUMN);
        assertThat(r.hasBlocking()).isFalse();
    }

    @Test
    void anApprovalTrailingThePreviousStatementDoesNotApproveTheNextOne() {
        Report r = MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("V2__x.sql", """
                SET lock_timeout = '2s';
                SET statement_timeout = '1min';
                DROP TABLE sessions; -- opskit:approve drop-table by=alice,bob reason="meant for sessions"
                DROP TABLE users;
                """);
        assertThat(of(r, Rule.DROP_TABLE)).extracting(Finding::line, Finding::approved)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(3, false), org.assertj.core.groups.Tuple.tuple(4, false));
        assertThat(of(r, Rule.APPROVAL_UNUSED)).singleElement().satisfies(f -> assertThat(f.line()).isEqualTo(3));
    }

    @Test
    void anApprovalDirectlyAboveAStatementInsideADoBlockCounts() {
        Report r = MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("V2__x.sql", """
                SET lock_timeout = '2s';
                SET statement_timeout = '1min';
                DO $$
                BEGIN
                  -- opskit:approve drop-column by=alice,bob reason="unused since v1.4"
                  ALTER TABLE users DROP COLUMN legacy;
                  IF true THEN
                    /* opskit:approve truncate by=alice,bob reason="staging copy" */
                    TRUNCATE staging_users;
                  END IF;
                  DELETE FROM audit;
                END $$;
                """);
        assertThat(of(r, Rule.DROP_COLUMN)).singleElement().satisfies(f -> assertThat(f.approved()).isTrue());
        assertThat(of(r, Rule.TRUNCATE)).singleElement().satisfies(f -> assertThat(f.approved()).isTrue());
        assertThat(of(r, Rule.DELETE_WITHOUT_WHERE)).singleElement().satisfies(f -> assertThat(f.approved()).isFalse());
        assertThat(of(r, Rule.APPROVAL_UNUSED)).isEmpty();
    }

    @Test
    void aFileApprovalAtTheTopCoversItsRulesInTheWholeFileWithTheSameTwoPersonRule() {
        String body = """
                SET lock_timeout = '2s';
                SET statement_timeout = '1min';
                ALTER TABLE users DROP COLUMN legacy;
                ALTER TABLE users DROP COLUMN old_email;
                ALTER TABLE users ALTER COLUMN email SET NOT NULL;
                """;
        Report two = MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("V7__cleanup.sql",
                "-- opskit:approve-file drop-column by=alice,bob reason=\"columns retired in OPS-40\"\n" + body);
        assertThat(of(two, Rule.DROP_COLUMN)).hasSize(2).allSatisfy(f -> {
            assertThat(f.approved()).isTrue();
            assertThat(f.approvers()).containsExactly("alice", "bob");
        });
        assertThat(of(two, Rule.SET_NOT_NULL)).singleElement().satisfies(f -> assertThat(f.approved()).isFalse());
        assertThat(of(two, Rule.APPROVAL_UNUSED)).isEmpty();

        Report one = MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("V7__cleanup.sql",
                "/* opskit:approve-file drop-column by=alice reason=\"retired\" */\n" + body);
        assertThat(of(one, Rule.DROP_COLUMN)).allSatisfy(f -> assertThat(f.approved()).isFalse());
        assertThat(of(one, Rule.APPROVAL_INSUFFICIENT)).isNotEmpty();

        Report unused = MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("V8__x.sql",
                "-- opskit:approve-file drop-table by=alice,bob reason=\"old\"\nSELECT 1;\n");
        assertThat(of(unused, Rule.APPROVAL_UNUSED)).singleElement()
                .satisfies(f -> assertThat(f.line()).isEqualTo(1));
    }

    @Test
    void aFileApprovalBetweenStatementsIsMalformedAndApprovesNothing() {
        Report r = MigrationGuard.create(GuardConfig.ofDefaults()).checkSql("V9__x.sql", """
                SET lock_timeout = '2s';
                SET statement_timeout = '1min';
                -- opskit:approve-file drop-column by=alice,bob reason="slipped in late"
                ALTER TABLE users DROP COLUMN legacy;
                """);
        assertThat(of(r, Rule.DROP_COLUMN)).singleElement().satisfies(f -> assertThat(f.approved()).isFalse());
        assertThat(of(r, Rule.APPROVAL_INSUFFICIENT)).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("must stand before the first statement"));
    }
}
