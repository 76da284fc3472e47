package dev.opskit.migrationguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example migrations the README's commands use behave as the README says. */
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("examples");

    @Test
    void unsafeExamplesBlockOnDropColumnAndSetNotNullInsideADoBlock() {
        Report r = MigrationGuard.check(EXAMPLES.resolve("unsafe"));
        assertThat(r.blocking()).extracting(f -> f.rule().id()).containsExactly("drop-column", "set-not-null");
        assertThat(r.blocking().get(1).line()).isEqualTo(7);
    }

    @Test
    void approvedExamplesPassWithTheDocumentedConfigToo() {
        assertThat(MigrationGuard.check(EXAMPLES.resolve("approved")).hasBlocking()).isFalse();
        GuardConfig config = GuardConfig.load(EXAMPLES.resolve("opskit-migration-guard.properties"));
        Report r = MigrationGuard.create(config).checkPaths(List.of(EXAMPLES.resolve("approved")));
        assertThat(r.hasBlocking()).isFalse();
        assertThat(r.findings()).allMatch(Finding::approved);
    }

    @Test
    void readmeRuleTableListsEveryRule() throws Exception {
        String readme = java.nio.file.Files.readString(Path.of("README.md"));
        for (Rule rule : Rule.values()) {
            assertThat(readme).as(rule.id()).contains("| `" + rule.id() + "` |");
        }
    }
}
