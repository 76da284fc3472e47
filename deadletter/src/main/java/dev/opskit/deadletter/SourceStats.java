package dev.opskit.deadletter;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Counts of one source.
 *
 * @param source the source
 * @param waiting letters with status {@link DeadLetterStatus#DEAD}
 * @param replayed letters with status {@link DeadLetterStatus#REPLAYED} not yet cleaned up
 * @param oldestWaitingDiedAt {@code diedAt} of the oldest waiting letter; null when none waits
 */
public record SourceStats(String source, long waiting, long replayed, @Nullable Instant oldestWaitingDiedAt) {
}
