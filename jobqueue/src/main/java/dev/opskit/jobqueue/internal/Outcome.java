package dev.opskit.jobqueue.internal;

import dev.opskit.deadletter.DeadLetterReason;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How one attempt of a job ended, as {@link OutcomePolicy} decided it: what to store, and nothing
 * about where (the PostgreSQL workers and the in-memory fake store it their own way).
 *
 * @param type what happens to the job
 * @param delay until the job is due again ({@link Type#RETRY}, {@link Type#POSTPONE}); zero otherwise
 * @param deadReason why the job gave up ({@link Type#DEAD}); null otherwise
 * @param errorJson the entry this attempt adds to the job's error history (one JSON object), or null
 * @param error what the handler threw, or null
 */
public record Outcome(Type type, Duration delay, @Nullable DeadLetterReason deadReason, @Nullable String errorJson,
                      @Nullable Throwable error) {
    /** What happens to the job after the attempt. */
    public enum Type {
        /** Completed. */
        SUCCESS("success"),
        /** Waits {@code delay}, then runs again; the attempt is spent. */
        RETRY("retried"),
        /** Waits {@code delay}, then runs again; the attempt is given back (a breaker was open, or the handler asked). */
        POSTPONE("postponed"),
        /** Goes to the dead letters with {@code deadReason}. */
        DEAD("dead"),
        /** Goes back to waiting at once, the attempt given back: a graceful shutdown interrupted it. */
        HAND_BACK("handed_back"),
        /** Ends cancelled, never to run again: it was cancelled while it ran, whatever the handler did. */
        CANCEL("cancelled");

        private final String metricTag;

        Type(String metricTag) {
            this.metricTag = metricTag;
        }

        /** The {@code outcome} tag of {@code opskit.jobs.completed}. */
        public String metricTag() {
            return metricTag;
        }
    }

    /** The {@link #deadReason()} of a {@link Type#DEAD} outcome, which always has one. */
    public DeadLetterReason requireDeadReason() {
        if (deadReason == null) {
            throw new IllegalStateException("a " + type + " outcome has no dead reason");
        }
        return deadReason;
    }

    public Outcome {
        Objects.requireNonNull(type, "type must not be null");
        Objects.requireNonNull(delay, "delay must not be null");
        if ((type == Type.DEAD) != (deadReason != null)) {
            throw new IllegalArgumentException("a dead outcome, and only a dead one, has a reason: " + type + ", " + deadReason);
        }
    }
}
