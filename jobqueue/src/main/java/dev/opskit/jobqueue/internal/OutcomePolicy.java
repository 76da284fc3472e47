package dev.opskit.jobqueue.internal;

import dev.opskit.core.backoff.Backoff;
import dev.opskit.core.RetryAfter;
import dev.opskit.deadletter.DeadLetterReason;
import dev.opskit.jobqueue.Job;
import dev.opskit.jobqueue.NonRetryableJobException;
import dev.opskit.jobqueue.PostponeJobException;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Decides how an attempt ended, for the PostgreSQL workers and the in-memory fake alike, so both
 * treat the same handler the same way:
 *
 * <ul>
 *   <li>returned: {@link Outcome.Type#SUCCESS};</li>
 *   <li>interrupted by a graceful shutdown: {@link Outcome.Type#HAND_BACK}, the attempt given back;</li>
 *   <li>ran past its timeout: a failure, recorded as a {@link JobTimeoutException};</li>
 *   <li>threw a {@link RetryAfter} signal, itself or anywhere in its cause chain (an open circuit
 *       breaker's {@code CallRejectedException}, a {@link PostponeJobException}):
 *       {@link Outcome.Type#POSTPONE} by its {@code retryAfter()}, the attempt given back;</li>
 *   <li>threw {@link NonRetryableJobException}: dead, {@link DeadLetterReason#NON_RETRYABLE};</li>
 *   <li>any other failure: {@link Outcome.Type#RETRY} after the backoff, or dead with
 *       {@link DeadLetterReason#MAX_ATTEMPTS} when it was the last attempt;</li>
 *   <li>no handler for the kind: dead, {@link DeadLetterReason#NO_HANDLER}.</li>
 * </ul>
 *
 * A job cancelled while it ran ({@link #cancelled}) is none of these: the caller asks for that
 * outcome first, because a cancel wins over every ending the handler chose.
 *
 * Each outcome but success carries the entry it adds to the job's error history. Thread-safe if
 * the backoff is.
 */
public final class OutcomePolicy {
    /** Why the thread of a handler that threw had been interrupted, if it had. */
    public enum Interruption { NONE, TIMEOUT, SHUTDOWN }

    private static final Outcome SUCCESS = new Outcome(Outcome.Type.SUCCESS, Duration.ZERO, null, null, null);

    private final Backoff backoff;
    private final Clock clock;

    /**
     * @param backoff the delay before retry n
     * @param clock the time written into error-history entries
     */
    public OutcomePolicy(Backoff backoff, Clock clock) {
        this.backoff = Objects.requireNonNull(backoff, "backoff must not be null");
        this.clock = Objects.requireNonNull(clock, "clock must not be null");
    }

    public Outcome success() {
        return SUCCESS;
    }

    /**
     * @param workerId the worker that found no handler, named in the message; null for none
     */
    public Outcome noHandler(Job job, @Nullable String workerId) {
        String message = "no handler is registered for kind '" + job.kind() + "'" + (workerId == null ? "" : " on worker " + workerId);
        return dead(job, DeadLetterReason.NO_HANDLER, message, null);
    }

    /**
     * The outcome of an attempt cancelled while it ran (or before its handler started), whatever
     * the handler then did: ended cancelled, with a history entry that keeps what it threw.
     *
     * @param t what the handler threw, or null when it returned or never started
     * @param workerId the worker that stopped it, named in the message; null for none
     */
    public Outcome cancelled(Job job, @Nullable Throwable t, @Nullable String workerId) {
        String message = "cancelled while running" + (workerId == null ? "" : " on worker " + workerId)
                + (t == null ? "" : "; the handler then threw " + t);
        String error = Json.error(job.attempt(), clock.instant(), t == null ? "cancelled" : t.getClass().getName(), message,
                "cancelled", t);
        return new Outcome(Outcome.Type.CANCEL, Duration.ZERO, null, error, t);
    }

    /**
     * The outcome of an attempt whose handler threw {@code t}.
     *
     * @param interruptedBy why the handler's thread had been interrupted (a timeout wins over a shutdown)
     * @param timeout the handler's timeout, named in the message of a {@link Interruption#TIMEOUT}; null when there is none
     *                (then {@code interruptedBy} is not {@code TIMEOUT})
     * @param workerId the worker, named in the history entry of a {@link Interruption#SHUTDOWN}; null for none
     */
    public Outcome failed(Job job, Throwable t, Interruption interruptedBy, @Nullable Duration timeout, @Nullable String workerId) {
        Objects.requireNonNull(t, "t must not be null");
        if (interruptedBy == Interruption.TIMEOUT) {
            return failure(job, "timeout", new JobTimeoutException("job " + job.id() + " (" + job.kind()
                    + ") ran longer than its timeout of " + Objects.requireNonNull(timeout, "a timed-out attempt has a timeout").toMillis()
                    + " ms and was interrupted", t));
        }
        if (interruptedBy == Interruption.SHUTDOWN) {
            String error = Json.error(job.attempt(), clock.instant(), t.getClass().getName(),
                    "interrupted by the graceful shutdown of worker " + workerId, "shutdown", t);
            return new Outcome(Outcome.Type.HAND_BACK, Duration.ZERO, null, error, null);
        }
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof RetryAfter signal) {
                return new Outcome(Outcome.Type.POSTPONE, signal.retryAfter(), null, null, null);
            }
        }
        if (t instanceof NonRetryableJobException) {
            return dead(job, DeadLetterReason.NON_RETRYABLE, t.getMessage(), t);
        }
        return failure(job, "retry", t);
    }

    /** A failed attempt: retried after the backoff, or dead when it was the last. */
    private Outcome failure(Job job, String historyReason, Throwable t) {
        if (job.attempt() >= job.maxAttempts()) {
            return dead(job, DeadLetterReason.MAX_ATTEMPTS, t.getMessage(), t);
        }
        String error = Json.error(job.attempt(), clock.instant(), t.getClass().getName(), t.getMessage(), historyReason, t);
        return new Outcome(Outcome.Type.RETRY, backoff.delay(job.attempt()), null, error, t);
    }

    private Outcome dead(Job job, DeadLetterReason reason, @Nullable String message, @Nullable Throwable error) {
        String json = Json.error(job.attempt(), clock.instant(), error == null ? reason.code() : error.getClass().getName(),
                message, reason.code(), error);
        return new Outcome(Outcome.Type.DEAD, Duration.ZERO, reason, json, error);
    }
}
