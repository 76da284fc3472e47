package dev.opskit.core.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The {@code opskit} command line: {@code java -jar opskit.jar COMMAND [ARGS]}. Runs the
 * {@link Command} named by the first argument, found with {@link ServiceLoader} among the opskit
 * modules on the class path ({@code cli/target/opskit.jar} holds them all).
 */
public final class Opskit {
    private Opskit() {
    }

    /** Runs a command with the process environment and exits with its code. */
    public static void main(String[] args) {
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            // The jar carries no logging binding (a library must not impose one); silence slf4j's notice about it.
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        int code = run(args, System.getenv(), out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs a command with the commands found on the class path; returns its exit code. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        List<Command> found = new ArrayList<>();
        ServiceLoader.load(Command.class, Opskit.class.getClassLoader()).forEach(found::add);
        return run(found, args, env, out, err);
    }

    static int run(List<Command> commands, String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        Map<String, Command> byName = new TreeMap<>();
        for (Command c : commands) {
            Command before = byName.putIfAbsent(c.name(), c);
            if (before != null) {
                err.println("error: two commands named '" + c.name() + "' on the class path: "
                        + before.getClass().getName() + " and " + c.getClass().getName());
                return Command.FAILED;
            }
        }
        if (args.length == 0) {
            err.print(usage(byName));
            return Command.USAGE;
        }
        if (List.of("--help", "-h", "help").contains(args[0])) {
            out.print(usage(byName));
            return Command.OK;
        }
        Command command = byName.get(args[0]);
        if (command == null) {
            err.println("error: unknown command '" + args[0] + "'; one of " + String.join(", ", byName.keySet()));
            err.println("run 'opskit --help' for the usage");
            return Command.USAGE;
        }
        try {
            return command.run(List.copyOf(Arrays.asList(args).subList(1, args.length)), env, out, err);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            // a command must not throw; if one does, say so instead of a stack trace and a 1 the caller misreads
            err.println("error: internal failure in 'opskit " + args[0] + "': " + e);
            return Command.FAILED;
        }
    }

    static String usage(Map<String, Command> byName) {
        StringBuilder sb = new StringBuilder("usage: opskit COMMAND [ARGS]\n\ncommands:\n");
        int width = byName.keySet().stream().max(Comparator.comparingInt(String::length)).map(String::length).orElse(0);
        byName.forEach((name, c) -> sb.append("  ").append(name).append(" ".repeat(width - name.length() + 2))
                .append(c.summary()).append('\n'));
        sb.append("\nrun 'opskit COMMAND --help' for a command's options\n")
                .append("exit codes: 0 done, 1 could not be done or a check did not hold (reason on stderr), 2 usage error\n");
        return sb.toString();
    }
}
