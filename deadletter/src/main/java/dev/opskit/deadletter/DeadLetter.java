package dev.opskit.deadletter;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One stored dead letter: a piece of work that failed for good, with everything needed to
 * understand and replay it. Immutable; read it with {@link DeadLetterStore#get(long)} or
 * {@link DeadLetterStore#list(DeadLetterQuery)}.
 *
 * <p>Fields that may be absent are {@code null}: {@code idempotencyKey}, {@code errorType},
 * {@code causeType}, {@code message}, {@code stackTrace}, {@code firstFailedAt},
 * {@code lastFailedAt}, {@code reasonDetail}, {@code replayOf}, {@code lastReplayedAt},
 * {@code lastReplayRef}, {@code lastReplayError}.
 *
 * @param id store-assigned, increasing in insertion order
 * @param source where the work came from, for example {@code jobqueue:emails} or {@code webhook:stripe};
 *               replay targets are chosen by it
 * @param kind what kind of work, for example the job kind {@code send-welcome-email}
 * @param payload the work's payload as JSON text
 * @param headers extra string metadata (trace id, original job id...), never null
 * @param idempotencyKey the key a replay target can use to drop a duplicate hand-over
 * @param errorType class name of the last error
 * @param causeType class name of the last error's root cause
 * @param message the last error's message
 * @param stackTrace the last error's stack trace, capped (see {@link NewDeadLetter#MAX_STACK_TRACE_CHARS})
 * @param errorHistory the earlier failures, a JSON array with one entry per attempt ({@code []} when none was recorded)
 * @param attempts how many attempts the work made before it died (a replay does not change this)
 * @param firstFailedAt when the first attempt failed
 * @param lastFailedAt when the last attempt failed
 * @param diedAt when it became a dead letter
 * @param reason why it died
 * @param reasonDetail free text about the reason
 * @param replayOf the id of the letter whose replay produced the work that died again as this one
 * @param status waiting ({@link DeadLetterStatus#DEAD}) or {@link DeadLetterStatus#REPLAYED}
 * @param replayCount how many times it was handed over successfully
 * @param lastReplayedAt when it was last handed over successfully
 * @param lastReplayRef what the target returned for the last hand-over (for example the new job's id)
 * @param lastReplayError why the last replay attempt failed, cleared by a successful one
 */
public record DeadLetter(
        long id,
        String source,
        String kind,
        String payload,
        Map<String, String> headers,
        @Nullable String idempotencyKey,
        @Nullable String errorType,
        @Nullable String causeType,
        @Nullable String message,
        @Nullable String stackTrace,
        String errorHistory,
        int attempts,
        @Nullable Instant firstFailedAt,
        @Nullable Instant lastFailedAt,
        Instant diedAt,
        DeadLetterReason reason,
        @Nullable String reasonDetail,
        @Nullable Long replayOf,
        DeadLetterStatus status,
        int replayCount,
        @Nullable Instant lastReplayedAt,
        @Nullable String lastReplayRef,
        @Nullable String lastReplayError) {

    public DeadLetter {
        Objects.requireNonNull(source, "source must not be null");
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(payload, "payload must not be null");
        Objects.requireNonNull(diedAt, "diedAt must not be null");
        Objects.requireNonNull(reason, "reason must not be null");
        Objects.requireNonNull(status, "status must not be null");
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        errorHistory = errorHistory == null ? "[]" : errorHistory;
    }

    /** True while the letter waits for a replay ({@link DeadLetterStatus#DEAD}). */
    public boolean isWaiting() {
        return status == DeadLetterStatus.DEAD;
    }
}
