package dev.opskit.deadletter.cli;

import java.io.PrintStream;
import java.util.Map;

/** The {@code opskit-deadletter-cli} command line (work in progress: full implementation follows). */
public final class DeadLetterCli {
    private DeadLetterCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs one command; returns the exit code (0 ok, 1 could not be done, 2 usage error). */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        err.println("usage: opskit-deadletter-cli <list|show|replay|cleanup|purge|stats> ...");
        return 2;
    }
}
