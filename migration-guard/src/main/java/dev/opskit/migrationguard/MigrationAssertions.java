package dev.opskit.migrationguard;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Assertions for tests, usable from JUnit, TestNG or plain {@code main} (no test-framework
 * dependency): they throw {@link AssertionError} with a readable list of findings.
 *
 * <pre>{@code
 * @Test void migrationsAreSafe() {
 *     MigrationAssertions.assertNoBlockingFindings(Path.of("src/main/resources/db/migration"));
 * }
 * }</pre>
 */
public final class MigrationAssertions {
    private MigrationAssertions() {
    }

    /**
     * Fails when any finding blocks (default configuration).
     *
     * @throws AssertionError listing the blocking findings with file:line:column, rule and advice
     */
    public static Report assertNoBlockingFindings(Path... paths) {
        return assertNoBlockingFindings(GuardConfig.ofDefaults(), paths);
    }

    /** As {@link #assertNoBlockingFindings(Path...)} with a configuration. */
    public static Report assertNoBlockingFindings(GuardConfig config, Path... paths) {
        Objects.requireNonNull(config, "config must not be null");
        Report report = MigrationGuard.create(config).checkPaths(Arrays.asList(paths));
        if (report.hasBlocking()) {
            throw new AssertionError(report.blockingSummary());
        }
        return report;
    }

    /**
     * Fails unless at least one unapproved finding of {@code rule} is reported: for tests that
     * prove a dangerous migration is caught.
     */
    public static Report assertFinding(Rule rule, Path... paths) {
        Objects.requireNonNull(rule, "rule must not be null");
        Report report = MigrationGuard.check(paths);
        boolean found = report.findings().stream().anyMatch(f -> f.rule() == rule && !f.approved());
        if (!found) {
            throw new AssertionError("expected an unapproved " + rule.id() + " finding, but got:\n"
                    + report.format(OutputFormat.TEXT));
        }
        return report;
    }
}
