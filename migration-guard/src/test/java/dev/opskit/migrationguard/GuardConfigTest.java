package dev.opskit.migrationguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuardConfigTest {
    @TempDir
    Path dir;

    @Test
    void loadsEveryKeyFromAPropertiesFile() throws IOException {
        Path f = dir.resolve("guard.properties");
        Files.writeString(f, """
                # project policy
                severity.prefer-text = off
                severity.drop-not-null = blocking
                approvers = alice, Bob
                assume-in-transaction = true
                require-rollback-scripts = true
                check-undo-scripts = true
                approvals-file = approvals.txt
                """);
        GuardConfig c = GuardConfig.load(f);
        assertThat(c.severity(Rule.PREFER_TEXT)).isEqualTo(Severity.OFF);
        assertThat(c.severity(Rule.DROP_NOT_NULL)).isEqualTo(Severity.BLOCKING);
        assertThat(c.severity(Rule.DROP_TABLE)).isEqualTo(Severity.BLOCKING);
        assertThat(c.allowedApprovers()).containsExactlyInAnyOrder("alice", "bob");
        assertThat(c.assumeInTransaction()).isTrue();
        assertThat(c.requireRollbackScripts()).isTrue();
        assertThat(c.checkUndoScripts()).isTrue();
        assertThat(c.approvalsFile()).isEqualTo("approvals.txt");
    }

    @Test
    void badValuesAreRejectedNamingFileKeyAndValue() throws IOException {
        Path f = dir.resolve("bad.properties");
        Files.writeString(f, "severity.drop-colum = off\n");
        assertThatThrownBy(() -> GuardConfig.load(f)).isInstanceOf(MigrationGuardException.class)
                .hasMessageContaining("bad.properties").hasMessageContaining("severity.drop-colum")
                .hasMessageContaining("unknown rule id 'drop-colum'");
        Files.writeString(f, "severity.drop-column = loud\n");
        assertThatThrownBy(() -> GuardConfig.load(f)).hasMessageContaining("but was 'loud'");
        Files.writeString(f, "assume-in-transaction = yes\n");
        assertThatThrownBy(() -> GuardConfig.load(f)).hasMessageContaining("must be true or false, but was 'yes'");
        Files.writeString(f, "colour = blue\n");
        assertThatThrownBy(() -> GuardConfig.load(f)).hasMessageContaining("'colour'").hasMessageContaining("unknown key");
        assertThatThrownBy(() -> GuardConfig.load(dir.resolve("missing.properties")))
                .isInstanceOf(MigrationGuardException.class).hasMessageContaining("missing.properties");
    }

    @Test
    void builderValidatesAtOnce() {
        assertThatThrownBy(() -> GuardConfig.custom().approvalsFile("../x")).hasMessageContaining("but was '../x'");
        assertThatThrownBy(() -> GuardConfig.custom().allowedApprovers(List.of("a b")))
                .hasMessageContaining("but was 'a b'");
        assertThatThrownBy(() -> GuardConfig.custom().severity(Rule.APPROVAL_UNUSED, Severity.OFF))
                .hasMessageContaining("approval-unused");
    }

    @Test
    void pgVersionAndExcludesAreReadAndBadValuesNamed() throws IOException {
        Path f = dir.resolve("guard.properties");
        Files.writeString(f, "pg-version = 15.4\nexclude = legacy/**, **/R__*.sql\n");
        GuardConfig c = GuardConfig.load(f);
        assertThat(c.pgVersion()).isEqualTo(15);
        assertThat(c.excludes()).containsExactly("legacy/**", "**/R__*.sql");
        assertThat(c.excluded(Path.of("legacy/V1__a.sql"))).isTrue();
        assertThat(c.excluded(Path.of("sub/R__views.sql"))).isTrue();
        assertThat(c.excluded(Path.of("V1__a.sql"))).isFalse();
        assertThat(GuardConfig.ofDefaults().pgVersion()).isZero();

        for (String[] bad : new String[][] {
                {"pg-version = 9.6", "pg-version must be a PostgreSQL major version from 10 on (like 16), or 0 for a current one, but was 9"},
                {"pg-version = sixteen", "pg-version must be a PostgreSQL version like 16 or 15.4, but was 'sixteen'"},
                {"exclude = legacy/[", "exclude pattern 'legacy/[' is not a valid glob"},
                {"pg_version = 16", "key 'pg_version': unknown key (expected severity.<rule-id>, approvers,"}}) {
            Files.writeString(f, bad[0] + "\n");
            assertThatThrownBy(() -> GuardConfig.load(f)).isInstanceOf(MigrationGuardException.class)
                    .hasMessageContaining(bad[1]).hasMessageContaining(f.toString());
        }
        assertThat(c.toBuilder().pgVersion(0).build().excludes()).containsExactly("legacy/**", "**/R__*.sql");
    }

    @Test
    void pgVersionChangesTheVerdictsThatDependOnIt() {
        String setNotNull = """
                SET lock_timeout = '2s'; SET statement_timeout = '1min';
                ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;
                ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;
                ALTER TABLE users ALTER COLUMN email SET NOT NULL;
                """;
        String constantDefault = """
                SET lock_timeout = '2s'; SET statement_timeout = '1min';
                ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true, ADD COLUMN note text DEFAULT NULL;
                """;
        java.util.function.BiFunction<Integer, String, List<Rule>> rules = (v, sql) ->
                MigrationGuard.create(GuardConfig.custom().pgVersion(v).build()).checkSql("V1__x.sql", sql)
                        .findings().stream().map(Finding::rule).toList();
        assertThat(rules.apply(0, setNotNull)).doesNotContain(Rule.SET_NOT_NULL);
        assertThat(rules.apply(12, setNotNull)).doesNotContain(Rule.SET_NOT_NULL);
        assertThat(rules.apply(11, setNotNull)).contains(Rule.SET_NOT_NULL);
        assertThat(rules.apply(0, constantDefault)).doesNotContain(Rule.ADD_COLUMN_VOLATILE_DEFAULT);
        assertThat(rules.apply(11, constantDefault)).doesNotContain(Rule.ADD_COLUMN_VOLATILE_DEFAULT);
        assertThat(rules.apply(10, constantDefault)).containsOnlyOnce(Rule.ADD_COLUMN_VOLATILE_DEFAULT);
        assertThat(rules.apply(10, "SET lock_timeout = '2s'; SET statement_timeout = '1min';\n"
                + "ALTER TABLE users ADD COLUMN note text DEFAULT NULL;")).doesNotContain(Rule.ADD_COLUMN_VOLATILE_DEFAULT);
    }
}
