package dev.opskit.jobqueue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The three stop signals every part of one {@link Workers} runtime reads, in the order a shutdown
 * raises them: claiming stops, running jobs drain, the threads close. Raised by {@link Drain} and
 * {@link Workers}; never lowered.
 */
final class StopSignals {
    private final AtomicBoolean claimingStopped = new AtomicBoolean();
    private volatile boolean draining;
    private volatile boolean closing;

    /** Stops claiming; true only for the call that stopped it. */
    boolean stopClaiming() {
        return claimingStopped.compareAndSet(false, true);
    }

    boolean claimingStopped() {
        return claimingStopped.get();
    }

    /** From here on a job that ends counts as finished during the drain. */
    void startDraining() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    /** The loops of the completer, listener and maintenance leader end. Also stops claiming. */
    void close() {
        closing = true;
        claimingStopped.set(true);
    }

    boolean closing() {
        return closing;
    }

    /** What {@link JobContext#shutdownRequested()} answers. */
    boolean shutdownRequested() {
        return draining || claimingStopped.get();
    }

    /** Sleeps up to {@code millis}, waking within 25 ms once closing. */
    void sleepUnlessClosing(long millis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!closing && System.nanoTime() - until < 0) {
            sleepQuietly(Math.min(25, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
        }
    }

    static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
