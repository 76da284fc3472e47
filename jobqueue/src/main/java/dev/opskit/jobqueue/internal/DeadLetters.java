package dev.opskit.jobqueue.internal;

import dev.opskit.core.internal.trace.Traces;
import dev.opskit.deadletter.DeadLetterReason;
import dev.opskit.deadletter.DeadLetterStore;
import dev.opskit.deadletter.NewDeadLetter;
import dev.opskit.jobqueue.Job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns a job that gave up into a dead letter: source {@code jobqueue:<queue>}, the job's kind
 * and payload, headers {@code jobId}, {@code queue}, {@code priority} and {@code maxAttempts}, the
 * error history (the job's whole error history as a JSON array, with only the first
 * {@value Json#HISTORY_FRAMES} stack frames per attempt, see {@link Json#history}), its unique key
 * as idempotency key, the last error (with its full, capped stack trace), attempts and first/last
 * failure times.
 */
public final class DeadLetters {
    /** The prefix of the dead-letter source of every job-queue letter. */
    public static final String SOURCE_PREFIX = "jobqueue:";
    private static final Pattern AT = Pattern.compile("\"at\":\\s*\"([^\"]+)\"");

    /** Header holding a job's unique key when it does not fit a letter's idempotency key. */
    public static final String UNIQUE_KEY_HEADER = "uniqueKey";

    private DeadLetters() {
    }

    private static boolean fitsIdempotencyKey(String key) {
        if (key.isBlank() || key.length() > NewDeadLetter.MAX_NAME_CHARS) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            if (Character.isISOControl(key.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@code sha256:} and the hex SHA-256 of the key's UTF-8 bytes: stable, so duplicates stay duplicates. */
    static String digest(String key) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sha256:" + java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A sink adding to {@code store} on the caller's connection. */
    public static DeadLetterSink sink(DeadLetterStore store) {
        return (c, job, reason, error, traceContext) -> store.add(c, letter(job, reason, error, traceContext));
    }

    /** The letter of {@code job}, which gave up for {@code reason} with the last error {@code error} (may be null). */
    public static NewDeadLetter letter(Job job, DeadLetterReason reason, @Nullable Throwable error) {
        return letter(job, reason, error, null);
    }

    /** {@link #letter(Job, DeadLetterReason, Throwable)} with the job's stored trace context in the headers ({@code traceparent}, ...). */
    public static NewDeadLetter letter(Job job, DeadLetterReason reason, @Nullable Throwable error, @Nullable String traceContext) {
        NewDeadLetter.Builder b = NewDeadLetter.builder(SOURCE_PREFIX + job.queue(), job.kind())
                .payload(job.payload())
                .header("jobId", String.valueOf(job.id()))
                .header("queue", job.queue())
                .header("priority", String.valueOf(job.priority()))
                .header("maxAttempts", String.valueOf(job.maxAttempts()))
                .errorHistory(Json.history(job.errors()))
                .attempts(job.attempt())
                .reason(reason, reasonDetail(job, reason))
                .replayOf(job.replayOf());
        Traces.fromJson(traceContext).forEach(b::header);
        String key = job.uniqueKey();
        if (key != null) {
            if (fitsIdempotencyKey(key)) {
                b.idempotencyKey(key);
            } else {
                // A unique key may be longer (500) and hold characters a letter's key may not: the
                // letter keeps a digest as its key and the key itself in a header, for the replay.
                b.idempotencyKey(digest(key)).header(UNIQUE_KEY_HEADER, key);
            }
        }
        if (error != null) {
            b.error(error);
        } else {
            b.errorType(reason.code()).message(reasonDetail(job, reason));
        }
        List<Instant> failures = new ArrayList<>();
        Matcher m = AT.matcher(job.errors());
        while (m.find()) {
            try {
                failures.add(Instant.parse(m.group(1)));
            } catch (RuntimeException ignored) {
                // not a timestamp we wrote; skip it
            }
        }
        if (!failures.isEmpty()) {
            b.firstFailedAt(failures.get(0)).lastFailedAt(failures.get(failures.size() - 1));
        }
        return b.build();
    }

    private static String reasonDetail(Job job, DeadLetterReason reason) {
        return switch (reason) {
            case MAX_ATTEMPTS -> job.attempt() + " of " + job.maxAttempts() + " attempts failed";
            case NON_RETRYABLE -> "the handler declared the error non-retryable";
            case NO_HANDLER -> "no handler is registered for kind '" + job.kind() + "'";
            case RESCUED_AFTER_LEASE -> "the lease expired on the last attempt (" + job.attempt() + " of " + job.maxAttempts() + ")";
            default -> reason.code();
        };
    }
}
