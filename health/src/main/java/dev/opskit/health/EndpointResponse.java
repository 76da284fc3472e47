package dev.opskit.health;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link HttpEndpoint} answers: status, content type, body and extra headers.
 *
 * @param status the HTTP status code
 * @param contentType the {@code Content-Type}, or {@code null} for an empty body
 * @param body the body bytes (never {@code null}; do not modify)
 * @param headers extra response headers (for example {@code Allow}, {@code Cache-Control})
 */
public record EndpointResponse(int status, @Nullable String contentType, byte[] body, Map<String, String> headers) {
    /** Content type of JSON answers. */
    public static final String JSON = "application/json";
    /** Content type of answers in the health-check draft shape. */
    public static final String HEALTH_JSON = "application/health+json";
    /** Content type of plain text answers. */
    public static final String TEXT = "text/plain; charset=utf-8";

    public EndpointResponse {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be between 100 and 599, but was " + status);
        }
        Objects.requireNonNull(body, "body must not be null");
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers must not be null"));
    }

    /** A response with a UTF-8 text body and no extra headers. */
    public static EndpointResponse of(int status, String contentType, String body) {
        return new EndpointResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** A copy with one more header. */
    public EndpointResponse withHeader(String name, String value) {
        Map<String, String> h = new java.util.HashMap<>(headers);
        h.put(name, value);
        return new EndpointResponse(status, contentType, body, h);
    }

    /** The body decoded as UTF-8. */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
