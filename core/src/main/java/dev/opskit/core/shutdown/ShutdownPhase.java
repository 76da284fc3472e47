package dev.opskit.core.shutdown;

/**
 * The ordered phases of a graceful shutdown. Every participant of one phase finishes (or runs out
 * of time) before the next phase starts; participants of the same phase run in parallel.
 */
public enum ShutdownPhase {
    /** Stop taking new work: readiness turns 503, workers stop claiming, listeners stop accepting. */
    STOP_ACCEPTING,
    /** Let work in flight finish: running jobs complete, buffered completions are flushed. */
    DRAIN,
    /** Release resources: pools, servers, connections. */
    CLOSE
}
