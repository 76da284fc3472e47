package dev.opskit.deadletter;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a replay-all run replays and how fast, built with {@link #builder()}.
 *
 * @param filter which waiting letters; its status is forced to {@link DeadLetterStatus#DEAD}, its
 *               {@code afterId} and {@code limit} are ignored
 * @param ratePerSecond most letters handed over per second; 0 (default) for unthrottled
 * @param dryRun when true nothing is handed over or changed: each letter is only checked for a target
 * @param batchSize letters locked and handed over per transaction, 1 to 1000 (default 100); a smaller
 *                  batch holds row locks for less time, a larger one is faster
 */
public record ReplayAllRequest(DeadLetterQuery filter, double ratePerSecond, boolean dryRun, int batchSize) {
    /** Default letters per transaction. */
    public static final int DEFAULT_BATCH_SIZE = 100;

    public ReplayAllRequest {
        Objects.requireNonNull(filter, "filter must not be null");
        if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("ratePerSecond must be 0 (unthrottled) or more, but was " + ratePerSecond);
        }
        if (batchSize < 1 || batchSize > 1000) {
            throw new IllegalArgumentException("batchSize must be between 1 and 1000, but was " + batchSize);
        }
        filter = filter.toBuilder().status(DeadLetterStatus.DEAD).afterId(0).limit(DeadLetterQuery.DEFAULT_LIMIT).build();
    }

    /** A builder: every waiting letter, unthrottled, for real, batches of {@link #DEFAULT_BATCH_SIZE}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder; not thread-safe. */
    public static final class Builder {
        private DeadLetterQuery filter = DeadLetterQuery.waiting();
        private double ratePerSecond;
        private boolean dryRun;
        private int batchSize = DEFAULT_BATCH_SIZE;

        private Builder() {
        }

        /** Which letters (default all waiting letters). */
        public Builder filter(DeadLetterQuery filter) {
            this.filter = Objects.requireNonNull(filter, "filter must not be null");
            return this;
        }

        /** Shortcut for a filter on source only: exact or prefix ending in {@code *}; null for any. */
        public Builder source(@Nullable String source) {
            this.filter = filter.toBuilder().source(source).build();
            return this;
        }

        /** Most letters per second; 0 for unthrottled. */
        public Builder ratePerSecond(double ratePerSecond) {
            this.ratePerSecond = ratePerSecond;
            return this;
        }

        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** @throws IllegalArgumentException naming the bad value */
        public ReplayAllRequest build() {
            return new ReplayAllRequest(filter, ratePerSecond, dryRun, batchSize);
        }
    }
}
