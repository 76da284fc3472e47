package dev.opskit.migrationguard;

/** Report formats for {@link Report#format(OutputFormat)} and the command line's {@code --format}. */
public enum OutputFormat {
    /** Human-readable lines: {@code file:line:column: blocking [rule] message}, then a summary. */
    TEXT,
    /** One JSON object with {@code findings} and {@code summary}. */
    JSON,
    /** SARIF 2.1.0, accepted by GitHub code scanning ({@code github/codeql-action/upload-sarif}). */
    SARIF,
    /** GitHub Actions workflow commands: {@code ::error file=...,line=...,col=...,title=rule::message}. */
    GITHUB;

    /**
     * Parses {@code text}, {@code json}, {@code sarif} or {@code github} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public static OutputFormat parse(String s) {
        for (OutputFormat f : values()) {
            if (f.name().equalsIgnoreCase(s)) {
                return f;
            }
        }
        throw new IllegalArgumentException("format must be text, json, sarif or github, but was '" + s + "'");
    }
}
