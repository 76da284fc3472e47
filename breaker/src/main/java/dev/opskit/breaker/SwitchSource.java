package dev.opskit.breaker;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where the operator's runtime switches are read from: {@code <NAME>_CIRCUIT_OPEN=true} forces a
 * breaker open, {@code <NAME>_CIRCUIT_DISABLED=true} disables it ({@code NAME} is the breaker's
 * name upper-cased with {@code -} turned into {@code _}: {@code OPENAI_CIRCUIT_OPEN},
 * {@code SEND_GRID_CIRCUIT_DISABLED}).
 *
 * <p>A value of {@code true} (any case, surrounding blanks ignored) turns a switch on; absent,
 * blank or {@code false} leaves it off; any other value is ignored with a warning. The source is
 * read by {@link ProviderBreakers}' refresher thread (or whoever calls
 * {@link ProviderBreakers#refreshSwitches()}); implementations must be thread-safe and quick, and
 * a source that throws keeps the switches as they were (the error is logged).
 */
@FunctionalInterface
public interface SwitchSource {

    /** The value of {@code key}, or {@code null} when it is not set. */
    @Nullable String get(String key);

    /**
     * The process environment, the default. Note the environment of a running JVM cannot change,
     * so this default is read once per refresh but only a restart changes it; use
     * {@link #systemProperties()} or your own source (a config service, a file) to flip switches
     * without a restart.
     */
    static SwitchSource environment() {
        return System::getenv;
    }

    /** JVM system properties ({@code -DOPENAI_CIRCUIT_OPEN=true} or {@code System.setProperty}). */
    static SwitchSource systemProperties() {
        return System::getProperty;
    }

    /**
     * A live view of {@code map}: changes to the map are seen at the next refresh. Pass a
     * concurrent map if it changes while breakers run (tests do).
     */
    static SwitchSource of(Map<String, String> map) {
        Objects.requireNonNull(map, "map must not be null");
        return map::get;
    }

    /**
     * A file in the environment-file format ({@code OPENAI_CIRCUIT_OPEN=true}, one per line,
     * {@code #} comments, an optional {@code export } prefix), re-read whenever its modification
     * time or size changes: an operator flips a switch on a running service by editing the file,
     * and takes it back by removing the line or the file. A missing file means no switch is set.
     * A file that cannot be read throws, which keeps the switches as they were.
     *
     * <pre>{@code
     * SwitchSource.file(Path.of("/etc/myservice/switches.env")).or(SwitchSource.environment())
     * }</pre>
     */
    static SwitchSource file(java.nio.file.Path path) {
        return new FileSwitchSource(Objects.requireNonNull(path, "path must not be null"));
    }

    /** The first source that has a value for the key: {@code systemProperties().or(environment())}. */
    default SwitchSource or(SwitchSource other) {
        Objects.requireNonNull(other, "other must not be null");
        return key -> {
            String v = get(key);
            return v != null ? v : other.get(key);
        };
    }

    /** The switch name for a breaker: {@code switchKey("send-grid", "OPEN")} is {@code SEND_GRID_CIRCUIT_OPEN}. */
    static String switchKey(String breakerName, String suffix) {
        return breakerName.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "_CIRCUIT_" + suffix;
    }
}
