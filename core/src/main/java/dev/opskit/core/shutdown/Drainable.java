package dev.opskit.core.shutdown;

import java.time.Duration;

/**
 * A participant in a graceful shutdown, registered with {@link GracefulShutdown#register}.
 *
 * <p>Runs on a thread of its own, named {@code opskit-shutdown-<name>}. It should return once its
 * work for the phase is done, and must not take longer than {@code timeLeft}: when that passes,
 * the coordinator records the participant as timed out, interrupts its thread and moves on to the
 * next phase without waiting for it.
 */
@FunctionalInterface
public interface Drainable {

    /**
     * Does this participant's work for its phase.
     *
     * @param timeLeft how long this participant may take before it is reported as timed out
     * @throws Exception reported as a failure of this participant; the others are unaffected
     */
    void drain(Duration timeLeft) throws Exception;
}
