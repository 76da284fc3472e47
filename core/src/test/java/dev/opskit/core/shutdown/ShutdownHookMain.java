package dev.opskit.core.shutdown;

import java.time.Duration;

/**
 * A small service for {@link GracefulShutdownProcessTest}: one participant per phase (the drain
 * takes about 300 ms), the opskit shutdown hook, then "READY" on stdout and a block until a signal
 * arrives.
 *
 * <p>Argument: {@code default} for {@link GracefulShutdown#installShutdownHook(Duration)}, or an
 * exit status for {@link GracefulShutdown#installShutdownHook(Duration, int)}.
 */
public final class ShutdownHookMain {
    private ShutdownHookMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        GracefulShutdown shutdown = new GracefulShutdown()
                .register("close-pool", ShutdownPhase.CLOSE, timeLeft -> System.out.println("closing pool"))
                .register("drain-jobs", ShutdownPhase.DRAIN, timeLeft -> Thread.sleep(300))
                .register("stop-http", ShutdownPhase.STOP_ACCEPTING, timeLeft -> System.out.println("stopped accepting"));
        Duration deadline = Duration.ofSeconds(20);
        if (args.length == 0 || args[0].equals("default")) {
            shutdown.installShutdownHook(deadline);
        } else {
            shutdown.installShutdownHook(deadline, Integer.parseInt(args[0]));
        }
        System.out.println("READY");
        System.out.flush();
        Thread.currentThread().join(); // blocks until the JVM is stopped
    }
}
