package dev.opskit.deadletter;

import java.time.Duration;
import java.util.Optional;

/**
 * A replay-all run started with {@link DeadLetterStore#startReplayAll(ReplayAllRequest)}. Thread-safe.
 *
 * <p>The run works on the snapshot of letters that were waiting and matched its filter when it
 * started: letters added later (including letters that die again because of this run's replays)
 * are not part of it, and each letter of the snapshot is visited once, so a failing letter is not
 * retried in a loop.
 */
public interface ReplayAllRun {
    /** The current progress; cheap, never blocks. */
    ReplayProgress progress();

    /** Asks the run to stop after the current batch. Returns at once; {@link #await(Duration)} to wait. */
    void cancel();

    /**
     * Waits until the run is no longer {@link ReplayProgress.State#RUNNING} or {@code timeout} passes.
     *
     * @return the progress at that moment
     * @throws InterruptedException when interrupted while waiting
     */
    ReplayProgress await(Duration timeout) throws InterruptedException;

    /** The error that stopped the run, when its state is {@link ReplayProgress.State#FAILED}. */
    Optional<Throwable> error();
}
