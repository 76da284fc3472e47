package dev.opskit.jobqueue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** What a shutdown did, counted by {@link Drain} and the {@link Completer}, reported as a {@link DrainReport}. */
final class DrainCounts {
    /** Jobs whose outcome was stored after claiming stopped, hand-backs excepted. */
    final AtomicInteger finished = new AtomicInteger();
    final AtomicInteger handedBack = new AtomicInteger();
    final AtomicInteger interrupted = new AtomicInteger();

    DrainReport report(long startNanos, boolean clean) {
        return new DrainReport(finished.get(), handedBack.get(), interrupted.get(), Duration.ofNanos(System.nanoTime() - startNanos), clean);
    }
}
