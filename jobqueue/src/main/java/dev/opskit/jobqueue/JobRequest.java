package dev.opskit.jobqueue;

import dev.opskit.core.internal.json.JsonText;
import dev.opskit.core.internal.text.StoredText;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A job to enqueue: what to run ({@code kind} and a JSON {@code payload}), where ({@code queue}),
 * when ({@code runAt} or {@code delay}), how often it may be tried ({@code maxAttempts}), its
 * {@code priority} and an optional {@code uniqueKey}. Immutable; built with
 * {@link #builder(String)}, which checks every value at once and names the bad one.
 *
 * <pre>{@code
 * JobRequest r = JobRequest.builder("send-email")
 *         .payload("{\"to\":\"ana@example.com\"}")
 *         .queue("emails")
 *         .delay(Duration.ofMinutes(5))
 *         .uniqueKey("welcome-mail:42")
 *         .build();
 * }</pre>
 */
public final class JobRequest {
    /** The queue used when none is given. */
    public static final String DEFAULT_QUEUE = "default";
    /** The maximum number of attempts when none is given. */
    public static final int DEFAULT_MAX_ATTEMPTS = 20;
    /** The largest allowed {@code maxAttempts}. */
    public static final int MAX_MAX_ATTEMPTS = 10_000;
    private static final Instant RUN_AT_LIMIT = Instant.parse("+10000-01-01T00:00:00Z");

    /** The default priority; lower numbers run first. */
    public static final int DEFAULT_PRIORITY = 0;
    /** Allowed priorities: from {@value #MIN_PRIORITY} (first) to {@value #MAX_PRIORITY} (last). */
    public static final int MIN_PRIORITY = -100;
    /** See {@link #MIN_PRIORITY}. */
    public static final int MAX_PRIORITY = 100;

    static final Pattern QUEUE = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
    static final Pattern KIND = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:/-]{0,199}");
    private static final int MAX_UNIQUE_KEY = 500;

    private final String queue;
    private final String kind;
    private final String payload;
    private final int priority;
    private final @Nullable Instant runAt;
    private final Duration delay;
    private final int maxAttempts;
    private final @Nullable String uniqueKey;
    private final @Nullable Long replayOf;

    private JobRequest(Builder b) {
        this.queue = b.queue;
        this.kind = b.kind;
        this.payload = b.payload;
        this.priority = b.priority;
        this.runAt = b.runAt;
        this.delay = b.delay;
        this.maxAttempts = b.maxAttempts;
        this.uniqueKey = b.uniqueKey;
        this.replayOf = b.replayOf;
    }

    /**
     * Starts a request for a job of {@code kind}, the name its handler is registered under.
     *
     * @param kind letters, digits and {@code _ . : / -}, starting with a letter or digit, at most 200 characters
     * @throws IllegalArgumentException naming the kind when it does not fit
     */
    public static Builder builder(String kind) {
        return new Builder(kind);
    }

    /** Shorthand for {@code builder(kind).payload(payloadJson).build()}. */
    public static JobRequest of(String kind, String payloadJson) {
        return builder(kind).payload(payloadJson).build();
    }

    /** The queue name. */
    public String queue() {
        return queue;
    }

    /** The kind, which selects the handler. */
    public String kind() {
        return kind;
    }

    /** The payload, JSON text. */
    public String payload() {
        return payload;
    }

    /** The priority; lower runs first. */
    public int priority() {
        return priority;
    }

    /** The absolute time to run at, when one was given (else {@link #delay()} applies). */
    public Optional<Instant> runAt() {
        return Optional.ofNullable(runAt);
    }

    /** The delay from enqueue (on the database's clock) when no {@link #runAt()} was given; zero by default. */
    public Duration delay() {
        return delay;
    }

    /** How many times the job may be tried, at least 1. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The unique key, if any. */
    public Optional<String> uniqueKey() {
        return Optional.ofNullable(uniqueKey);
    }

    /** The id of the dead letter this job replays, if it was enqueued by a replay. */
    public Optional<Long> replayOf() {
        return Optional.ofNullable(replayOf);
    }

    @Override
    public String toString() {
        return "JobRequest[queue=" + queue + ", kind=" + kind + ", priority=" + priority
                + (runAt != null ? ", runAt=" + runAt : ", delay=" + delay) + ", maxAttempts=" + maxAttempts
                + (uniqueKey != null ? ", uniqueKey=" + uniqueKey : "") + "]";
    }

    /** Builds a {@link JobRequest}; each setter checks its value at once. Not thread-safe. */
    public static final class Builder {
        private String queue = DEFAULT_QUEUE;
        private final String kind;
        private String payload = "{}";
        private int priority = DEFAULT_PRIORITY;
        private @Nullable Instant runAt;
        private Duration delay = Duration.ZERO;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private @Nullable String uniqueKey;
        private @Nullable Long replayOf;

        private Builder(String kind) {
            this.kind = requireKind(kind);
        }

        /**
         * The queue; default {@value JobRequest#DEFAULT_QUEUE}.
         *
         * @param queue lower-case letters, digits and {@code _ . -}, starting with a letter or digit, at most 63 characters
         * @throws IllegalArgumentException naming the queue when it contains anything else
         */
        public Builder queue(String queue) {
            this.queue = requireQueue(queue);
            return this;
        }

        /**
         * The payload as JSON text (any JSON value; objects are usual); default {@code {}}.
         *
         * @throws IllegalArgumentException when the text is not valid JSON, naming the position of the error
         */
        public Builder payload(String json) {
            Objects.requireNonNull(json, "payload must not be null");
            String error = JsonText.jsonbSyntaxError(json);
            if (error != null) {
                throw new IllegalArgumentException("payload must be valid JSON, but " + error + ": " + abbreviate(json));
            }
            this.payload = json;
            return this;
        }

        /**
         * The priority, from {@value JobRequest#MIN_PRIORITY} (runs first) to
         * {@value JobRequest#MAX_PRIORITY}; default {@value JobRequest#DEFAULT_PRIORITY}.
         */
        public Builder priority(int priority) {
            if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
                throw new IllegalArgumentException("priority must be between " + MIN_PRIORITY + " and " + MAX_PRIORITY
                        + ", but was " + priority);
            }
            this.priority = priority;
            return this;
        }

        /**
         * Run no earlier than {@code runAt}; a time in the past means "now". Replaces any {@link #delay}.
         *
         * @throws IllegalArgumentException when {@code runAt} is in the year 10000 or later
         */
        public Builder runAt(Instant runAt) {
            Objects.requireNonNull(runAt, "runAt must not be null");
            if (!runAt.isBefore(RUN_AT_LIMIT)) {
                throw new IllegalArgumentException("runAt must be before " + RUN_AT_LIMIT + ", but was " + runAt);
            }
            this.runAt = runAt;
            this.delay = Duration.ZERO;
            return this;
        }

        /**
         * Run no earlier than {@code delay} after the enqueue (measured on the database's clock);
         * default zero. Replaces any {@link #runAt}.
         *
         * @throws IllegalArgumentException when the delay is negative
         */
        public Builder delay(Duration delay) {
            Objects.requireNonNull(delay, "delay must not be null");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative, but was " + delay);
            }
            if (delay.compareTo(Duration.ofDays(365L * 100)) > 0) {
                throw new IllegalArgumentException("delay must be at most 100 years, but was " + delay);
            }
            this.delay = delay;
            this.runAt = null;
            return this;
        }

        /**
         * How many times the job may be tried before it goes to the dead letters; default
         * {@value JobRequest#DEFAULT_MAX_ATTEMPTS}, at least 1, at most {@value JobRequest#MAX_MAX_ATTEMPTS}.
         */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, but was " + maxAttempts);
            }
            if (maxAttempts > MAX_MAX_ATTEMPTS) {
                throw new IllegalArgumentException("maxAttempts must be at most " + MAX_MAX_ATTEMPTS + ", but was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * A key that makes the job unique per kind while it waits or runs: enqueueing another
         * job of the same kind with the same key returns the existing job and inserts nothing.
         * Once the job finished, the key is free again. Default: none.
         *
         * @param uniqueKey not blank, at most 500 characters; {@code null} for none
         */
        public Builder uniqueKey(@Nullable String uniqueKey) {
            if (uniqueKey != null && (uniqueKey.isBlank() || uniqueKey.length() > MAX_UNIQUE_KEY)) {
                throw new IllegalArgumentException("uniqueKey must be non-blank and at most " + MAX_UNIQUE_KEY
                        + " characters, but was '" + abbreviate(uniqueKey) + "'");
            }
            if (uniqueKey != null) {
                // two keys that differ only in a lone surrogate would be stored alike and collide
                StoredText.requireStorable("uniqueKey", uniqueKey);
            }
            this.uniqueKey = uniqueKey;
            return this;
        }

        /** Links the job to the dead letter it replays (set by the replay target; rarely set by hand); {@code null} for none. */
        public Builder replayOf(@Nullable Long deadLetterId) {
            this.replayOf = deadLetterId;
            return this;
        }

        /** The request. */
        public JobRequest build() {
            return new JobRequest(this);
        }
    }

    static String requireKind(String kind) {
        Objects.requireNonNull(kind, "kind must not be null");
        if (!KIND.matcher(kind).matches()) {
            throw new IllegalArgumentException("kind must match " + KIND.pattern() + " (letters, digits, _ . : / -), but was '"
                    + abbreviate(kind) + "'");
        }
        return kind;
    }

    /**
     * Checks a queue name: lower-case letters, digits and {@code _ . -}, at most 63 characters.
     *
     * @return the name
     * @throws IllegalArgumentException naming the queue when it does not fit
     */
    public static String requireQueue(String queue) {
        Objects.requireNonNull(queue, "queue must not be null");
        if (!QUEUE.matcher(queue).matches()) {
            throw new IllegalArgumentException("queue must match " + QUEUE.pattern()
                    + " (lower-case letters, digits, _ . -; at most 63 characters), but was '" + abbreviate(queue) + "'");
        }
        return queue;
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
