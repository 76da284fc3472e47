package dev.opskit.migrationguard;

import dev.opskit.migrationguard.internal.Formats;
import java.util.List;
import java.util.Objects;

/**
 * The result of a check: findings in file and statement order, and counts. Immutable and
 * thread-safe.
 */
public final class Report {
    private final List<Finding> findings;
    private final int files;
    private final int statements;

    Report(List<Finding> findings, int files, int statements) {
        this.findings = List.copyOf(Objects.requireNonNull(findings, "findings must not be null"));
        this.files = files;
        this.statements = statements;
    }

    /**
     * The same report with each finding replaced by {@code relabel}'s result (for example a message
     * naming the Liquibase changeset); counts unchanged.
     */
    public Report withFindings(java.util.function.UnaryOperator<Finding> relabel) {
        Objects.requireNonNull(relabel, "relabel must not be null");
        return new Report(findings.stream().map(relabel).toList(), files, statements);
    }

    /** Every finding (blocking, warnings, approved ones), in order. */
    public List<Finding> findings() {
        return findings;
    }

    /** The findings that fail the check: blocking severity and not approved. */
    public List<Finding> blocking() {
        return findings.stream().filter(Finding::blocks).toList();
    }

    /** True when at least one finding blocks. */
    public boolean hasBlocking() {
        return findings.stream().anyMatch(Finding::blocks);
    }

    /** Number of migration files checked. */
    public int files() {
        return files;
    }

    /** Number of top-level statements checked. */
    public int statements() {
        return statements;
    }

    /** Renders the report; see {@link OutputFormat}. SARIF/GitHub paths are made relative to the working directory. */
    public String format(OutputFormat format) {
        Objects.requireNonNull(format, "format must not be null");
        return switch (format) {
            case TEXT -> Formats.text(this);
            case JSON -> Formats.json(this);
            case SARIF -> Formats.sarif(this);
            case GITHUB -> Formats.github(this);
        };
    }

    /**
     * Throws when a finding blocks; returns this report otherwise.
     *
     * @throws MigrationBlockedException listing the blocking findings
     */
    public Report throwIfBlocking() {
        if (hasBlocking()) {
            throw new MigrationBlockedException(this);
        }
        return this;
    }

    /** A readable multi-line list of the blocking findings (used in exception and assertion messages). */
    public String blockingSummary() {
        List<Finding> b = blocking();
        StringBuilder sb = new StringBuilder();
        sb.append(b.size()).append(b.size() == 1 ? " blocking migration finding" : " blocking migration findings")
                .append(" (approve with -- opskit:approve <rule> by=<names> reason=\"...\"):");
        for (Finding f : b) {
            sb.append("\n  ").append(f.file()).append(':').append(f.line()).append(':').append(f.column())
                    .append(" [").append(f.rule().id()).append("] ").append(f.message());
            if (!f.statement().isEmpty()) {
                sb.append("\n      ").append(Formats.oneLine(f.statement(), 160));
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "Report[files=" + files + ", statements=" + statements + ", findings=" + findings.size()
                + ", blocking=" + blocking().size() + "]";
    }
}
