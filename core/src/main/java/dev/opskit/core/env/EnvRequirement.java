package dev.opskit.core.env;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * One declared variable: a plain variable or a secret, required by default, optionally only in
 * some environments. Immutable; every {@code with...}/{@code only...} method returns a copy and
 * rejects a bad value at once, naming it.
 *
 * <pre>{@code
 * EnvRequirement.variable("LOG_LEVEL").oneOf("debug", "info", "warn").withDefault("info");
 * EnvRequirement.secret("JWT_SECRET", 32).onlyIn("prod", "staging");
 * }</pre>
 *
 * <p>A secret's value is never shown anywhere, not even in part: reports give only its length. A
 * secret therefore has no default, no pattern and no list of allowed values.
 */
public final class EnvRequirement {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");
    private static final Pattern ENVIRONMENT = Pattern.compile("[A-Za-z0-9_.-]+");

    private final String name;
    private final boolean secret;
    private final int minLength;
    private final boolean optional;
    private final Set<String> environments;
    private final @Nullable Pattern pattern;
    private final Set<String> allowedValues;
    private final @Nullable String defaultValue;

    private EnvRequirement(String name, boolean secret, int minLength, boolean optional, Set<String> environments,
            @Nullable Pattern pattern, Set<String> allowedValues, @Nullable String defaultValue) {
        this.name = name;
        this.secret = secret;
        this.minLength = minLength;
        this.optional = optional;
        this.environments = environments;
        this.pattern = pattern;
        this.allowedValues = allowedValues;
        this.defaultValue = defaultValue;
    }

    /**
     * A plain variable that must be set and not empty.
     *
     * @param name letters, digits, {@code _} and {@code .}, not starting with a digit
     * @throws IllegalArgumentException naming {@code name} when it is not such a name
     */
    public static EnvRequirement variable(String name) {
        return new EnvRequirement(requireName(name), false, 0, false, Set.of(), null, Set.of(), null);
    }

    /**
     * A secret that must be set and have at least {@code minLength} characters (counted as Unicode
     * code points).
     *
     * @throws IllegalArgumentException when {@code name} is not a valid name or {@code minLength} is below 1
     */
    public static EnvRequirement secret(String name, int minLength) {
        requireName(name);
        if (minLength < 1) {
            throw new IllegalArgumentException("minLength of " + name + " must be at least 1, but was " + minLength);
        }
        return new EnvRequirement(name, true, minLength, false, Set.of(), null, Set.of(), null);
    }

    /** A copy that is not required: when set, it is still checked; when not set, that is fine. */
    public EnvRequirement optional() {
        return new EnvRequirement(name, secret, minLength, true, environments, pattern, allowedValues, defaultValue);
    }

    /**
     * A copy that applies only in the named environments (compared without regard to case), for
     * example {@code onlyIn("prod", "staging")}. Elsewhere it is skipped.
     *
     * @throws IllegalArgumentException when no environment is given or one is not a plain word
     */
    public EnvRequirement onlyIn(String... environments) {
        Objects.requireNonNull(environments, "environments must not be null");
        if (environments.length == 0) {
            throw new IllegalArgumentException("onlyIn of " + name + " needs at least one environment");
        }
        Set<String> set = new LinkedHashSet<>();
        for (String e : environments) {
            Objects.requireNonNull(e, "environments must not contain null");
            if (!ENVIRONMENT.matcher(e).matches()) {
                throw new IllegalArgumentException("environment names of " + name + " must match " + ENVIRONMENT.pattern()
                        + ", but one was '" + e + "'");
            }
            set.add(e.toLowerCase(Locale.ROOT));
        }
        return new EnvRequirement(name, secret, minLength, optional, Collections.unmodifiableSet(set), pattern, allowedValues,
                defaultValue);
    }

    /**
     * A copy whose value must match {@code regex} as a whole. Not for secrets.
     *
     * @throws IllegalArgumentException when this is a secret, the regex is invalid, or the default does not match it
     */
    public EnvRequirement matching(String regex) {
        Objects.requireNonNull(regex, "regex must not be null");
        refuseForSecret("a pattern");
        Pattern compiled;
        try {
            compiled = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("pattern of " + name + " is not a valid regular expression: " + e.getDescription()
                    + " in '" + regex + "'", e);
        }
        return new EnvRequirement(name, secret, minLength, optional, environments, compiled, allowedValues, defaultValue)
                .checkDefault();
    }

