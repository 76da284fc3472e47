package dev.opskit.migrationguard.cli;

import dev.opskit.core.cli.Command;
import dev.opskit.migrationguard.GuardConfig;
import dev.opskit.migrationguard.MigrationGuard;
import dev.opskit.migrationguard.MigrationGuardException;
import dev.opskit.migrationguard.MigrationScript;
import dev.opskit.migrationguard.MigrationTrace;
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
import org.jspecify.annotations.Nullable;

/**
 * {@code opskit migrations}, the command line ({@code java -jar opskit.jar migrations ...}):
 * <pre>
 * check [--format F] [--config FILE] [--pg-version N] [--exclude GLOB]... PATH...   exit 0: nothing blocks, 1: a finding blocks, 2: usage or I/O error
 * trace [--url URL [--commit]] [--format F] [--config FILE] PATH...   locks, rewrites, time on a real PostgreSQL
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
                  check migration files or directories (Flyway order), or one Liquibase changelog (.xml/.yaml/.json, formatted .sql); exit 0 nothing blocks, 1 a finding blocks, 2 usage or I/O error
              trace [--url URL [--commit]] [--format text|json|sarif|github] [--config FILE] PATH...
                  run the migrations on PostgreSQL (embedded, or URL: rolled back unless --commit) and report per statement
                  the locks taken, tables rewritten and time; exit 0, 1 a finding blocks, 2 usage, I/O or SQL error
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
                case "trace" -> trace(args, out, err);
                case "fingerprint" -> fingerprint(args, out, err);
                case "rules" -> rules(out);
                case "help", "--help", "-h" -> {
                    out.print(USAGE_TEXT);
                    yield OK;
                }
                default -> usage(err, "unknown command '" + args[0] + "'");
            };
        } catch (MigrationGuardException | IllegalArgumentException | java.io.IOException e) {
            err.println("error: " + e.getMessage());
            return ERROR;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            err.println("error: internal failure: " + e);
            return ERROR;
        }
    }

    private static int usage(PrintStream err, String problem) {
        return Command.usageError(err, "error: " + problem, USAGE_TEXT);
    }

    /** The options of check and trace; {@code problem} is set when they are wrong. */
    private static final class Options {
        OutputFormat format = OutputFormat.TEXT;
        GuardConfig config = GuardConfig.ofDefaults();
        final List<Path> paths = new ArrayList<>();
        @Nullable String url;
        boolean commit;
        @Nullable String problem;
    }

    private static Options parse(String[] args, boolean trace) {
        Options o = new Options();
        String pgVersion = null;
        List<String> excludes = new ArrayList<>();
        for (int i = 1; i < args.length && o.problem == null; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            String opt = a.startsWith("--") && eq > 0 ? a.substring(0, eq) : a;
            boolean valued = switch (opt) {
                case "--format", "--config", "--pg-version", "--exclude" -> true;
                case "--url" -> trace;
                default -> false;
            };
            if (valued) {
                String v;
                if (eq > 0 && a.startsWith("--")) {
                    v = a.substring(eq + 1);
                } else if (i + 1 < args.length) {
                    v = args[++i];
                } else {
                    o.problem = a + " needs a value";
                    break;
                }
                switch (opt) {
                    case "--format" -> o.format = OutputFormat.parse(v);
                    case "--config" -> o.config = GuardConfig.load(Path.of(v));
                    case "--pg-version" -> pgVersion = v;
                    case "--exclude" -> excludes.add(v);
                    default -> o.url = v;
                }
            } else if (trace && a.equals("--commit")) {
                o.commit = true;
            } else if (a.startsWith("--")) {
                o.problem = "unknown option '" + a + "'";
            } else {
                o.paths.add(Path.of(a));
            }
        }
        if (o.problem == null && o.paths.isEmpty()) {
            o.problem = args[0] + " needs at least one PATH";
        }
        if (o.problem == null && (pgVersion != null || !excludes.isEmpty())) {
            GuardConfig.Builder b = o.config.toBuilder();
            try {
                if (pgVersion != null) {
                    b.pgVersion(pgVersion);
                }
                b.exclude(excludes);
                o.config = b.build();
            } catch (IllegalArgumentException e) {
                o.problem = e.getMessage();
            }
        }
        return o;
    }

    /**
     * The options of check ({@code trace} false) or trace, when they are right and every PATH
     * exists; otherwise null, with the problem reported on {@code err} (exit {@link #ERROR}).
     */
    private static @Nullable Options options(String[] args, boolean trace, PrintStream err) {
        Options o = parse(args, trace);
        if (o.problem != null) {
            usage(err, o.problem);
            return null;
        }
        for (Path p : o.paths) {
            if (!Files.exists(p)) {
                err.println("error: no such file or directory: " + p);
                return null;
            }
        }
        return o;
    }

    private static int check(String[] args, PrintStream out, PrintStream err) throws java.io.IOException {
        Options o = options(args, false, err);
        if (o == null) {
            return ERROR;
        }
        List<Path> changelogs = o.paths.stream().filter(MigrationGuardCli::isLiquibaseChangelog).toList();
        if (!changelogs.isEmpty()) {
            if (o.paths.size() > 1) {
                return usage(err, "check one Liquibase changelog at a time (its includes are followed), not with other paths: "
                        + changelogs.get(0));
            }
            return print(liquibase(changelogs.get(0), o.config), o.format, out, err);
        }
        Report report = MigrationGuard.create(o.config).checkPaths(o.paths);
        if (report.files() == 0) {
            err.println("warning: no .sql migration files found under " + o.paths + " (is the path right?)");
        }
        return print(report, o.format, out, err);
    }

    /** A Liquibase changelog: XML, YAML or JSON, or SQL that starts with "--liquibase formatted sql". */
    static boolean isLiquibaseChangelog(Path p) {
        if (!Files.isRegularFile(p)) {
            return false;
        }
        String name = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".xml") || name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json")) {
            return true;
        }
        if (!name.endsWith(".sql")) {
            return false;
        }
        try (java.io.BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            String first = r.readLine();
            return first != null && first.matches("(?i)^\uFEFF?\\s*--\\s*liquibase\\s+formatted\\s+sql.*");
        } catch (java.io.IOException | RuntimeException e) {
            return false; // not readable as UTF-8 text: the plain check reports it
        }
    }

    /**
     * Liquibase's own parser, with the current directory as the search path (so {@code include}
     * paths that are not relative to their changelog resolve from where the command runs).
     */
    private static Report liquibase(Path changelog, GuardConfig config) throws java.io.IOException {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = changelog.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        Path root = abs.startsWith(cwd) || parent == null ? cwd : parent;
        String relative = root.relativize(abs).toString().replace('\\', '/');
        try {
            return dev.opskit.migrationguard.liquibase.LiquibaseGuard.check(relative,
                    new liquibase.resource.DirectoryResourceAccessor(root), config);
        } catch (NoClassDefFoundError e) {
            throw new java.io.IOException("checking a Liquibase changelog needs liquibase-core on the class path"
                    + " (opskit.jar has it)", e);
        }
    }

    private static int print(Report report, OutputFormat format, PrintStream out, PrintStream err) {
        out.print(report.format(format));
        if (format != OutputFormat.TEXT && format != OutputFormat.GITHUB) {
            err.println(Formats.summaryLine(report));
        }
        return report.hasBlocking() ? BLOCKED : OK;
    }

    /**
     * Runs the migrations on PostgreSQL and reports locks, rewrites and times. With {@code --url}
     * (JDBC or postgres:// form) all files run in one transaction that is rolled back, unless
     * {@code --commit}; without it on a throwaway embedded PostgreSQL, each file committed.
     */
    private static int trace(String[] args, PrintStream out, PrintStream err) throws java.io.IOException {
        Options o = options(args, true, err);
        if (o == null) {
            return ERROR;
        }
        List<MigrationScript> scripts = new ArrayList<>();
        for (dev.opskit.migrationguard.internal.Engine.Source src
                : dev.opskit.migrationguard.internal.MigrationFiles.plan(o.paths, o.config).sources()) {
            scripts.add(new MigrationScript(src.path(), src.text()));
        }
        if (scripts.isEmpty()) {
            err.println("warning: no .sql migration files found under " + o.paths + " (is the path right?)");
        }
        MigrationTrace tracer = MigrationTrace.create(o.config);
        MigrationTrace.TraceReport t;
        if (o.url != null) {
            String jdbc = dev.opskit.core.jdbc.DatabaseUrl.toJdbc(o.url);
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbc)) {
                t = tracer.trace(c, scripts, o.commit ? MigrationTrace.Mode.COMMIT : MigrationTrace.Mode.ROLLBACK);
            } catch (java.sql.SQLException e) {
                err.println("error: cannot connect to " + dev.opskit.core.jdbc.DatabaseUrl.redact(jdbc) + ": " + e.getMessage());
                return ERROR;
            }
        } else {
            if (o.commit) {
                return usage(err, "--commit needs --url: the embedded PostgreSQL is thrown away after the trace");
            }
            try (EmbeddedTraceDatabase db = EmbeddedTraceDatabase.start()) {
                t = tracer.trace(db.dataSource(), scripts, MigrationTrace.Mode.COMMIT);
            }
        }
        if (o.format == OutputFormat.TEXT) {
            out.print(t.formatSteps());
        }
        return print(t.report(), o.format, out, err);
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
