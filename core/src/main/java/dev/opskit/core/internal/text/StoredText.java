package dev.opskit.core.internal.text;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The one check of every string opskit stores in PostgreSQL: PostgreSQL text cannot hold U+0000,
 * and an unpaired UTF-16 surrogate has no UTF-8 form, so the driver sends {@code ?} in its place:
 * two different Java strings become the same stored text (two unique keys collide, a payload
 * changes silently). Internal to opskit: not API.
 */
public final class StoredText {
    private StoredText() {
    }

    /**
     * The first problem of {@code value} for storing, with its position counted from 1, or
     * {@code null} when there is none.
     */
    public static @Nullable String problem(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                return "contains the NUL character (U+0000) at character " + (i + 1) + ", which PostgreSQL text cannot store";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return unpaired(c, i);
            }
            if (Character.isLowSurrogate(c)) {
                return unpaired(c, i);
            }
        }
        return null;
    }

    private static String unpaired(char c, int i) {
        return String.format("contains an unpaired UTF-16 surrogate U+%04X at character %d, which has no UTF-8 form "
                + "(it would be stored as '?')", (int) c, i + 1);
    }

    /**
     * Returns {@code value} when it can be stored as it is.
     *
     * @param argument the argument's name for the message ({@code "uniqueKey"})
     * @throws NullPointerException when {@code value} is null
     * @throws IllegalArgumentException naming the argument, the problem and its position
     */
    public static String requireStorable(String argument, String value) {
        Objects.requireNonNull(value, () -> argument + " must not be null");
        String problem = problem(value);
        if (problem != null) {
            throw new IllegalArgumentException(argument + " " + problem);
        }
        return value;
    }

    /** {@code value} (null stays null) with NUL and unpaired surrogates replaced by U+FFFD: for error texts, which must never fail to store. */
    public static String replaceUnstorable(String value) {
        if (value == null || problem(value) == null) {
            return value;
        }
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                sb.append(c).append(value.charAt(++i));
            } else if (c == '\0' || Character.isSurrogate(c)) {
                sb.append('\uFFFD');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
