package dev.opskit.jobqueue;

import org.jspecify.annotations.Nullable;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The operator controls of one queue, held in the database and obeyed by every worker: whether
 * it is paused, and its limits. Only queues with a control are listed by {@link JobQueue#controls()}.
 *
 * @param queue the queue
 * @param paused no job of the queue starts while true; running jobs finish, enqueue still works
 * @param maxRunning at most this many jobs of the queue run at once over all workers, or {@code null}
 * @param rateLimit the start rate limit, or {@code null}
 */
public record QueueControl(String queue, boolean paused, @Nullable Integer maxRunning, @Nullable RateLimit rateLimit) {

    /** {@link #maxRunning()} as an optional. */
    public OptionalInt concurrencyLimit() {
        return maxRunning == null ? OptionalInt.empty() : OptionalInt.of(maxRunning);
    }

    /** {@link #rateLimit()} as an optional. */
    public Optional<RateLimit> rate() {
        return Optional.ofNullable(rateLimit);
    }

    /** Whether any limit is set (paused or not). */
    public boolean limited() {
        return maxRunning != null || rateLimit != null;
    }
}
