package dev.opskit.deadletter;

import java.util.Locale;

/**
 * Why a piece of work was given up on. Stored as its lower-case {@link #code()}; a free-text
 * {@linkplain DeadLetter#reasonDetail() detail} says more.
 */
public enum DeadLetterReason {
    /** Every allowed attempt failed. */
    MAX_ATTEMPTS,
    /** The failure was classified as not worth retrying (a permanent error). */
    NON_RETRYABLE,
    /** No handler is registered for the work's kind. */
    NO_HANDLER,
    /** The work's lease expired too often (its worker died or hung) and it was rescued for the last time. */
    RESCUED_AFTER_LEASE,
    /** The work could not finish before the process shut down and may not be retried. */
    SHUTDOWN,
    /** An operator or application code moved it here on purpose. */
    MANUAL,
    /** Anything else; say what in the detail. */
    OTHER;

    /** The stored and printed form, for example {@code max_attempts}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The reason for a stored or typed code, case-insensitive ({@code max_attempts}, {@code MAX_ATTEMPTS}).
     *
     * @throws IllegalArgumentException naming the code and the known ones when it is unknown
     */
    public static DeadLetterReason fromCode(String code) {
        if (code != null) {
            for (DeadLetterReason r : values()) {
                if (r.code().equalsIgnoreCase(code.trim())) {
                    return r;
                }
            }
        }
        throw new IllegalArgumentException("unknown dead-letter reason '" + code + "'; known reasons: "
                + java.util.Arrays.stream(values()).map(DeadLetterReason::code).toList());
    }
}
