package dev.opskit.migrationguard;

/**
 * Thrown by {@link Report#throwIfBlocking()} and the Flyway callback when a finding blocks: its
 * message lists the blocking findings, each with file, line, column, rule id and what to do instead.
 */
public class MigrationBlockedException extends MigrationGuardException {
    private static final long serialVersionUID = 1L;
    private final transient Report report;

    public MigrationBlockedException(Report report) {
        super(report.blockingSummary());
        this.report = report;
    }

    /** The full report (null after deserialisation). */
    public Report report() {
        return report;
    }
}