    /**
     * A copy whose value must be one of {@code values} (case-sensitive). Not for secrets.
     *
     * @throws IllegalArgumentException when this is a secret, no value is given, or the default is not among them
     */
    public EnvRequirement oneOf(String... values) {
        Objects.requireNonNull(values, "values must not be null");
        refuseForSecret("a list of allowed values");
        if (values.length == 0) {
            throw new IllegalArgumentException("oneOf of " + name + " needs at least one value");
        }
        for (String v : values) {
            Objects.requireNonNull(v, "values must not contain null");
        }
        Set<String> set = Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(values)));
        return new EnvRequirement(name, secret, minLength, optional, environments, pattern, set, defaultValue).checkDefault();
    }

    /**
     * A copy that uses {@code value} when the variable is not set or empty, so it is never missing.
     * Not for secrets.
     *
     * @throws IllegalArgumentException when this is a secret, or {@code value} breaks the pattern or allowed values
     */
    public EnvRequirement withDefault(String value) {
        Objects.requireNonNull(value, "value must not be null");
        refuseForSecret("a default");
        return new EnvRequirement(name, secret, minLength, optional, environments, pattern, allowedValues, value).checkDefault();
    }

    /** The variable's name. */
    public String name() {
        return name;
    }

    /** True for a secret, whose value is never shown. */
    public boolean isSecret() {
        return secret;
    }

    /** The minimum length of a secret; 0 for a plain variable. */
    public int minLength() {
        return minLength;
    }

    /** True when an unset value is fine. */
    public boolean isOptional() {
        return optional;
    }

    /** The environments (lower case) it applies in; empty means every environment. */
    public Set<String> environments() {
        return environments;
    }

    /** The pattern a plain value must match as a whole, if any. */
    public Optional<Pattern> pattern() {
        return Optional.ofNullable(pattern);
    }

    /** The values a plain variable may take; empty means any. */
    public Set<String> allowedValues() {
        return allowedValues;
    }

    /** The value used when the variable is not set, if any. */
    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** True when it applies in {@code environment} ({@code null}: unknown, so only if it applies everywhere). */
    boolean appliesIn(@Nullable String environment) {
        return environments.isEmpty() || (environment != null && environments.contains(environment.toLowerCase(Locale.ROOT)));
    }

    /** What is required, for reports: {@code secret, at least 32 characters, only in prod, staging}. */
    String describe() {
        StringBuilder sb = new StringBuilder(secret ? "secret, at least " + minLength + " characters" : "variable");
        if (optional) {
            sb.append(", optional");
        }
        if (!allowedValues.isEmpty()) {
            sb.append(", one of ").append(String.join(", ", allowedValues));
        }
        if (pattern != null) {
            sb.append(", matching ").append(pattern.pattern());
        }
        if (!environments.isEmpty()) {
            sb.append(", only in ").append(String.join(", ", environments));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return name + " (" + describe() + (defaultValue == null ? "" : ", default " + defaultValue) + ")";
    }

    private void refuseForSecret(String what) {
        if (secret) {
            throw new IllegalArgumentException(name + " is a secret and cannot have " + what
                    + ": it would have to be shown or stored in the clear");
        }
    }

    private EnvRequirement checkDefault() {
        if (defaultValue != null) {
            if (!allowedValues.isEmpty() && !allowedValues.contains(defaultValue)) {
                throw new IllegalArgumentException("default of " + name + " must be one of " + String.join(", ", allowedValues)
                        + ", but was '" + defaultValue + "'");
            }
            if (pattern != null && !pattern.matcher(defaultValue).matches()) {
                throw new IllegalArgumentException("default of " + name + " must match " + pattern.pattern()
                        + ", but was '" + defaultValue + "'");
            }
        }
        return this;
    }

    static String requireName(String name) {
        Objects.requireNonNull(name, "name must not be null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("variable name must match " + NAME.pattern() + ", but was '" + name + "'");
        }
        return name;
    }

    static String requireEnvironmentName(String environment, String what) {
        Objects.requireNonNull(environment, what + " must not be null");
        if (!ENVIRONMENT.matcher(environment).matches()) {
            throw new IllegalArgumentException(what + " must match " + ENVIRONMENT.pattern() + ", but was '" + environment + "'");
        }
        return environment;
    }
}
