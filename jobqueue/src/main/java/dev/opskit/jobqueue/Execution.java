package dev.opskit.jobqueue;

import dev.opskit.jobqueue.internal.OutcomePolicy.Interruption;
import dev.opskit.jobqueue.internal.PgStore.Claimed;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One claimed job on this worker, from the claim until its outcome is stored. State moves CLAIMED
 * -> STARTED -> DONE, or CLAIMED -> HANDED_BACK when a shutdown takes it back before a thread
 * picked it up. The transitions and the interrupts of timeouts and shutdown happen under the
 * object's lock, so an interrupt never hits a pool thread after its job ended, and the reason of
 * an interrupt is read consistently with it.
 *
 * <p>A cancel ({@link #requestCancel()}, when a lease extension reports one) is sticky: it
 * interrupts a started handler, keeps a claimed one from starting, and decides the outcome
 * (cancelled) unless the handler had already returned. That moment is {@link #handlerEnded()}: once
 * the worker thread recorded the handler's ending, a later cancel changes nothing here (the
 * outcome, say a success, is stored as it is).
 */
final class Execution implements JobContext {
    private static final int CLAIMED = 0;
    private static final int STARTED = 1;
    private static final int DONE = 2;
    private static final int HANDED_BACK = 3;

    final Claimed claimed;
    final QueueRunner runner;
    private final StopSignals signals;
    private int state = CLAIMED; // guarded by this
    private @Nullable Thread thread; // guarded by this; the pool thread while STARTED
    private boolean timedOut; // guarded by this
    private boolean stopRequested; // guarded by this
    private boolean cancelRequested; // guarded by this
    private boolean handlerEnded; // guarded by this; the worker thread recorded how the handler ended
    /** System.nanoTime() after which the handler is interrupted; set when the handler starts. */
    volatile long deadline = Long.MAX_VALUE;

    Execution(Claimed claimed, QueueRunner runner, StopSignals signals) {
        this.claimed = claimed;
        this.runner = runner;
        this.signals = signals;
    }

    long id() {
        return claimed.job().id();
    }

    long token() {
        return claimed.token();
    }

    /** On the pool thread: true when the job may run, false when a shutdown handed it back first. */
    synchronized boolean begin() {
        if (state != CLAIMED) {
            return false;
        }
        state = STARTED;
        thread = Thread.currentThread();
        return true;
    }

    synchronized void end() {
        state = DONE;
        thread = null;
        Thread.interrupted(); // clear a late interrupt before the pool thread runs another job
    }

    /** True when the job had not started: it will not start now. */
    synchronized boolean handBack() {
        if (state != CLAIMED) {
            return false;
        }
        state = HANDED_BACK;
        return true;
    }

    synchronized boolean isStarted() {
        return state == STARTED;
    }

    /**
     * A cancel was requested (a lease extension said so): interrupts the handler if it runs, and
     * keeps it from starting if it has not. Called at every extension that reports the cancel, so a
     * handler that swallowed one interrupt gets another, as with timeouts.
     *
     * @return true when this call was the first to request it
     */
    synchronized boolean requestCancel() {
        if (handlerEnded || state == DONE || state == HANDED_BACK) {
            return false;
        }
        boolean first = !cancelRequested;
        cancelRequested = true;
        if (state == STARTED) {
            startedThread().interrupt();
        }
        return first;
    }

    /**
     * On the worker thread, right after the handler returned or threw (or instead of starting it):
     * from here on a cancel changes nothing. Returns whether the job was cancelled before, which then
     * decides the outcome whatever the handler did.
     */
    synchronized boolean handlerEnded() {
        handlerEnded = true;
        return cancelRequested;
    }

    /** Why the handler's thread was interrupted, if it was; read by the thread that ran it, before {@link #end()}. */
    synchronized Interruption interruptedBy() {
        return timedOut ? Interruption.TIMEOUT : stopRequested ? Interruption.SHUTDOWN : Interruption.NONE;
    }

    /** Interrupts a running handler past its deadline; called at every sweep, so a handler that swallowed one interrupt gets another. */
    synchronized void interruptForTimeout() {
        if (state == STARTED && !handlerEnded) {
            timedOut = true;
            startedThread().interrupt();
        }
    }

    /** Interrupts a running handler because of a shutdown; false when it does not run. */
    synchronized boolean interruptForShutdown() {
        if (state == STARTED && !handlerEnded) {
            stopRequested = true;
            startedThread().interrupt();
            return true;
        }
        return false;
    }

    /** The pool thread; call only while STARTED, which {@link #begin()} set together with it. */
    private Thread startedThread() {
        return Objects.requireNonNull(thread, "a started execution has its thread");
    }

    @Override
    public Job job() {
        return claimed.job();
    }

    @Override
    public boolean shutdownRequested() {
        return signals.shutdownRequested();
    }

    @Override
    public synchronized boolean cancelled() {
        return cancelRequested;
    }
}
