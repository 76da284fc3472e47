package dev.opskit.health;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Names of check groups. A group is a plain string; the three below have a meaning of their own,
 * any other valid name is a custom group served at {@code /health/<name>}.
 *
 * <ul>
 *   <li>{@link #LIVENESS}: is this process able to make progress at all? Only checks that depend on
 *       nothing outside the process belong here (the built-in deadlock check). A failing liveness
 *       probe makes the orchestrator restart the process, so a database outage must never be here.</li>
 *   <li>{@link #READINESS}: should this instance receive traffic now? Dependencies belong here.</li>
 *   <li>{@link #STARTUP}: has the process finished starting? Readiness answers 503 until every
 *       startup check has passed once.</li>
 * </ul>
 */
public final class HealthGroup {
    /** {@value}: served at {@code /health/live} and {@code /livez}. */
    public static final String LIVENESS = "liveness";
    /** {@value}: served at {@code /health/ready} and {@code /readyz}. */
    public static final String READINESS = "readiness";
    /** {@value}: served at {@code /health/started}. */
    public static final String STARTUP = "startup";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

    private HealthGroup() {
    }

    /**
     * Checks a group name: lower-case letters, digits, {@code _ . -}, starting with a letter or
     * digit, at most 63 characters.
     *
     * @return {@code name}
     * @throws IllegalArgumentException naming the bad value
     */
    public static String requireValid(String name) {
        Objects.requireNonNull(name, "group must not be null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("group must match " + NAME.pattern() + ", but was '" + name + "'");
        }
        return name;
    }
}
