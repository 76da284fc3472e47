package dev.opskit.deadletter;

import dev.opskit.core.internal.json.JsonText;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A dead letter to add, built with {@link #builder(String, String)}. Immutable; the builder
 * validates every value at once and names the bad one.
 *
 * <pre>{@code
 * NewDeadLetter letter = NewDeadLetter.builder("jobqueue:emails", "send-welcome-email")
 *         .payload("{\"userId\":42}")
 *         .header("jobId", "1234")
 *         .idempotencyKey("welcome-42")
 *         .error(exception)                 // error type, root cause type, message, capped stack trace
 *         .attempts(25)
 *         .firstFailedAt(firstFailure)
 *         .lastFailedAt(Instant.now())
 *         .reason(DeadLetterReason.MAX_ATTEMPTS, "25 of 25 attempts failed")
 *         .build();
 * store.add(connection, letter);          // in the caller's transaction
 * }</pre>
 */
public final class NewDeadLetter {
    /** Stack traces longer than this many characters are cut, with a marker saying how much was cut. */
    public static final int MAX_STACK_TRACE_CHARS = 16_000;
    /** Error messages longer than this many characters are cut. */
    public static final int MAX_MESSAGE_CHARS = 4_000;
    /** Longest accepted source, kind or idempotency key, in characters. */
    public static final int MAX_NAME_CHARS = 200;

    private final String source;
    private final String kind;
    private final String payload;
    private final Map<String, String> headers;
    private final @Nullable String idempotencyKey;
    private final @Nullable String errorType;
    private final @Nullable String causeType;
    private final @Nullable String message;
    private final @Nullable String stackTrace;
    private final String errorHistory;
    private final int attempts;
    private final @Nullable Instant firstFailedAt;
    private final @Nullable Instant lastFailedAt;
    private final @Nullable Instant diedAt;
    private final DeadLetterReason reason;
    private final @Nullable String reasonDetail;
    private final @Nullable Long replayOf;

    private NewDeadLetter(Builder b) {
        this.source = b.source;
        this.kind = b.kind;
        this.payload = b.payload;
        this.headers = Map.copyOf(b.headers);
        this.idempotencyKey = b.idempotencyKey;
        this.errorType = b.errorType;
        this.causeType = b.causeType;
        this.message = b.message;
        this.stackTrace = b.stackTrace;
        this.errorHistory = b.errorHistory;
        this.attempts = b.attempts;
        this.firstFailedAt = b.firstFailedAt;
        this.lastFailedAt = b.lastFailedAt;
        this.diedAt = b.diedAt;
        this.reason = b.reason;
        this.reasonDetail = b.reasonDetail;
        this.replayOf = b.replayOf;
    }

    /**
     * Starts a letter.
     *
     * @param source where the work came from, for example {@code jobqueue:emails}; 1 to 200 characters, no
     *               control characters, must not contain {@code *} (reserved for target patterns)
     * @param kind the kind of work; 1 to 200 characters
     * @throws IllegalArgumentException naming the bad value
     */
    public static Builder builder(String source, String kind) {
        return new Builder(source, kind);
    }

    public String source() { return source; }
    public String kind() { return kind; }
    /** JSON text; {@code "{}"} unless set. */
    public String payload() { return payload; }
    public Map<String, String> headers() { return headers; }
    /** May be null. */
    public @Nullable String idempotencyKey() { return idempotencyKey; }
    /** May be null. */
    public @Nullable String errorType() { return errorType; }
    /** May be null. */
    public @Nullable String causeType() { return causeType; }
    /** May be null; at most {@link #MAX_MESSAGE_CHARS}. */
    public @Nullable String message() { return message; }
    /** May be null; at most {@link #MAX_STACK_TRACE_CHARS} plus a short marker. */
    public @Nullable String stackTrace() { return stackTrace; }
    /** The work's earlier failures, a JSON array (one object per attempt); {@code []} unless set. */
    public String errorHistory() { return errorHistory; }
    public int attempts() { return attempts; }
    /** May be null. */
    public @Nullable Instant firstFailedAt() { return firstFailedAt; }
    /** May be null. */
    public @Nullable Instant lastFailedAt() { return lastFailedAt; }
    /** Null means "now" (the store's clock; the database's {@code now()} for PostgreSQL). */
    public @Nullable Instant diedAt() { return diedAt; }
    public DeadLetterReason reason() { return reason; }
    /** May be null. */
    public @Nullable String reasonDetail() { return reasonDetail; }
    /** May be null. */
    public @Nullable Long replayOf() { return replayOf; }

    @Override
    public String toString() {
        return "NewDeadLetter[source=" + source + ", kind=" + kind + ", reason=" + reason.code() + "]";
    }

    /** Cuts {@code text} to {@code max} characters, saying how many were cut. */
    static String cap(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        return text.substring(0, max) + "\n... [" + (text.length() - max) + " more characters cut]";
    }

    /** {@link #cap(String, int)}, null for null. */
    static @Nullable String capOrNull(@Nullable String text, int max) {
        return text == null ? null : cap(text, max);
    }

    /** Builder; not thread-safe. Every setter validates at once. */
    public static final class Builder {
        private final String source;
        private final String kind;
        private String payload = "{}";
        private final Map<String, String> headers = new LinkedHashMap<>();
        private @Nullable String idempotencyKey;
        private @Nullable String errorType;
        private @Nullable String causeType;
        private @Nullable String message;
        private @Nullable String stackTrace;
        private String errorHistory = "[]";
        private int attempts;
        private @Nullable Instant firstFailedAt;
        private @Nullable Instant lastFailedAt;
        private @Nullable Instant diedAt;
        private DeadLetterReason reason = DeadLetterReason.OTHER;
        private @Nullable String reasonDetail;
        private @Nullable Long replayOf;

        private Builder(String source, String kind) {
            this.source = requireName("source", source);
            if (source.contains("*")) {
                throw new IllegalArgumentException("source must not contain '*', but was '" + source + "'");
            }
            this.kind = requireName("kind", kind);
        }

        /**
         * The payload as JSON text (default {@code {}}). It is checked to be well-formed JSON when built.
         */
        public Builder payload(String json) {
            this.payload = Objects.requireNonNull(json, "payload must not be null");
            return this;
        }

        /** Adds one header; a later value for the same name replaces the earlier one. */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "header name must not be null");
            Objects.requireNonNull(value, "value of header '" + name + "' must not be null");
            if (name.isBlank()) {
                throw new IllegalArgumentException("header name must not be blank");
            }
            headers.put(name, value);
            return this;
        }

        /** Adds every header of {@code map}. */
        public Builder headers(Map<String, String> map) {
            Objects.requireNonNull(map, "headers must not be null");
            map.forEach(this::header);
            return this;
        }

        /** A key a replay target can use to recognise a duplicate hand-over; null for none. */
        public Builder idempotencyKey(@Nullable String key) {
            this.idempotencyKey = key == null ? null : requireName("idempotencyKey", key);
            return this;
        }

        /**
         * Takes the error type, the root cause's type, the message and the stack trace (capped at
         * {@link #MAX_STACK_TRACE_CHARS}) from {@code error}.
         */
        public Builder error(Throwable error) {
            Objects.requireNonNull(error, "error must not be null");
            Throwable root = error;
            for (int guard = 0; root.getCause() != null && root.getCause() != root && guard < 100; guard++) {
                root = root.getCause();
            }
            StringWriter sw = new StringWriter();
            error.printStackTrace(new PrintWriter(sw));
            this.errorType = error.getClass().getName();
            this.causeType = root.getClass().getName();
            this.message = capOrNull(error.getMessage(), MAX_MESSAGE_CHARS);
            this.stackTrace = cap(sw.toString(), MAX_STACK_TRACE_CHARS);
            return this;
        }

        /** The last error's class name, when there is no {@link Throwable} at hand; null for none. */
        public Builder errorType(@Nullable String type) {
            this.errorType = type;
            return this;
        }

        /** The root cause's class name; null for none. */
        public Builder causeType(@Nullable String type) {
            this.causeType = type;
            return this;
        }

        /** The last error's message; capped at {@link #MAX_MESSAGE_CHARS}; null for none. */
        public Builder message(@Nullable String message) {
            this.message = capOrNull(message, MAX_MESSAGE_CHARS);
            return this;
        }

        /** A stack trace as text; capped at {@link #MAX_STACK_TRACE_CHARS}; null for none. */
        public Builder stackTrace(@Nullable String stackTrace) {
            this.stackTrace = capOrNull(stackTrace, MAX_STACK_TRACE_CHARS);
            return this;
        }

        /**
         * The work's failures before it died, as a JSON array with one entry (usually an object)
         * per attempt; stored as JSON, so {@code show} and {@code list --format json} print it as
         * an array. Default {@code []}.
         *
         * @throws IllegalArgumentException when the text is not a JSON array
         */
        public Builder errorHistory(String jsonArray) {
            Objects.requireNonNull(jsonArray, "errorHistory must not be null");
            Object parsed;
            try {
                parsed = JsonText.parse(jsonArray);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("errorHistory must be a JSON array, but " + e.getMessage(), e);
            }
            if (!(parsed instanceof java.util.List<?>)) {
                throw new IllegalArgumentException("errorHistory must be a JSON array, but was "
                        + (jsonArray.length() <= 80 ? jsonArray : jsonArray.substring(0, 77) + "..."));
            }
            this.errorHistory = jsonArray;
            return this;
        }

        /** Attempts made before the work died; 0 or more (default 0). */
        public Builder attempts(int attempts) {
            if (attempts < 0) {
                throw new IllegalArgumentException("attempts must be 0 or more, but was " + attempts);
            }
            this.attempts = attempts;
            return this;
        }

        /** When the first attempt failed; null for unknown. */
        public Builder firstFailedAt(@Nullable Instant at) {
            this.firstFailedAt = at;
            return this;
        }

        /** When the last attempt failed; null for unknown. */
        public Builder lastFailedAt(@Nullable Instant at) {
            this.lastFailedAt = at;
            return this;
        }

        /** When the work died; null (default) for the time it is added. */
        public Builder diedAt(@Nullable Instant at) {
            this.diedAt = at;
            return this;
        }

        /** Why it died (default {@link DeadLetterReason#OTHER}). */
        public Builder reason(DeadLetterReason reason) {
            this.reason = Objects.requireNonNull(reason, "reason must not be null");
            return this;
        }

        /** Why it died, with free text (capped at {@link #MAX_MESSAGE_CHARS}; null for none). */
        public Builder reason(DeadLetterReason reason, @Nullable String detail) {
            reason(reason);
            this.reasonDetail = capOrNull(detail, MAX_MESSAGE_CHARS);
            return this;
        }

        /** The id of the dead letter whose replay produced this work; null (default) for none. */
        public Builder replayOf(@Nullable Long letterId) {
            if (letterId != null && letterId <= 0) {
                throw new IllegalArgumentException("replayOf must be a positive letter id, but was " + letterId);
            }
            this.replayOf = letterId;
            return this;
        }

        /**
         * Builds the letter.
         *
         * @throws IllegalArgumentException when the payload is not well-formed JSON (with the position) or
         *                                  lastFailedAt is before firstFailedAt
         */
        public NewDeadLetter build() {
            String jsonError = JsonText.jsonbSyntaxError(payload);
            if (jsonError != null) {
                throw new IllegalArgumentException("payload of dead letter from '" + source + "' is not valid JSON: " + jsonError);
            }
            if (firstFailedAt != null && lastFailedAt != null && lastFailedAt.isBefore(firstFailedAt)) {
                throw new IllegalArgumentException("lastFailedAt (" + lastFailedAt + ") must not be before firstFailedAt ("
                        + firstFailedAt + ")");
            }
            return new NewDeadLetter(this);
        }

        private static String requireName(String what, String value) {
            Objects.requireNonNull(value, what + " must not be null");
            if (value.isBlank() || value.length() > MAX_NAME_CHARS) {
                throw new IllegalArgumentException(what + " must be 1 to " + MAX_NAME_CHARS
                        + " characters and not blank, but was '" + value + "'");
            }
            for (int i = 0; i < value.length(); i++) {
                if (Character.isISOControl(value.charAt(i))) {
                    throw new IllegalArgumentException(what + " must not contain control characters, but was '"
                            + value.replaceAll("\\p{Cntrl}", "?") + "'");
                }
            }
            return value;
        }
    }
}
