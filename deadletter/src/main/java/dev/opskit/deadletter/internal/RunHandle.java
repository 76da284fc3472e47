package dev.opskit.deadletter.internal;

import dev.opskit.deadletter.ReplayAllRun;
import dev.opskit.deadletter.ReplayProgress;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The shared {@link ReplayAllRun} handle: the running loop updates it, callers read it. All state
 * is guarded by {@code this}.
 */
public final class RunHandle implements ReplayAllRun {
    private final long runId;
    private long total;
    private long done;
    private long failed;
    private long skipped;
    private ReplayProgress.State state = ReplayProgress.State.RUNNING;
    private @Nullable Throwable error;
    private volatile boolean cancelRequested;

    public RunHandle(long runId, long total, long done, long failed) {
        this.runId = runId;
        this.total = total;
        this.done = done;
        this.failed = failed;
    }

    @Override
    public synchronized ReplayProgress progress() {
        return new ReplayProgress(runId, total, done, failed, skipped, state);
    }

    @Override
    public void cancel() {
        cancelRequested = true;
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    public long runId() {
        return runId;
    }

    public synchronized void add(long doneDelta, long failedDelta) {
        done += doneDelta;
        failed += failedDelta;
    }

    /**
     * Ends the run; letters of the snapshot neither done nor failed count as skipped when it finished.
     * {@code cause}: the error that stopped a FAILED run; null otherwise.
     */
    public synchronized void end(ReplayProgress.State endState, @Nullable Throwable cause) {
        if (endState == ReplayProgress.State.FINISHED) {
            skipped = Math.max(0, total - done - failed);
        }
        state = endState;
        error = cause;
        notifyAll();
    }

    @Override
    public synchronized ReplayProgress await(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (state == ReplayProgress.State.RUNNING) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            long ms = Math.max(1, left / 1_000_000);
            wait(ms);
        }
        return progress();
    }

    @Override
    public synchronized Optional<Throwable> error() {
        return Optional.ofNullable(error);
    }

    /** Paces hand-overs to {@code ratePerSecond}; sleeps on the calling thread. */
    public static final class Pacer {
        private final double ratePerSecond;
        private final long startNanos = System.nanoTime();
        private long count;

        public Pacer(double ratePerSecond) {
            this.ratePerSecond = ratePerSecond;
        }

        /** Letters to take in the next batch: about a tenth of a second's worth when throttled. */
        public int batchSize(int max) {
            if (ratePerSecond <= 0) {
                return max;
            }
            return (int) Math.max(1, Math.min(max, Math.floor(ratePerSecond / 10)));
        }

        /** Records {@code n} hand-overs and sleeps until the rate allows the next. */
        public void pace(long n, RunHandle handle) throws InterruptedException {
            if (ratePerSecond <= 0) {
                return;
            }
            count += n;
            long due = startNanos + (long) (count / ratePerSecond * 1e9);
            while (!handle.cancelRequested()) {
                long left = due - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                Thread.sleep(Math.min(100, Math.max(1, left / 1_000_000)));
            }
        }
    }
}
