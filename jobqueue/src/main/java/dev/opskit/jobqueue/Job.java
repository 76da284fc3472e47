package dev.opskit.jobqueue;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one job as stored.
 *
 * @param id the job's id, assigned at enqueue
 * @param queue the queue it runs on
 * @param kind the kind, which selects the handler
 * @param payload the payload, JSON text (PostgreSQL normalises {@code jsonb}: key order and spacing may differ from what was enqueued)
 * @param priority lower runs first
 * @param state where the job is
 * @param runAt when it may run next (for a finished job: when it was last due)
 * @param createdAt when it was enqueued
 * @param attempt how many attempts were spent (a postponed or handed-back claim does not count)
 * @param maxAttempts the attempts allowed
 * @param uniqueKey the unique key, or {@code null}
 * @param workerId the worker that runs or last ran it, or {@code null}
 * @param attemptedAt when the current or last attempt started, or {@code null}
 * @param leaseExpiresAt when the running job's lease expires, or {@code null} when not running
 * @param finishedAt when it finished, or {@code null} when not finished
 * @param errors the error history as a JSON array of {@code {"attempt","at","type","message","reason"}} objects; {@code []} when none
 * @param replayOf the id of the dead letter this job replays, or {@code null}
 */
public record Job(long id, String queue, String kind, String payload, int priority, JobState state, Instant runAt,
                  Instant createdAt, int attempt, int maxAttempts, @Nullable String uniqueKey, @Nullable String workerId,
                  @Nullable Instant attemptedAt, @Nullable Instant leaseExpiresAt, @Nullable Instant finishedAt, String errors,
                  @Nullable Long replayOf) {

    public Job {
        Objects.requireNonNull(queue, "queue must not be null");
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(payload, "payload must not be null");
        Objects.requireNonNull(state, "state must not be null");
        Objects.requireNonNull(errors, "errors must not be null");
    }
}
