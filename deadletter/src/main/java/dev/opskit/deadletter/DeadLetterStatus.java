package dev.opskit.deadletter;

import java.util.Locale;

/** Where a dead letter stands. Stored as its lower-case {@link #code()}. */
public enum DeadLetterStatus {
    /** Waiting: stored, not (successfully) replayed yet. Replay and the size metric look at these. */
    DEAD,
    /** Handed over to its replay target, which accepted it. Kept until {@code cleanup} or purge. */
    REPLAYED;

    /** The stored and printed form, for example {@code dead}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The status for a stored or typed code, case-insensitive.
     *
     * @throws IllegalArgumentException naming the code when it is unknown
     */
    public static DeadLetterStatus fromCode(String code) {
        if (code != null) {
            for (DeadLetterStatus s : values()) {
                if (s.code().equalsIgnoreCase(code.trim())) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("unknown dead-letter status '" + code + "'; known: dead, replayed");
    }
}
