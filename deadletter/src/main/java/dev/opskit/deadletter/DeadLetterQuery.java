package dev.opskit.deadletter;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Which letters to list, count or replay, built with {@link #builder()}. Every filter is optional;
 * filters combine with AND. Immutable.
 *
 * <p>Source matching: {@code source("jobqueue:emails")} matches that source exactly;
 * {@code source("jobqueue:*")} matches every source starting with {@code jobqueue:} (a trailing
 * {@code *} is the only wildcard).
 *
 * <p>Keyset pagination: letters come in increasing id order; pass the last page's
 * {@link DeadLetterPage#nextAfterId()} as {@link Builder#afterId(long)} to get the next page.
 *
 * @param source exact source or prefix pattern ending in {@code *}; null for any
 * @param kind exact kind; null for any
 * @param reason null for any
 * @param status null for any (default {@link DeadLetterStatus#DEAD}: only waiting letters)
 * @param diedFrom inclusive lower bound of {@code diedAt}; null for none
 * @param diedBefore exclusive upper bound of {@code diedAt}; null for none
 * @param afterId only letters with a larger id (keyset cursor); 0 for the start
 * @param limit page size, 1 to {@link #MAX_LIMIT} (default {@link #DEFAULT_LIMIT})
 */
public record DeadLetterQuery(@Nullable String source, @Nullable String kind, @Nullable DeadLetterReason reason,
                              @Nullable DeadLetterStatus status, @Nullable Instant diedFrom, @Nullable Instant diedBefore,
                              long afterId, int limit) {
    /** Default page size. */
    public static final int DEFAULT_LIMIT = 50;
    /** Largest page size. */
    public static final int MAX_LIMIT = 10_000;

    public DeadLetterQuery {
        if (source != null) {
            int star = source.indexOf('*');
            if (source.isBlank() || (star >= 0 && star != source.length() - 1)) {
                throw new IllegalArgumentException("source filter must be a source or a prefix ending in a single '*', but was '"
                        + source + "'");
            }
        }
        if (afterId < 0) {
            throw new IllegalArgumentException("afterId must be 0 or more, but was " + afterId);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", but was " + limit);
        }
        if (diedFrom != null && diedBefore != null && !diedFrom.isBefore(diedBefore)) {
            throw new IllegalArgumentException("diedFrom (" + diedFrom + ") must be before diedBefore (" + diedBefore + ")");
        }
    }

    /** Waiting letters of every source, first page. */
    public static DeadLetterQuery waiting() {
        return builder().build();
    }

    /** A builder that starts with only-waiting letters, no other filter, the first page of {@link #DEFAULT_LIMIT}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder with this query's values, to change one of them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.source = source;
        b.kind = kind;
        b.reason = reason;
        b.status = status;
        b.diedFrom = diedFrom;
        b.diedBefore = diedBefore;
        b.afterId = afterId;
        b.limit = limit;
        return b;
    }

    /** This query for the page after letter {@code id}. */
    public DeadLetterQuery after(long id) {
        return toBuilder().afterId(id).build();
    }

    /** True when {@code letter} passes every filter except the page bounds. */
    public boolean matches(DeadLetter letter) {
        Objects.requireNonNull(letter, "letter must not be null");
        return matchesSource(source, letter.source())
                && (kind == null || kind.equals(letter.kind()))
                && (reason == null || reason == letter.reason())
                && (status == null || status == letter.status())
                && (diedFrom == null || !letter.diedAt().isBefore(diedFrom))
                && (diedBefore == null || letter.diedAt().isBefore(diedBefore));
    }

    /** True when {@code pattern} (exact, or prefix ending in {@code *}, or null for any) matches {@code source}. */
    public static boolean matchesSource(@Nullable String pattern, String source) {
        if (pattern == null) {
            return true;
        }
        if (pattern.endsWith("*")) {
            return source.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return pattern.equals(source);
    }

    /** Builder; not thread-safe. */
    public static final class Builder {
        private @Nullable String source;
        private @Nullable String kind;
        private @Nullable DeadLetterReason reason;
        private @Nullable DeadLetterStatus status = DeadLetterStatus.DEAD;
        private @Nullable Instant diedFrom;
        private @Nullable Instant diedBefore;
        private long afterId;
        private int limit = DEFAULT_LIMIT;

        private Builder() {
        }

        /** Exact source, or a prefix ending in {@code *} ({@code jobqueue:*}); null for any. */
        public Builder source(@Nullable String source) {
            this.source = source;
            return this;
        }

        /** Exact kind; null for any. */
        public Builder kind(@Nullable String kind) {
            this.kind = kind;
            return this;
        }

        /** Null for any. */
        public Builder reason(@Nullable DeadLetterReason reason) {
            this.reason = reason;
            return this;
        }

        /** Null for any status; default {@link DeadLetterStatus#DEAD}. */
        public Builder status(@Nullable DeadLetterStatus status) {
            this.status = status;
            return this;
        }

        /** Letters with any status. */
        public Builder anyStatus() {
            this.status = null;
            return this;
        }

        /** Inclusive lower bound of {@code diedAt}; null for none. */
        public Builder diedFrom(@Nullable Instant from) {
            this.diedFrom = from;
            return this;
        }

        /** Exclusive upper bound of {@code diedAt}; null for none. */
        public Builder diedBefore(@Nullable Instant before) {
            this.diedBefore = before;
            return this;
        }

        /** Keyset cursor: only letters with an id larger than this. */
        public Builder afterId(long afterId) {
            this.afterId = afterId;
            return this;
        }

        /** Page size, 1 to {@link #MAX_LIMIT}. */
        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        /** @throws IllegalArgumentException naming the bad value */
        public DeadLetterQuery build() {
            return new DeadLetterQuery(source, kind, reason, status, diedFrom, diedBefore, afterId, limit);
        }
    }
}
