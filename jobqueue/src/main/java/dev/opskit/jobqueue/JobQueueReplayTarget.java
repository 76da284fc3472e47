package dev.opskit.jobqueue;

import dev.opskit.deadletter.DeadLetter;
import dev.opskit.deadletter.ReplayTarget;
import dev.opskit.jobqueue.internal.DeadLetters;

import java.sql.Connection;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Replays job-queue dead letters (source {@code jobqueue:<queue>}) as new jobs: same queue,
 * kind, payload, priority and unique key, a fresh attempt budget (the letter's
 * {@code maxAttempts}), linked to the letter ({@link Job#replayOf()}). The new job is enqueued in
 * the dead-letter store's replay transaction, so the hand-over happens exactly once.
 *
 * <p>{@link PostgresJobQueue} registers one on its dead-letter store; the dead-letter command line
 * finds one through {@link JobQueueReplayTargetProvider}.
 */
public final class JobQueueReplayTarget implements ReplayTarget {
    /** The sources this target serves. */
    public static final String SOURCE_PATTERN = DeadLetters.SOURCE_PREFIX + "*";

    private final JobQueue queue;

    public JobQueueReplayTarget(JobQueue queue) {
        this.queue = Objects.requireNonNull(queue, "queue must not be null");
    }

    /**
     * Enqueues the letter's job again.
     *
     * @return {@code job <id>}, or {@code job <id> (already waiting)} when a job with the same unique key waits or runs
     * @throws IllegalArgumentException when the letter is not a job-queue letter or its fields do not make a valid job
     */
    @Override
    public String accept(@Nullable Connection tx, DeadLetter letter) {
        if (!letter.source().startsWith(DeadLetters.SOURCE_PREFIX)) {
            throw new IllegalArgumentException("dead letter " + letter.id() + " has source '" + letter.source()
                    + "', not a job-queue source (" + SOURCE_PATTERN + ")");
        }
        String queueName = letter.source().substring(DeadLetters.SOURCE_PREFIX.length());
        JobRequest.Builder b = JobRequest.builder(letter.kind()).queue(queueName).payload(letter.payload()).replayOf(letter.id());
        String maxAttempts = letter.headers().get("maxAttempts");
        if (maxAttempts != null) {
            b.maxAttempts(Integer.parseInt(maxAttempts));
        }
        String priority = letter.headers().get("priority");
        if (priority != null) {
            b.priority(Integer.parseInt(priority));
        }
        String uniqueKey = letter.headers().get(dev.opskit.jobqueue.internal.DeadLetters.UNIQUE_KEY_HEADER);
        if (uniqueKey != null) {
            b.uniqueKey(uniqueKey);
        } else if (letter.idempotencyKey() != null) {
            b.uniqueKey(letter.idempotencyKey());
        }
        JobRequest request = b.build();
        EnqueueResult r = tx != null ? queue.enqueue(tx, request) : queue.enqueue(request);
        return "job " + r.jobId() + (r.inserted() ? "" : " (already waiting)");
    }

    /**
     * True: with a transaction the new job is enqueued through it, so the store may hand over a
     * whole batch of letters in one transaction (replay-all runs at batch speed).
     */
    @Override
    public boolean joinsTransaction() {
        return true;
    }
}
