package dev.opskit.core.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * One subcommand of the {@code opskit} command line ({@code opskit deadletters ...},
 * {@code opskit jobs ...}). Each module that has a command line implements it once, in its package
 * {@code dev.opskit.<module>.cli}, and lists the class in
 * {@code META-INF/services/dev.opskit.core.cli.Command}; {@link Opskit} finds it with
 * {@link java.util.ServiceLoader}. Implementations have a public no-argument constructor.
 *
 * <p>Every command uses the same exit codes: {@link #OK}, {@link #FAILED}, {@link #USAGE}. What
 * their {@code run} methods share is in core, so that they read and report a command line alike:
 * {@link Args} parses it and checks the subcommand ({@link Args#subcommand}), {@link #usageError}
 * reports it wrong, {@link CommandDatabase} finds and checks the database and reports a failure
 * without a password.
 */
public interface Command {
    /** Exit code: done (for a check: everything holds). */
    int OK = 0;
    /** Exit code: could not be done, or a check did not hold; the reason is on standard error. */
    int FAILED = 1;
    /** Exit code: the command line or an input file is wrong. */
    int USAGE = 2;

    /** The subcommand's name, lower case: {@code deadletters}, {@code env}, {@code jobs}, {@code migrations}. */
    String name();

    /** One line for {@code opskit --help}. */
    String summary();

    /**
     * Runs the command and returns its exit code; never calls {@link System#exit} and never throws.
     *
     * @param args the arguments after the subcommand's name
     * @param env the environment ({@code DATABASE_URL} and the like); tests pass a map of their own
     * @param out results
     * @param err errors, warnings and progress
     */
    int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err);

    /**
     * Reports a wrong command line with the whole usage: {@code problem} on a line of its own, then
     * {@code usageText} (ended by a line break, whether or not it has one), on {@code err}.
     *
     * @param problem the line to print first, prefix included ({@code "error: no such file: x"})
     * @return {@link #USAGE}
     */
    static int usageError(PrintStream err, String problem, String usageText) {
        err.println(problem);
        if (usageText.endsWith("\n")) {
            err.print(usageText);
        } else {
            err.println(usageText);
        }
        err.flush();
        return USAGE;
    }
}
