package dev.opskit.console.internal;

import dev.opskit.core.cli.Args;
import dev.opskit.health.EndpointRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Reads query parameters; every unusable value is a 400 {@link ApiException} naming the parameter and the value. */
final class Params {
    /** Most ids one replay request may name. */
    static final int MAX_IDS = 1000;

    private final EndpointRequest request;

    Params(EndpointRequest request) {
        this.request = request;
    }

    /** The trimmed value, empty when absent or blank (an empty form field means "no filter"). */
    Optional<String> text(String name) {
        return request.queryParameter(name).map(String::trim).filter(s -> !s.isEmpty());
    }

    @Nullable String textOrNull(String name) {
        return text(name).orElse(null);
    }

    /** A whole number within [min, max], or {@code fallback} when absent. */
    long number(String name, long min, long max, long fallback) {
        Optional<String> v = text(name);
        return v.isPresent() ? parseNumber(name, v.get(), min, max) : fallback;
    }

    Optional<Long> optionalNumber(String name, long min) {
        return text(name).map(v -> parseNumber(name, v, min, Long.MAX_VALUE));
    }

    long requiredNumber(String name, long min) {
        return optionalNumber(name, min).orElseThrow(() -> ApiException.badParameter(name, "",
                "parameter '" + name + "' is required"));
    }

    /** {@code true}, {@code false}, {@code 1}, {@code 0}, or present without a value (true); {@code fallback} when absent. */
    boolean flag(String name, boolean fallback) {
        Optional<String> raw = request.queryParameter(name).map(String::trim);
        if (raw.isEmpty()) {
            return fallback;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "", "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw ApiException.badParameter(name, raw.get(),
                    "parameter '" + name + "' must be true or false, but was '" + raw.get() + "'");
        };
    }

    /** An age such as {@code 30s}, {@code 15m}, {@code 7d}; {@code fallback} when absent. */
    Duration age(String name, Duration fallback) {
        Optional<String> v = text(name);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            return Args.age("parameter '" + name + "'", v.get());
        } catch (Args.UsageException e) {
            throw ApiException.badParameter(name, v.get(), String.valueOf(e.getMessage()));
        }
    }

    /** A positive decimal number, {@code fallback} when absent. */
    double decimal(String name, double min, double max, double fallback) {
        Optional<String> v = text(name);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.get());
            if (!(d >= min && d <= max)) {
                throw ApiException.badParameter(name, v.get(), "parameter '" + name + "' must be between " + min
                        + " and " + max + ", but was " + v.get());
            }
            return d;
        } catch (NumberFormatException e) {
            throw ApiException.badParameter(name, v.get(), "parameter '" + name + "' must be a number, but was '" + v.get() + "'");
        }
    }

    /** A value of a fixed set, parsed by {@code parse} (which throws {@link IllegalArgumentException} for unknown ones). */
    <T> @Nullable T choice(String name, Function<String, T> parse, String known) {
        Optional<String> v = text(name);
        if (v.isEmpty()) {
            return null;
        }
        try {
            return parse.apply(v.get());
        } catch (IllegalArgumentException e) {
            throw ApiException.badParameter(name, v.get(), "unknown " + name + " '" + v.get() + "'; known: " + known);
        }
    }

    /**
     * The ids of every {@code name} parameter, each a number or a comma-separated list
     * ({@code id=3&id=5}, {@code id=3,5}), without duplicates, in the given order; at least one.
     */
    List<Long> ids(String name) {
        Set<Long> ids = new LinkedHashSet<>();
        String query = request.query();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq < 0 || !decode(pair.substring(0, eq)).equals(name)) {
                    continue;
                }
                for (String part : decode(pair.substring(eq + 1)).split(",")) {
                    if (!part.isBlank()) {
                        ids.add(parseNumber(name, part.trim(), 1, Long.MAX_VALUE));
                    }
                }
            }
        }
        if (ids.isEmpty()) {
            throw ApiException.badParameter(name, "", "parameter '" + name + "' is required: one or more ids");
        }
        if (ids.size() > MAX_IDS) {
            throw ApiException.badParameter(name, ids.size() + " ids", "at most " + MAX_IDS + " ids per request, but "
                    + ids.size() + " were given");
        }
        return new ArrayList<>(ids);
    }

    private static long parseNumber(String name, String text, long min, long max) {
        long n;
        try {
            n = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badParameter(name, text, "parameter '" + name + "' must be a whole number, but was '" + text + "'");
        }
        if (n < min || n > max) {
            throw ApiException.badParameter(name, text, "parameter '" + name + "' must be "
                    + (max == Long.MAX_VALUE ? "at least " + min : "between " + min + " and " + max) + ", but was " + text);
        }
        return n;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;
        }
    }
}
