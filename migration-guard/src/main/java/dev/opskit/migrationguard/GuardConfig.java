package dev.opskit.migrationguard;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * Immutable configuration of a check. Defaults ({@link #ofDefaults()}): every rule at its default
 * severity, anyone may approve, migrations are not assumed to run inside a transaction, no rollback
 * scripts required, undo scripts ({@code U<version>__*.sql}) skipped, approvals read from
 * {@value #DEFAULT_APPROVALS_FILE} beside the migrations.
 *
 * <p>File form ({@link #load(Path)}), Java properties syntax:
 * <pre>
 * severity.prefer-text = off
 * severity.drop-not-null = blocking
 * approvers = alice, bob, carol
 * assume-in-transaction = true
 * require-rollback-scripts = false
 * check-undo-scripts = false
 * approvals-file = opskit-approvals.txt
 * </pre>
 */
public final class GuardConfig {
    /** Default name of the approvals file looked up in each migrations directory. */
    public static final String DEFAULT_APPROVALS_FILE = "opskit-approvals.txt";

    private final Map<Rule, Severity> severities;
    private final Set<String> approvers;
    private final boolean assumeInTransaction;
    private final boolean requireRollbackScripts;
    private final boolean checkUndoScripts;
    private final String approvalsFile;

    private GuardConfig(Builder b) {
        this.severities = Map.copyOf(b.severities);
        this.approvers = Set.copyOf(b.approvers);
        this.assumeInTransaction = b.assumeInTransaction;
        this.requireRollbackScripts = b.requireRollbackScripts;
        this.checkUndoScripts = b.checkUndoScripts;
        this.approvalsFile = b.approvalsFile;
    }

    /** The defaults described above. */
    public static GuardConfig ofDefaults() {
        return custom().build();
    }

    public static Builder custom() {
        return new Builder();
    }

    /**
     * Reads a configuration file (properties syntax, UTF-8; keys listed in the class comment).
     *
     * @throws MigrationGuardException if the file cannot be read, or names an unknown key, rule,
     *                                 severity or a bad boolean (the message names file, key and value)
     */
    public static GuardConfig load(Path file) {
        Objects.requireNonNull(file, "file must not be null");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new MigrationGuardException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Builder b = custom();
        for (String key : p.stringPropertyNames()) {
            String value = p.getProperty(key).strip();
            try {
                if (key.startsWith("severity.")) {
                    b.severity(key.substring("severity.".length()), Severity.parse(value));
                } else {
                    switch (key) {
                        case "approvers" -> b.allowedApprovers(java.util.Arrays.asList(value.split(",")));
                        case "assume-in-transaction" -> b.assumeInTransaction(bool(value));
                        case "require-rollback-scripts" -> b.requireRollbackScripts(bool(value));
                        case "check-undo-scripts" -> b.checkUndoScripts(bool(value));
                        case "approvals-file" -> b.approvalsFile(value);
                        default -> throw new IllegalArgumentException("unknown key (expected severity.<rule-id>, approvers,"
                                + " assume-in-transaction, require-rollback-scripts, check-undo-scripts, approvals-file)");
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new MigrationGuardException("config file " + file + ", key '" + key + "': " + e.getMessage(), e);
            }
        }
        return b.build();
    }

    private static boolean bool(String v) {
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("must be true or false, but was '" + v + "'");
    }

    /** The effective severity of a rule. */
    public Severity severity(Rule rule) {
        return severities.getOrDefault(rule, rule.defaultSeverity());
    }

    /** People allowed to approve (lower-case); empty means anyone. */
    public Set<String> allowedApprovers() {
        return approvers;
    }

    /** Whether each migration file runs inside one transaction opened by the runner (Flyway's default). */
    public boolean assumeInTransaction() {
        return assumeInTransaction;
    }

    /** Whether every versioned migration needs a rollback script beside it ({@code rollback-script-missing}). */
    public boolean requireRollbackScripts() {
        return requireRollbackScripts;
    }

    /** Whether undo scripts ({@code U<version>__*.sql}) are checked too; they are skipped by default. */
    public boolean checkUndoScripts() {
        return checkUndoScripts;
    }

    /** Name of the approvals file in each migrations directory. */
    public String approvalsFile() {
        return approvalsFile;
    }

    /** Builder; every setter validates at once and names the bad value. */
    public static final class Builder {
        private final Map<Rule, Severity> severities = new EnumMap<>(Rule.class);
        private final Set<String> approvers = new LinkedHashSet<>();
        private boolean assumeInTransaction;
        private boolean requireRollbackScripts;
        private boolean checkUndoScripts;
        private String approvalsFile = DEFAULT_APPROVALS_FILE;

        private Builder() {
        }

        public Builder severity(Rule rule, Severity severity) {
            Objects.requireNonNull(rule, "rule must not be null");
            Objects.requireNonNull(severity, "severity must not be null");
            if (rule.category() == Rule.Category.APPROVAL && severity == Severity.OFF) {
                throw new IllegalArgumentException("approval findings cannot be turned off, but " + rule.id() + " was set to off");
            }
            severities.put(rule, severity);
            return this;
        }

        /** @throws IllegalArgumentException if no rule has this id */
        public Builder severity(String ruleId, Severity severity) {
            Objects.requireNonNull(ruleId, "ruleId must not be null");
            Rule rule = Rule.byId(ruleId.strip()).orElseThrow(() ->
                    new IllegalArgumentException("unknown rule id '" + ruleId + "'"));
            return severity(rule, severity);
        }

        /** Only these people's approvals count (case-insensitive). Empty (the default) means anyone. */
        public Builder allowedApprovers(Collection<String> names) {
            Objects.requireNonNull(names, "names must not be null");
            approvers.clear();
            for (String n : names) {
                Objects.requireNonNull(n, "approver name must not be null");
                String s = n.strip().toLowerCase(Locale.ROOT);
                if (!s.isEmpty()) {
                    if (!s.matches("[\\p{L}\\p{N}._@+-]+")) {
                        throw new IllegalArgumentException("approver name may hold letters, digits and ._@+- only, but was '" + n + "'");
                    }
                    approvers.add(s);
                }
            }
            return this;
        }

        public Builder assumeInTransaction(boolean value) {
            this.assumeInTransaction = value;
            return this;
        }

        public Builder requireRollbackScripts(boolean value) {
            this.requireRollbackScripts = value;
            return this;
        }

        public Builder checkUndoScripts(boolean value) {
            this.checkUndoScripts = value;
            return this;
        }

        public Builder approvalsFile(String fileName) {
            Objects.requireNonNull(fileName, "fileName must not be null");
            if (fileName.isBlank() || fileName.contains("/") || fileName.contains("\\")) {
                throw new IllegalArgumentException("approvalsFile must be a plain file name, but was '" + fileName + "'");
            }
            this.approvalsFile = fileName;
            return this;
        }

        public GuardConfig build() {
            return new GuardConfig(this);
        }
    }
}
