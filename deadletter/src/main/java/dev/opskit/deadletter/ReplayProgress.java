package dev.opskit.deadletter;

/**
 * A snapshot of a replay-all run's progress.
 *
 * @param runId the run's id (PostgreSQL: a row in {@code dead_letter_replay_runs}; in-memory: a counter)
 * @param total letters in the run's snapshot (waiting and matching when it started)
 * @param done letters handed over (or, in a dry run, that have a target)
 * @param failed letters whose target failed or that have no target; they stay waiting
 * @param skipped letters of the snapshot that another replay took or that were removed meanwhile
 * @param state where the run stands
 */
public record ReplayProgress(long runId, long total, long done, long failed, long skipped, State state) {
    /** Letters of the snapshot not yet visited. */
    public long toDo() {
        return Math.max(0, total - done - failed - skipped);
    }

    /** A run's state. */
    public enum State {
        /** Working. */
        RUNNING,
        /** Visited every letter of its snapshot. */
        FINISHED,
        /** Stopped by {@link ReplayAllRun#cancel()}; what was handed over stays handed over. */
        CANCELLED,
        /** Stopped by an error (database gone); {@link ReplayAllRun#error()} says which. Running it again resumes. */
        FAILED
    }
}
