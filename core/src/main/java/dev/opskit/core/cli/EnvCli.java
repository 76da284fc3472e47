package dev.opskit.core.cli;

import dev.opskit.core.env.EnvReport;
import dev.opskit.core.env.EnvRequirements;
import dev.opskit.core.env.EnvSource;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code opskit env check}, the command-line gate for deploy pipelines: checks the process
 * environment against a requirements file, prints a readable report, and exits 0 when every
 * requirement holds, 1 when one does not, 2 on a usage error (unknown option, missing, unreadable
 * or invalid file).
 *
 * <pre>
 * java -jar opskit.jar env check [--env NAME] FILE
 * </pre>
 *
 * <p>{@code --env NAME} checks for environment {@code NAME} instead of reading it from the
 * environment variable the file names ({@value EnvRequirements#DEFAULT_ENVIRONMENT_VARIABLE} by
 * default). Needs nothing but opskit-core on the class path. Secret values are never printed.
 */
public final class EnvCli implements Command {
    /** Exit code when a requirement does not hold: {@link Command#FAILED}. */
    static final int NOT_MET = FAILED;

    private static final String USAGE_TEXT = """
            Usage: opskit env check [--env NAME] FILE
              FILE        requirements file, one variable per line, for example:
                            DATABASE_URL required
                            JWT_SECRET secret min=32 env=prod,staging
              --env NAME  check for environment NAME (default: the value of the variable
                          named by @environment-variable in FILE, APP_ENV if it names none)
              --help      show this help
            Exit status: 0 all requirements hold, 1 a requirement is not met, 2 usage error.""";

    /** Used by {@link java.util.ServiceLoader}. */
    public EnvCli() {
    }

    @Override
    public String name() {
        return "env";
    }

    @Override
    public String summary() {
        return "check [--env NAME] FILE: required environment variables and secret lengths (deploy gate)";
    }

    @Override
    public int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (!args.isEmpty() && Args.isHelp(args.get(0))) {
            out.println(USAGE_TEXT);
            return OK;
        }
        try {
            Args.subcommand(args.isEmpty() ? null : args.get(0), List.of("check"));
        } catch (Args.UsageException e) {
            return usage(err, String.valueOf(e.getMessage()));
        }
        return check(args.subList(1, args.size()).toArray(String[]::new), EnvSource.of(env), out, err);
    }

    /**
     * Checks {@code source} against the requirements file named in {@code args}.
     *
     * @return {@link #OK}, {@link #NOT_MET} or {@link #USAGE}
     */
    static int check(String[] args, EnvSource source, PrintStream out, PrintStream err) {
        Objects.requireNonNull(args, "args must not be null");
        Objects.requireNonNull(source, "source must not be null");
        Objects.requireNonNull(out, "out must not be null");
        Objects.requireNonNull(err, "err must not be null");
        String environment = null;
        List<String> files = new ArrayList<>();
        boolean options = true;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (options && Args.isHelp(a)) {
                out.println(USAGE_TEXT);
                return OK;
            } else if (options && a.equals("--")) {
                options = false;
            } else if (options && a.equals("--env")) {
                if (i + 1 >= args.length) {
                    return usage(err, "--env needs a value");
                }
                environment = args[++i];
            } else if (options && a.startsWith("--env=")) {
                environment = a.substring("--env=".length());
            } else if (options && a.startsWith("-") && a.length() > 1) {
                return usage(err, "unknown option '" + a + "'");
            } else {
                files.add(a);
            }
        }
        if (files.size() != 1) {
            return usage(err, files.isEmpty() ? "no requirements file given" : "exactly one requirements file expected, got " + files);
        }
        EnvRequirements requirements;
        try {
            requirements = EnvRequirements.load(Path.of(files.get(0)));
        } catch (IOException e) {
            return usage(err, "cannot read requirements file " + files.get(0) + ": " + e);
        } catch (IllegalArgumentException e) {
            return usage(err, "invalid requirements file: " + e.getMessage());
        }
        EnvReport report;
        try {
            report = environment == null ? requirements.check(source) : requirements.check(source, environment);
        } catch (IllegalArgumentException e) {
            return usage(err, "--env: " + e.getMessage());
        }
        out.print(report.format());
        out.flush();
        return report.ok() ? OK : NOT_MET;
    }

    private static int usage(PrintStream err, String problem) {
        return Command.usageError(err, "opskit env: " + problem, USAGE_TEXT);
    }
}
