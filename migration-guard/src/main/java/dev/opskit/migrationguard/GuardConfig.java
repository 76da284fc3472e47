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
 * pg-version = 16
 * exclude = legacy/**, **&#47;R__*.sql
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
    private final int pgVersion;
    private final java.util.List<String> excludes;
    private final java.util.List<java.nio.file.PathMatcher> excludeMatchers;

    private GuardConfig(Builder b) {
        this.severities = Map.copyOf(b.severities);
        this.approvers = Set.copyOf(b.approvers);
        this.assumeInTransaction = b.assumeInTransaction;
        this.requireRollbackScripts = b.requireRollbackScripts;
        this.checkUndoScripts = b.checkUndoScripts;
        this.approvalsFile = b.approvalsFile;
        this.pgVersion = b.pgVersion;
        this.excludes = java.util.List.copyOf(b.excludes);
        java.nio.file.FileSystem fs = java.nio.file.FileSystems.getDefault();
        this.excludeMatchers = this.excludes.stream().map(g -> fs.getPathMatcher("glob:" + g)).toList();
    }

    /** A builder holding this configuration, to change a setting or two (command-line flags over a file). */
    public Builder toBuilder() {
        Builder b = custom();
        b.severities.putAll(severities);
        b.approvers.addAll(approvers);
        b.assumeInTransaction = assumeInTransaction;
        b.requireRollbackScripts = requireRollbackScripts;
        b.checkUndoScripts = checkUndoScripts;
        b.approvalsFile = approvalsFile;
        b.pgVersion = pgVersion;
        b.excludes.addAll(excludes);
        return b;
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
                        case "pg-version" -> b.pgVersion(value);
                        case "exclude" -> b.exclude(java.util.Arrays.stream(value.split(",")).map(String::strip)
                                .filter(g -> !g.isEmpty()).toList());
                        default -> throw new IllegalArgumentException("unknown key (expected severity.<rule-id>, approvers,"
                                + " assume-in-transaction, require-rollback-scripts, check-undo-scripts, approvals-file,"
                                + " pg-version, exclude)");
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

    /**
     * The major PostgreSQL version the migrations run on; verdicts that depend on it follow it
     * (see the module README). 0, the default, means a current version (12 or later).
     */
    public int pgVersion() {
        return pgVersion;
    }

    /** Glob patterns of files not to check (relative to the directory checked, {@code /} separated). */
    public java.util.List<String> excludes() {
        return excludes;
    }

    /** Whether {@code relativePath} (a file below a checked directory, or a file given by name) is excluded. */
    public boolean excluded(Path relativePath) {
        for (java.nio.file.PathMatcher m : excludeMatchers) {
            if (m.matches(relativePath)) {
                return true;
            }
        }
        return false;
    }

    /** Builder; every setter validates at once and names the bad value. */
    public static final class Builder {
        private final Map<Rule, Severity> severities = new EnumMap<>(Rule.class);
        private final Set<String> approvers = new LinkedHashSet<>();
        private boolean assumeInTransaction;
        private boolean requireRollbackScripts;
        private boolean checkUndoScripts;
        private String approvalsFile = DEFAULT_APPROVALS_FILE;
        private int pgVersion;
        private final java.util.List<String> excludes = new java.util.ArrayList<>();

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

        /** The major PostgreSQL version (10 or later; 0 for a current one). */
        public Builder pgVersion(int major) {
            if (major != 0 && (major < 10 || major > 99)) {
                throw new IllegalArgumentException("pg-version must be a PostgreSQL major version from 10 on (like 16),"
                        + " or 0 for a current one, but was " + major);
            }
            this.pgVersion = major;
            return this;
        }

        /** Parses {@code 16}, {@code 16.4}, {@code 9.6} (refused: too old) as a major version. */
        public Builder pgVersion(String version) {
            Objects.requireNonNull(version, "version must not be null");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,2})(?:\\.\\d{1,2})?").matcher(version.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("pg-version must be a PostgreSQL version like 16 or 15.4, but was '" + version + "'");
            }
            return pgVersion(Integer.parseInt(m.group(1)));
        }

        /**
         * Files not to check: glob patterns ({@code *} within a name, {@code **} across directories,
         * {@code ?}, {@code {a,b}}) matched against a file's path relative to the directory checked.
         */
        public Builder exclude(Collection<String> globs) {
            Objects.requireNonNull(globs, "globs must not be null");
            java.nio.file.FileSystem fs = java.nio.file.FileSystems.getDefault();
            for (String g : globs) {
                Objects.requireNonNull(g, "exclude pattern must not be null");
                if (g.isBlank()) {
                    throw new IllegalArgumentException("exclude pattern must not be blank");
                }
                try {
                    fs.getPathMatcher("glob:" + g);
                } catch (java.util.regex.PatternSyntaxException e) {
                    throw new IllegalArgumentException("exclude pattern '" + g + "' is not a valid glob: " + e.getDescription()
                            + " at index " + e.getIndex(), e);
                }
                excludes.add(g);
            }
            return this;
        }

        public GuardConfig build() {
            return new GuardConfig(this);
        }
    }
}
