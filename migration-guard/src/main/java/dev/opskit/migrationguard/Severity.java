package dev.opskit.migrationguard;

/** How a finding affects the check's outcome. Configurable per rule (see {@link GuardConfig}). */
public enum Severity {
    /** Fails the check (exit code 1, Flyway aborts) unless approved. */
    BLOCKING,
    /** Reported, never fails the check. */
    WARNING,
    /** Not reported at all. */
    OFF;

    /** Lower-case name as used in configuration files and JSON ({@code blocking}, {@code warning}, {@code off}). */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Parses {@code blocking}, {@code warning} or {@code off} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static Severity parse(String s) {
        for (Severity v : values()) {
            if (v.id().equalsIgnoreCase(s.trim())) {
                return v;
            }
        }
        throw new IllegalArgumentException("severity must be blocking, warning or off, but was '" + s + "'");
    }
}
