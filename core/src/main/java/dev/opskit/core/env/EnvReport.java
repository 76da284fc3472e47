package dev.opskit.core.env;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of {@link EnvRequirements#check(EnvSource)}: every requirement's state and every
 * problem found, all at once. Immutable.
 *
 * <p>Never contains a secret's value, not even in part: secrets appear with their length only. A
 * plain variable's value appears only when it is not one of its allowed values (and then cut to
 * 40 characters); declare anything sensitive as a secret.
 */
public final class EnvReport {
    private static final int MAX_SHOWN = 40;

    /** How one requirement (or the environment itself) stands. */
    enum Status {
        OK("ok"), DEFAULTED("ok"), NOT_SET("not set"), SKIPPED("skipped"), PROBLEM("PROBLEM");

        final String label;

        Status(String label) {
            this.label = label;
        }
    }

    /** One line of the report. {@code text} never holds a secret's value. */
    record Line(String name, Status status, String text) {
    }

    private final @Nullable String environment;
    private final String environmentSource;
    private final List<Line> lines;
    private final Map<String, String> values;
    private final Set<String> plainNames;
    private final Set<String> secretNames;

    EnvReport(@Nullable String environment, String environmentSource, List<Line> lines, Map<String, String> values,
            Set<String> plainNames, Set<String> secretNames) {
        this.environment = environment;
        this.environmentSource = environmentSource;
        this.lines = List.copyOf(lines);
        this.values = Map.copyOf(values);
        this.plainNames = Set.copyOf(plainNames);
        this.secretNames = Set.copyOf(secretNames);
    }

    /** The environment the requirements were checked for ({@code prod}, say), if it was known. */
    public Optional<String> environment() {
        return Optional.ofNullable(environment);
    }

    /** True when every requirement holds. */
    public boolean ok() {
        return lines.stream().noneMatch(l -> l.status() == Status.PROBLEM);
    }

    /**
     * Every problem, one sentence each, in declaration order, for example
     * {@code "JWT_SECRET is too short: 12 characters, needs at least 32"}. Empty when all hold.
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (Line l : lines) {
            if (l.status() == Status.PROBLEM) {
                problems.add(l.name() + " " + l.text());
            }
        }
        return List.copyOf(problems);
    }

    /**
     * The value of a declared plain variable as the application should use it: the value that was
     * set, or its default. Empty when it is not set (optional, or a problem) or its requirement
     * does not apply in this environment.
     *
     * @throws IllegalArgumentException when {@code name} was not declared, or is a secret (read
     *     secrets from the {@link EnvSource} yourself; the report never holds them)
     */
    public Optional<String> value(String name) {
        Objects.requireNonNull(name, "name must not be null");
        if (secretNames.contains(name)) {
            throw new IllegalArgumentException(name + " is a secret; the report never holds secret values, read it from the source");
        }
        if (!plainNames.contains(name)) {
            throw new IllegalArgumentException(name + " is not a declared variable");
        }
        return Optional.ofNullable(values.get(name));
    }

    /**
     * A readable report, one line per requirement and a verdict at the end:
     *
     * <pre>
     * Environment requirements, environment 'prod' (from APP_ENV):
     *   ok       DATABASE_URL
     *   ok       LOG_LEVEL = info (default)
     *   PROBLEM  JWT_SECRET is too short: 12 characters, needs at least 32
     * NOT OK: 1 problem.
     * </pre>
     */
    public String format() {
        StringBuilder sb = new StringBuilder("Environment requirements, ");
        if (environment != null) {
            sb.append("environment '").append(environment).append("' (").append(environmentSource).append("):\n");
        } else {
            sb.append("environment unknown (").append(environmentSource).append("):\n");
        }
        for (Line l : lines) {
            sb.append("  ").append(String.format("%-8s", l.status().label)).append(' ').append(l.name());
            if (!l.text().isEmpty()) {
                sb.append(' ').append(l.text());
            }
            sb.append('\n');
        }
        int problems = problems().size();
        if (problems == 0) {
            sb.append("OK: all ").append(countRequirements()).append(" requirements hold.\n");
        } else {
            sb.append("NOT OK: ").append(problems).append(problems == 1 ? " problem.\n" : " problems.\n");
        }
        return sb.toString();
    }

    private long countRequirements() {
        return plainNames.size() + secretNames.size();
    }

    /** The same as {@link #format()}. */
    @Override
    public String toString() {
        return format();
    }

    /** A plain value for a problem message: quoted, cut to 40 characters. */
    static String shown(String value) {
        String cut = value.codePointCount(0, value.length()) <= MAX_SHOWN
                ? value
                : value.substring(0, value.offsetByCodePoints(0, MAX_SHOWN - 1)) + "…";
        return "'" + cut + "'";
    }
}
