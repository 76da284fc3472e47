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
}
