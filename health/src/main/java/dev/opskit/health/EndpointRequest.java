package dev.opskit.health;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link HttpEndpoint} needs of an HTTP request: method, path, raw query and headers.
 *
 * @param method upper-case method, for example {@code GET}
 * @param path the path relative to where the endpoint is mounted, for example {@code /health/ready}
 * @param query the raw query string without {@code ?}, or {@code null}
 * @param headers header values by name; looked up case-insensitively through {@link #header(String)}
 */
public record EndpointRequest(String method, String path, @Nullable String query, Map<String, List<String>> headers) {

    public EndpointRequest {
        Objects.requireNonNull(method, "method must not be null");
        Objects.requireNonNull(path, "path must not be null");
        method = method.toUpperCase(Locale.ROOT);
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            headers.forEach((k, v) -> {
                if (k != null && v != null) {
                    copy.merge(k, List.copyOf(v), (a, b) -> {
                        List<String> merged = new java.util.ArrayList<>(a);
                        merged.addAll(b);
                        return List.copyOf(merged);
                    });
                }
            });
        }
        headers = Collections.unmodifiableMap(copy);
    }

    /** A GET request for {@code pathAndQuery} (for example {@code "/health/ready?verbose"}) with no headers; handy in tests. */
    public static EndpointRequest get(String pathAndQuery) {
        return of("GET", pathAndQuery, Map.of());
    }

    /** A request for {@code pathAndQuery} with single-valued headers. */
    public static EndpointRequest of(String method, String pathAndQuery, Map<String, String> headers) {
        Objects.requireNonNull(pathAndQuery, "pathAndQuery must not be null");
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? null : pathAndQuery.substring(q + 1);
        TreeMap<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Objects.requireNonNull(headers, "headers must not be null").forEach((k, v) -> h.put(k, List.of(v)));
        return new EndpointRequest(method, path, query, h);
    }

    /** The first value of header {@code name} (case-insensitive). */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.ofNullable(values.get(0));
    }

    /**
     * The value of query parameter {@code name}: empty when absent, {@code ""} when present without
     * a value ({@code ?verbose}). Badly encoded values are taken literally, never rejected.
     */
    public Optional<String> queryParameter(String name) {
        if (query == null || query.isEmpty()) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (key.equals(name)) {
                return Optional.of(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return Optional.empty();
    }

    /** Whether query parameter {@code name} is present and not {@code false} or {@code 0}. */
    public boolean flag(String name) {
        return queryParameter(name).map(v -> !v.equalsIgnoreCase("false") && !v.equals("0")).orElse(false);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;
        }
    }
}
