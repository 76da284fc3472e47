package dev.opskit.health;

import dev.opskit.core.health.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The aggregated state of one group of checks at one moment, as a probe sees it.
 *
 * <p>{@code status} is the worst {@linkplain CheckSnapshot#effectiveStatus() effective status} of
 * the checks (DOWN beats DEGRADED beats UP; no checks is UP), except that readiness is DOWN while
 * startup is incomplete or a shutdown is under way; {@code reason} then says which.
 *
 * @param group the group name, or {@code null} for the report of all checks ({@code /health})
 * @param status the aggregate status
 * @param timestamp when the report was assembled
 * @param uptime how long the JVM has been running
 * @param checks the checks of the group, in registration order
 * @param reason why the status is DOWN regardless of the checks ({@link #REASON_STARTING},
 *     {@link #REASON_SHUTTING_DOWN}); {@code null} otherwise
 */
public record HealthReport(@Nullable String group, HealthStatus status, Instant timestamp, Duration uptime,
                           List<CheckSnapshot> checks, @Nullable String reason) {
    /** Reason of a readiness DOWN before every startup check has passed once. */
    public static final String REASON_STARTING = "starting";
    /** Reason of a readiness DOWN after a graceful shutdown started. */
    public static final String REASON_SHUTTING_DOWN = "shutting down";

    public HealthReport {
        Objects.requireNonNull(status, "status must not be null");
        Objects.requireNonNull(timestamp, "timestamp must not be null");
        Objects.requireNonNull(uptime, "uptime must not be null");
        checks = List.copyOf(checks);
    }

    /** 200 for UP and DEGRADED, 503 for DOWN. */
    public int httpStatus() {
        return status == HealthStatus.DOWN ? 503 : 200;
    }

    /** The snapshot of the check named {@code name}, if it is in this report. */
    public Optional<CheckSnapshot> check(String name) {
        for (CheckSnapshot c : checks) {
            if (c.name().equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** The status of the check named {@code name}. */
    public Optional<HealthStatus> statusOf(String name) {
        return check(name).map(CheckSnapshot::status);
    }

    /** {@link #reason()} as an optional. */
    public Optional<String> reasonText() {
        return Optional.ofNullable(reason);
    }
}
