package dev.opskit.core.health;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The immutable outcome of one {@link HealthCheck} run: a status, a small map of details, and for
 * failures the error's type and message.
 *
 * <p>Details are meant for operators ({@code "latencyMs" -> 3}, {@code "state" -> "OPEN"}); keep
 * them few and small. Values should be strings, numbers or booleans; anything else is shown with
 * {@code toString()}. Keys keep their insertion order. A stack trace is never stored here, so it
 * can never leak into a response.
 */
public final class HealthResult {
    /** Longest error message kept; longer messages are cut and end with an ellipsis. */
    public static final int MAX_MESSAGE_LENGTH = 500;

    private static final HealthResult UP = new HealthResult(HealthStatus.UP, Map.of(), null, null);

    private final HealthStatus status;
    private final Map<String, Object> details;
    private final @Nullable String errorType;
    private final @Nullable String errorMessage;

    private HealthResult(HealthStatus status, Map<String, Object> details, @Nullable String errorType,
            @Nullable String errorMessage) {
        this.status = Objects.requireNonNull(status, "status must not be null");
        this.details = details;
        this.errorType = errorType;
        this.errorMessage = errorMessage;
    }

    /** UP with no details. */
    public static HealthResult up() {
        return UP;
    }

    /** UP with details. */
    public static HealthResult up(Map<String, ?> details) {
        return of(HealthStatus.UP, details);
    }

    /** DEGRADED with details (at least a reason is recommended). */
    public static HealthResult degraded(Map<String, ?> details) {
        return of(HealthStatus.DEGRADED, details);
    }

    /** DOWN with a message and no exception, for example {@code "pool exhausted"}. */
    public static HealthResult down(String message) {
        return new HealthResult(HealthStatus.DOWN, Map.of(), null, cap(Objects.requireNonNull(message, "message must not be null")));
    }

    /** DOWN because of {@code error}: keeps its type and message, never its stack trace. */
    public static HealthResult down(Throwable error) {
        return down(error, Map.of());
    }

    /** DOWN because of {@code error}, with details. */
    public static HealthResult down(Throwable error, Map<String, ?> details) {
        Objects.requireNonNull(error, "error must not be null");
        String message = error.getMessage() != null ? error.getMessage() : error.getClass().getSimpleName();
        return new HealthResult(HealthStatus.DOWN, copy(details), error.getClass().getName(), cap(message));
    }

    /** A result with the given status and details and no error. */
    public static HealthResult of(HealthStatus status, Map<String, ?> details) {
        return new HealthResult(status, copy(details), null, null);
    }

    /** A copy of this result with a different status (for example a non-critical DOWN shown as DEGRADED). */
    public HealthResult withStatus(HealthStatus newStatus) {
        return new HealthResult(newStatus, details, errorType, errorMessage);
    }

    /** A copy of this result with an error type and message; both may be {@code null}. */
    public HealthResult withError(@Nullable String type, @Nullable String message) {
        return new HealthResult(status, details, type, message == null ? null : cap(message));
    }

    /** A copy of this result with one more detail. */
    public HealthResult withDetail(String key, Object value) {
        Map<String, Object> merged = new LinkedHashMap<>(details);
        merged.put(Objects.requireNonNull(key, "key must not be null"), Objects.requireNonNull(value, "value must not be null"));
        return new HealthResult(status, Collections.unmodifiableMap(merged), errorType, errorMessage);
    }

    public HealthStatus status() {
        return status;
    }

    /** Unmodifiable, in insertion order; empty when there are none. */
    public Map<String, Object> details() {
        return details;
    }

    /** The fully qualified class name of the error, when this result came from one. */
    public Optional<String> errorType() {
        return Optional.ofNullable(errorType);
    }

    /** A short, capped message, when the check failed. */
    public Optional<String> errorMessage() {
        return Optional.ofNullable(errorMessage);
    }

    private static Map<String, Object> copy(Map<String, ?> details) {
        Objects.requireNonNull(details, "details must not be null");
        if (details.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        details.forEach((k, v) -> copy.put(
                Objects.requireNonNull(k, "detail keys must not be null"),
                Objects.requireNonNull(v, () -> "detail '" + k + "' must not be null")));
        return Collections.unmodifiableMap(copy);
    }

    private static String cap(String message) {
        return message.length() <= MAX_MESSAGE_LENGTH ? message : message.substring(0, MAX_MESSAGE_LENGTH - 1) + "…";
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof HealthResult)) {
            return false;
        }
        HealthResult that = (HealthResult) o;
        return status == that.status && details.equals(that.details)
                && Objects.equals(errorType, that.errorType) && Objects.equals(errorMessage, that.errorMessage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, details, errorType, errorMessage);
    }

    @Override
    public String toString() {
        return "HealthResult{" + status + (details.isEmpty() ? "" : ", " + details)
                + (errorType == null ? "" : ", " + errorType) + (errorMessage == null ? "" : ": " + errorMessage) + "}";
    }
}
