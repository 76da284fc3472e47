package dev.opskit.migrationguard.cli;

import dev.opskit.core.cli.Command;
import dev.opskit.migrationguard.GuardConfig;
import dev.opskit.migrationguard.MigrationGuard;
import dev.opskit.migrationguard.MigrationGuardException;
import dev.opskit.migrationguard.MigrationScript;
import dev.opskit.migrationguard.OutputFormat;
import dev.opskit.migrationguard.Report;
import dev.opskit.migrationguard.Rule;

import dev.opskit.migrationguard.internal.Formats;
import dev.opskit.migrationguard.internal.Lexer;
import dev.opskit.migrationguard.internal.Splitter;
import dev.opskit.migrationguard.internal.Statement;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code opskit migrations}, the command line ({@code java -jar opskit.jar migrations ...}):
 * <pre>
 * check [--format F] [--config FILE] [--pg-version N] [--exclude GLOB]... PATH...   exit 0: nothing blocks, 1: a finding blocks, 2: usage or I/O error
 * fingerprint FILE                                                  approval lines for the approvals file
 * rules                                                             the rule table
 * </pre>
 */
public final class MigrationGuardCli implements Command {
    static final int BLOCKED = FAILED;
    static final int ERROR = USAGE;

    private static final String USAGE_TEXT = """
            usage: opskit migrations <command> ...
              check [--format text|json|sarif|github] [--config FILE] [--pg-version N] [--exclude GLOB]... PATH...
                  check migration files or directories (Flyway order); exit 0 nothing blocks, 1 a finding blocks, 2 usage or I/O error
              fingerprint FILE
                  print the statements of FILE with their fingerprints and approval lines for opskit-approvals.txt
              rules
                  list every rule: id, severity, approvals needed, what to do instead
            """;

    /** Used by {@link java.util.ServiceLoader}. */
    public MigrationGuardCli() {
    }

    @Override
    public String name() {
        return "migrations";
    }

    @Override
    public String summary() {
        return "check|fingerprint|rules: block destructive schema migrations unless approved (CI gate)";
    }

    @Override
    public int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        return run(args.toArray(String[]::new), out, err);
    }

    /** Runs a command; returns the exit code. Never throws. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length == 0) {
                err.print(USAGE_TEXT);
                return ERROR;
            }
            return switch (args[0]) {
                case "check" -> check(args, out, err);
                case "fingerprint" -> fingerprint(args, out, err);
                case "rules" -> rules(out);
                case "help", "--help", "-h" -> {
                    out.print(USAGE_TEXT);
                    yield OK;
                }
                default -> usage(err, "unknown command '" + args[0] + "'");
            };
        } catch (MigrationGuardException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return ERROR;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            err.println("error: internal failure: " + e);
            return ERROR;
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("error: " + problem);
        err.print(USAGE_TEXT);
        return ERROR;
    }

    private static int check(String[] args, PrintStream out, PrintStream err) {
        OutputFormat format = OutputFormat.TEXT;
        GuardConfig config = GuardConfig.ofDefaults();
        List<Path> paths = new ArrayList<>();
        String pgVersion = null;
        List<String> excludes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            String opt = a.startsWith("--") && eq > 0 ? a.substring(0, eq) : a;
            if (opt.equals("--pg-version") || opt.equals("--exclude")) {
                String v;
                if (eq > 0 && a.startsWith("--")) {
                    v = a.substring(eq + 1);
                } else if (i + 1 < args.length) {
                    v = args[++i];
                } else {
                    return usage(err, a + " needs a value");
                }
                if (opt.equals("--pg-version")) {
                    pgVersion = v;
                } else {
                    excludes.add(v);
                }
            } else if (a.equals("--format") || a.equals("--config")) {
                if (i + 1 >= args.length) {
                    return usage(err, a + " needs a value");
                }
                String v = args[++i];
                if (a.equals("--format")) {
                    format = OutputFormat.parse(v);
                } else {
                    config = GuardConfig.load(Path.of(v));
                }
            } else if (a.startsWith("--format=")) {
                format = OutputFormat.parse(a.substring("--format=".length()));
            } else if (a.startsWith("--config=")) {
                config = GuardConfig.load(Path.of(a.substring("--config=".length())));
            } else if (a.startsWith("--")) {
                return usage(err, "unknown option '" + a + "'");
            } else {
                paths.add(Path.of(a));
            }
        }
        if (paths.isEmpty()) {
            return usage(err, "check needs at least one PATH");
        }
        if (pgVersion != null || !excludes.isEmpty()) {
            GuardConfig.Builder b = config.toBuilder();
            try {
                if (pgVersion != null) {
                    b.pgVersion(pgVersion);
                }
                b.exclude(excludes);
            } catch (IllegalArgumentException e) {
                return usage(err, e.getMessage());
            }
            config = b.build();
        }
        for (Path p : paths) {
            if (!Files.exists(p)) {
                err.println("error: no such file or directory: " + p);
                return ERROR;
            }
        }
        Report report = MigrationGuard.create(config).checkPaths(paths);
        if (report.files() == 0) {
            err.println("warning: no .sql migration files found under " + paths + " (is the path right?)");
        }
        out.print(report.format(format));
        if (format != OutputFormat.TEXT && format != OutputFormat.GITHUB) {
            err.println(Formats.summaryLine(report));
        }
        return report.hasBlocking() ? BLOCKED : OK;
    }

    private static int fingerprint(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 2) {
            return usage(err, "fingerprint needs exactly one FILE");
        }
        Path file = Path.of(args[1]);
        if (!Files.isRegularFile(file)) {
            err.println("error: no such file: " + file);
            return ERROR;
        }
        String text;
        try {
            text = dev.opskit.migrationguard.internal.Engine.withoutBom(Files.readString(file, StandardCharsets.UTF_8));
        } catch (java.io.IOException | RuntimeException e) {
            err.println("error: cannot read " + file + ": " + e.getMessage());
            return ERROR;
        }
        out.println("# statements of " + file + " (line:column fingerprint statement)");
        for (Statement st : Splitter.split(text, Lexer.lex(text))) {
            out.println("# " + st.line() + ":" + st.column() + " " + st.fingerprint() + " " + Formats.oneLine(st.text(), 100));
        }
        Report report = MigrationGuard.create(GuardConfig.ofDefaults())
                .checkScripts(List.of(new MigrationScript(file.toString(), text)), null);
        List<String> lines = Formats.approvalTemplates(report);
        out.println("# approval lines for " + GuardConfig.DEFAULT_APPROVALS_FILE
                + " (fill in by= and reason=; destructive rules need two people):");
        lines.forEach(out::println);
        return OK;
    }

    private static int rules(PrintStream out) {
        out.printf("%-44s %-9s %-9s %s%n", "RULE", "SEVERITY", "APPROVALS", "WHAT TO DO INSTEAD");
        for (Rule r : Rule.values()) {
            out.printf("%-44s %-9s %-9s %s%n", r.id(), r.defaultSeverity().id(),
                    r.approvalsNeeded() == 0 ? "-" : String.valueOf(r.approvalsNeeded()), r.advice());
        }
        return OK;
    }
}
