package dev.opskit.deadletter;

import java.util.List;
import java.util.OptionalLong;

/**
 * One page of letters in increasing id order.
 *
 * @param letters the letters, at most the query's limit
 * @param hasMore true when at least one more letter matches after the last one
 */
public record DeadLetterPage(List<DeadLetter> letters, boolean hasMore) {
    public DeadLetterPage {
        letters = List.copyOf(letters);
    }

    /** The cursor for the next page ({@link DeadLetterQuery#after(long)}), empty on the last page. */
    public OptionalLong nextAfterId() {
        return hasMore && !letters.isEmpty() ? OptionalLong.of(letters.get(letters.size() - 1).id()) : OptionalLong.empty();
    }
}
