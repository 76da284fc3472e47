package dev.opskit.deadletter;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The result of replaying one letter.
 *
 * @param id the letter's id
 * @param source the letter's source; null when not found
 * @param outcome what happened
 * @param detail why it failed or was refused (for example {@code no replay target registered for source 'webhook:x'}); null on success
 * @param reference what the target returned (for example the new job's id); null unless replayed
 */
public record ReplayResult(long id, @Nullable String source, ReplayOutcome outcome, @Nullable String detail,
                           @Nullable String reference) {
    public ReplayResult {
        Objects.requireNonNull(outcome, "outcome must not be null");
    }
}
