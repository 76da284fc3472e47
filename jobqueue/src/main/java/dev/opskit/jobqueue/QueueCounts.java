package dev.opskit.jobqueue;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The jobs of one queue by state.
 *
 * @param queue the queue
 * @param available waiting jobs, due now or later
 * @param running claimed jobs
 * @param completed finished jobs still kept (retention)
 * @param cancelled cancelled jobs still kept
 * @param dead dead jobs still kept
 * @param oldestAvailableAge how long the oldest due job has been waiting (now minus its run-at), or {@code null} when none is due
 */
public record QueueCounts(String queue, long available, long running, long completed, long cancelled, long dead,
                          @Nullable Duration oldestAvailableAge) {

    /** {@link #oldestAvailableAge()} as an optional. */
    public Optional<Duration> oldestAvailable() {
        return Optional.ofNullable(oldestAvailableAge);
    }

    /** The count of one state. */
    public long count(JobState state) {
        return switch (state) {
            case AVAILABLE -> available;
            case RUNNING -> running;
            case COMPLETED -> completed;
            case CANCELLED -> cancelled;
            case DEAD -> dead;
        };
    }
}
