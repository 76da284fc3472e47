package dev.opskit.core.env;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The environment variables and secrets a service needs, checked all at once.
 *
 * <p>At start-up, {@link #requireAll(EnvSource)} throws one {@link EnvRequirementsException} that
 * lists every problem (not just the first), so an operator fixes a deployment in one go. In a
 * deploy pipeline, {@code opskit env check} ({@code dev.opskit.core.cli.EnvCli}) does the same from a requirements file and exits non-zero. A
 * secret's value is never shown, not even in part; reports give its length only.
 *
 * <pre>{@code
 * EnvRequirements requirements = EnvRequirements.builder()
 *         .variable("DATABASE_URL")
 *         .add(EnvRequirement.variable("LOG_LEVEL").oneOf("debug", "info", "warn").withDefault("info"))
 *         .secret("JWT_SECRET", 32)
 *         .add(EnvRequirement.secret("STRIPE_SECRET_KEY", 20).onlyIn("prod", "staging"))
 *         .build();
 * EnvReport env = requirements.requireAll(EnvSource.environment());
 * String logLevel = env.value("LOG_LEVEL").orElseThrow();
 * }</pre>
 *
 * <p><b>Environments.</b> A requirement limited with {@link EnvRequirement#onlyIn} applies only
 * when the current environment is one of those named. The current environment is the value of
 * the variable {@value #DEFAULT_ENVIRONMENT_VARIABLE} (change it with
 * {@link Builder#environmentVariable}), or the {@linkplain Builder#defaultEnvironment default
 * environment} when that variable is not set. When neither gives an environment and some
 * requirement depends on it, that is itself a problem: a production deploy that forgot to say it
 * is production must not skip its production checks.
 *
 * <p>Immutable and thread-safe.
 */
public final class EnvRequirements {
    /** The variable that names the current environment unless the builder says otherwise. */
    public static final String DEFAULT_ENVIRONMENT_VARIABLE = "APP_ENV";

    private final List<EnvRequirement> requirements;
    private final String environmentVariable;
    private final @Nullable String defaultEnvironment;

    private EnvRequirements(Builder b) {
        this.requirements = List.copyOf(b.requirements.values());
        this.environmentVariable = b.environmentVariable;
        this.defaultEnvironment = b.defaultEnvironment;
    }

    /** A builder with no requirements, reading the environment from {@value #DEFAULT_ENVIRONMENT_VARIABLE}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a requirements file (format described in the module's README and in {@code opskit env check} ({@code dev.opskit.core.cli.EnvCli})).
     *
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException naming the file and line when a line is invalid
     */
    public static EnvRequirements load(Path file) throws IOException {
        Objects.requireNonNull(file, "file must not be null");
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * Parses the text of a requirements file.
     *
     * @param origin names the text in error messages, for example its file name
     * @throws IllegalArgumentException naming {@code origin} and the line when a line is invalid
     */
    public static EnvRequirements parse(String text, String origin) {
        Objects.requireNonNull(text, "text must not be null");
        Objects.requireNonNull(origin, "origin must not be null");
        return RequirementsFile.parse(text, origin);
    }

    /** The requirements, in declaration order. */
    public List<EnvRequirement> requirements() {
        return requirements;
    }

    /** The variable that names the current environment. */
    public String environmentVariable() {
        return environmentVariable;
    }

    /**
     * Checks every requirement against {@code source}; the environment comes from the
     * environment variable in {@code source} (or the default environment).
     *
     * @return the report, listing every problem; never throws for a problem
     */
    public EnvReport check(EnvSource source) {
        Objects.requireNonNull(source, "source must not be null");
        String fromSource = source.get(environmentVariable);
        if (fromSource != null && !fromSource.isBlank()) {
            return run(source, fromSource.strip(), "from " + environmentVariable);
        }
        if (defaultEnvironment != null) {
            return run(source, defaultEnvironment, environmentVariable + " not set, default");
        }
        return run(source, null, environmentVariable + " not set");
    }

    /**
     * Checks every requirement against {@code source} for the given environment, ignoring the
     * environment variable; for a pipeline that knows which environment it deploys to.
     */
    public EnvReport check(EnvSource source, String environment) {
        Objects.requireNonNull(source, "source must not be null");
        EnvRequirement.requireEnvironmentName(environment, "environment");
        return run(source, environment, "given");
    }

    /**
     * Checks every requirement and throws when any does not hold; for application start-up.
     *
     * @return the report, for {@link EnvReport#value(String)}
     * @throws EnvRequirementsException listing every problem at once
     */
    public EnvReport requireAll(EnvSource source) {
        EnvReport report = check(source);
        if (!report.ok()) {
            throw new EnvRequirementsException(report);
        }
        return report;
    }

    private EnvReport run(EnvSource source, @Nullable String environment, String environmentSource) {
        List<EnvReport.Line> lines = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        Set<String> plain = new LinkedHashSet<>();
        Set<String> secrets = new LinkedHashSet<>();
        if (environment == null) {
            List<String> dependent = requirements.stream().filter(r -> !r.environments().isEmpty())
                    .map(EnvRequirement::name).toList();
            if (!dependent.isEmpty()) {
                lines.add(new EnvReport.Line(environmentVariable, EnvReport.Status.PROBLEM,
                        "is not set, so it is unknown whether " + String.join(", ", dependent)
                                + " apply; set it to the name of the environment (for example prod)"));
            }
        }
        for (EnvRequirement r : requirements) {
            (r.isSecret() ? secrets : plain).add(r.name());
            if (!r.appliesIn(environment)) {
                // with no environment, the one problem about the environment variable covers these
                String only = "only in " + String.join(", ", r.environments());
                lines.add(new EnvReport.Line(r.name(), EnvReport.Status.SKIPPED,
                        environment == null ? "(not checked, the environment is unknown; " + only + ")" : "(" + only + ")"));
                continue;
            }
            String raw = source.get(r.name());
            boolean unset = raw == null || raw.isEmpty();
            if (unset && r.defaultValue().isPresent()) {
                values.put(r.name(), r.defaultValue().get());
                lines.add(new EnvReport.Line(r.name(), EnvReport.Status.DEFAULTED, "= " + r.defaultValue().get() + " (default)"));
            } else if (unset) {
                if (r.isOptional()) {
                    lines.add(new EnvReport.Line(r.name(), EnvReport.Status.NOT_SET, "(optional)"));
                } else {
                    lines.add(new EnvReport.Line(r.name(), EnvReport.Status.PROBLEM,
                            (raw == null ? "is missing" : "is set but empty") + " (" + r.describe() + ")"));
                }
            } else if (r.isSecret()) {
                lines.add(checkSecret(r, Objects.requireNonNull(raw)));
            } else {
                EnvReport.Line line = checkPlain(r, Objects.requireNonNull(raw));
                if (line.status() != EnvReport.Status.PROBLEM) {
                    values.put(r.name(), raw);
                }
                lines.add(line);
            }
        }
        return new EnvReport(environment, environmentSource, lines, values, plain, secrets);
    }

    private static EnvReport.Line checkSecret(EnvRequirement r, String value) {
        int length = value.codePointCount(0, value.length());
        if (value.isBlank()) {
            return new EnvReport.Line(r.name(), EnvReport.Status.PROBLEM,
                    "is only whitespace (" + length + " characters); a secret of at least " + r.minLength() + " characters is needed");
        }
        if (length < r.minLength()) {
            return new EnvReport.Line(r.name(), EnvReport.Status.PROBLEM,
                    "is too short: " + length + (length == 1 ? " character" : " characters") + ", needs at least " + r.minLength());
        }
        return new EnvReport.Line(r.name(), EnvReport.Status.OK, "(secret, " + length + " characters)");
    }

    private static EnvReport.Line checkPlain(EnvRequirement r, String value) {
        if (value.isBlank()) {
            return new EnvReport.Line(r.name(), EnvReport.Status.PROBLEM, "is only whitespace (" + r.describe() + ")");
        }
        if (!r.allowedValues().isEmpty() && !r.allowedValues().contains(value)) {
            return new EnvReport.Line(r.name(), EnvReport.Status.PROBLEM,
                    "is " + EnvReport.shown(value) + ", but must be one of " + String.join(", ", r.allowedValues()));
        }
        if (r.pattern().isPresent() && !r.pattern().get().matcher(value).matches()) {
            // the value is not shown: a URL with a password in it is a plain variable more often than not
            return new EnvReport.Line(r.name(), EnvReport.Status.PROBLEM,
                    "does not match the pattern " + r.pattern().get().pattern() + " (value not shown, "
                            + value.codePointCount(0, value.length()) + " characters)");
        }
        return new EnvReport.Line(r.name(), EnvReport.Status.OK, "");
    }

    /** Collects requirements; {@link #build()} returns the immutable set. Not thread-safe. */
    public static final class Builder {
        private final Map<String, EnvRequirement> requirements = new LinkedHashMap<>();
        private String environmentVariable = DEFAULT_ENVIRONMENT_VARIABLE;
        private @Nullable String defaultEnvironment;

        private Builder() {
        }

        /** Adds a required plain variable; short for {@code add(EnvRequirement.variable(name))}. */
        public Builder variable(String name) {
            return add(EnvRequirement.variable(name));
        }

        /** Adds a required secret; short for {@code add(EnvRequirement.secret(name, minLength))}. */
        public Builder secret(String name, int minLength) {
            return add(EnvRequirement.secret(name, minLength));
        }

        /**
         * Adds a requirement.
         *
         * @throws IllegalArgumentException when a requirement with the same name was already added
         */
        public Builder add(EnvRequirement requirement) {
            Objects.requireNonNull(requirement, "requirement must not be null");
            if (requirements.putIfAbsent(requirement.name(), requirement) != null) {
                throw new IllegalArgumentException(requirement.name() + " is declared twice");
            }
            return this;
        }

        /**
         * The variable whose value names the current environment; default
         * {@value EnvRequirements#DEFAULT_ENVIRONMENT_VARIABLE}.
         */
        public Builder environmentVariable(String name) {
            this.environmentVariable = EnvRequirement.requireName(name);
            return this;
        }

        /**
         * The environment assumed when the environment variable is not set; default none (an unset
         * variable is a problem when a requirement depends on the environment). Setting this to a
         * development environment means a production deploy that forgets the variable is checked
         * as development.
         */
        public Builder defaultEnvironment(String environment) {
            this.defaultEnvironment = EnvRequirement.requireEnvironmentName(environment, "defaultEnvironment");
            return this;
        }

        /** The requirements collected so far. */
        public EnvRequirements build() {
            return new EnvRequirements(this);
        }
    }
}
