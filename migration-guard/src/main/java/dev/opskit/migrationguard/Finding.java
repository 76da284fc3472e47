package dev.opskit.migrationguard;

import java.util.List;
import java.util.Objects;

/**
 * One finding: a rule that fired on a statement (or on an approval), where, and whether it was
 * approved.
 *
 * @param file        the migration file (or approvals file) as it was given to the check
 * @param line        1-based line of the statement's first token
 * @param column      1-based column of the statement's first token
 * @param rule        the rule that fired
 * @param severity    the effective severity (after configuration); never {@link Severity#OFF}
 * @param message     what is unsafe, followed by "Instead: ..." with the safe recipe
 * @param approved    true when enough distinct allowed approvers approved it
 * @param approvers   the approvers that counted (lower-case), empty if none
 * @param statement   the statement text (abbreviated past 2,000 characters), empty for file-level findings
 * @param fingerprint the fingerprint an approvals-file line must quote to approve this finding
 */
public record Finding(String file, int line, int column, Rule rule, Severity severity, String message,
        boolean approved, List<String> approvers, String statement, String fingerprint) {

    public Finding {
        Objects.requireNonNull(file, "file must not be null");
        Objects.requireNonNull(rule, "rule must not be null");
        Objects.requireNonNull(severity, "severity must not be null");
        Objects.requireNonNull(message, "message must not be null");
        approvers = List.copyOf(approvers);
        statement = statement == null ? "" : statement;
        fingerprint = fingerprint == null ? "" : fingerprint;
    }

    /** True when this finding fails the check: blocking severity and not approved. */
    public boolean blocks() {
        return severity == Severity.BLOCKING && !approved;
    }
}
