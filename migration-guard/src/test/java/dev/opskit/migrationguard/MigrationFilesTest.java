package dev.opskit.migrationguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationFilesTest {
    @TempDir
    Path dir;

    private void write(String name, String sql) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, sql);
    }

    @Test
    void flywayOrderIsByNumericVersionThenRepeatablesThenOtherFiles() throws IOException {
        write("V10__ten.sql", "CREATE TABLE t10 (id bigint PRIMARY KEY); DROP TABLE t2;");
        write("V2__two.sql", "CREATE TABLE t2 (id bigint PRIMARY KEY);");
        write("V1_1__one_one.sql", "SELECT 1;");
        write("sub/V1_5__nested.sql", "SELECT 1;");
        write("R__views.sql", "SELECT 1;");
        write("adhoc.sql", "SELECT 1;");
        write("U2__undo_two.sql", "DROP TABLE t2;");
        write("V3__three.down.sql", "DROP TABLE t3;");
        write("rollback/V2__two.sql", "DROP TABLE t2;");
        write("notes.txt", "DROP TABLE x;");
        Report r = MigrationGuard.check(dir);
        assertThat(r.files()).isEqualTo(6);
        // each file is its own migration: the table V2 created is not "new" in V10
        assertThat(r.findings()).extracting(f -> dir.relativize(Path.of(f.file())).toString() + ":" + f.rule().id())
                .contains("V10__ten.sql:drop-table");
        String text = r.format(OutputFormat.TEXT);
        assertThat(text).doesNotContain("U2__undo_two").doesNotContain("down.sql").doesNotContain("rollback");
    }

    @Test
    void undoScriptsAreCheckedWhenConfigured() throws IOException {
        write("U2__undo_two.sql", "DROP TABLE t2;");
        Report r = MigrationGuard.create(GuardConfig.custom().checkUndoScripts(true).build()).checkPaths(List.of(dir));
        assertThat(r.findings()).extracting(f -> f.rule().id()).contains("drop-table");
    }

    @Test
    void rollbackScriptCheckIsOffByDefaultAndFindsMissingOnes() throws IOException {
        write("V1__one.sql", "SELECT 1;");
        write("U1__one.sql", "SELECT 1;");
        write("V2__two.sql", "SELECT 1;");
        write("V2__two.down.sql", "SELECT 1;");
        write("V3__three.sql", "SELECT 1;");
        write("rollback/V3__three.sql", "SELECT 1;");
        write("V4__four.sql", "SELECT 1;");
        assertThat(MigrationGuard.check(dir).findings()).isEmpty();
        Report r = MigrationGuard.create(GuardConfig.custom().requireRollbackScripts(true).build()).checkPaths(List.of(dir));
        assertThat(r.findings()).singleElement().satisfies(f -> {
            assertThat(f.rule()).isEqualTo(Rule.ROLLBACK_SCRIPT_MISSING);
            assertThat(f.file()).endsWith("V4__four.sql");
            assertThat(f.blocks()).isTrue();
        });
    }

    @Test
    void aMissingPathIsAClearError() {
        assertThatThrownBy(() -> MigrationGuard.check(dir.resolve("nope")))
                .isInstanceOf(MigrationGuardException.class).hasMessageContaining("no such file or directory").hasMessageContaining("nope");
    }

    @Test
    void assertionsFailWithAReadableListAndPassOtherwise() throws IOException {
        write("V1__ok.sql", "CREATE TABLE t (id bigint PRIMARY KEY);");
        assertThat(MigrationAssertions.assertNoBlockingFindings(dir).findings()).isEmpty();
        write("V2__bad.sql", "SELECT 1;\nALTER TABLE users DROP COLUMN legacy;");
        assertThatThrownBy(() -> MigrationAssertions.assertNoBlockingFindings(dir))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("blocking migration findings")
                .hasMessageContaining("V2__bad.sql:2:1 [drop-column] Dropping column users.legacy")
                .hasMessageContaining("ALTER TABLE users DROP COLUMN legacy");
        MigrationAssertions.assertFinding(Rule.DROP_COLUMN, dir);
        assertThatThrownBy(() -> MigrationGuard.check(dir).throwIfBlocking())
                .isInstanceOf(MigrationBlockedException.class).hasMessageContaining("[drop-column]");
    }

    @Test
    void aNotNullCheckValidatedInAnEarlierFileLetsALaterFileSetNotNullWithoutAFinding() throws IOException {
        String timeouts = "SET lock_timeout = '1s'; SET statement_timeout = '1min';\n";
        write("V9__check.sql", timeouts + "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;");
        write("V10__validate.sql", timeouts + "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;");
        write("V11__set_not_null.sql", timeouts + "ALTER TABLE users ALTER COLUMN email SET NOT NULL;");
        assertThat(MigrationGuard.check(dir).findings()).extracting(f -> f.rule().id()).doesNotContain("set-not-null");

        // Validated only after the SET NOT NULL (in version order, V12 after V11): the scan happens.
        Files.delete(dir.resolve("V10__validate.sql"));
        write("V12__validate.sql", timeouts + "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;");
        assertThat(MigrationGuard.check(dir).findings()).extracting(f -> Path.of(f.file()).getFileName() + ":" + f.rule().id())
                .contains("V11__set_not_null.sql:set-not-null");
    }

    @Test
    void excludedFilesAreNotChecked() throws IOException {
        write("V1__drop.sql", "DROP TABLE a;");
        write("legacy/V0_1__old.sql", "DROP TABLE b;");
        write("R__views.sql", "DROP TABLE c;");
        GuardConfig config = GuardConfig.custom().exclude(List.of("legacy/**", "R__*.sql")).build();
        Report r = MigrationGuard.create(config).checkPaths(List.of(dir));
        assertThat(r.files()).isEqualTo(1);
        assertThat(r.findings()).extracting(f -> Path.of(f.file()).getFileName().toString()).containsOnly("V1__drop.sql");
    }
}
