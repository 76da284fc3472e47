package dev.opskit.core.env;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where {@link EnvRequirements} read values from: the process environment in production, a map in
 * tests. Implementations must be safe to call from the thread that runs the check.
 */
@FunctionalInterface
public interface EnvSource {

    /**
     * The value of {@code name}, or {@code null} when it is not set.
     *
     * @param name a variable name as declared in the requirements
     */
    @Nullable String get(String name);

    /** The process environment ({@link System#getenv(String)}). */
    static EnvSource environment() {
        return System::getenv;
    }

    /** The JVM's system properties ({@link System#getProperty(String)}), for {@code -DJWT_SECRET=...} style settings. */
    static EnvSource systemProperties() {
        return System::getProperty;
    }

    /** The entries of {@code values}, copied now; for tests and for values read from elsewhere. */
    static EnvSource of(Map<String, String> values) {
        Objects.requireNonNull(values, "values must not be null");
        Map<String, String> copy = Map.copyOf(values);
        return copy::get;
    }
}
