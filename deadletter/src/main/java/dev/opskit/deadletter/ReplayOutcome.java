package dev.opskit.deadletter;

import java.util.Locale;

/** What happened to one letter asked to be replayed. */
public enum ReplayOutcome {
    /** The target accepted it; the letter is now {@link DeadLetterStatus#REPLAYED}. */
    REPLAYED,
    /** Dry run: it would have been handed to a target (one exists); nothing changed. */
    DRY_RUN,
    /** The target threw; the letter stays waiting with {@link DeadLetter#lastReplayError()} set. */
    FAILED,
    /** No replay target is registered for its source; the letter stays waiting. */
    NO_TARGET,
    /** No letter has this id. */
    NOT_FOUND,
    /** It was already replayed (perhaps by a concurrent replay); nothing was handed over. */
    ALREADY_REPLAYED,
    /** Another replay holds it right now; nothing was handed over by this call. */
    BUSY;

    /** The printed and metric-tag form, for example {@code no_target}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True for outcomes where the letter was (or, in a dry run, would be) handed over. */
    public boolean isSuccess() {
        return this == REPLAYED || this == DRY_RUN;
    }
}
