package dev.opskit.health;

import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The latest known state of one registered check: its last result and the history that matters
 * during an incident (when it last passed, when it last failed, how many runs in a row failed).
 *
 * <p>A run "passes" when its result is UP or DEGRADED and "fails" when it is DOWN (which includes a
 * check that threw, returned {@code null} or timed out).
 *
 * @param name the check's registered name
 * @param groups the groups the check belongs to
 * @param critical whether a DOWN of this check makes its groups DOWN (otherwise DEGRADED)
 * @param result the last result; for a check that has never completed a run, DOWN with the message
 *     {@code "not yet run"}
 * @param duration how long the last run took (up to its timeout)
 * @param checkedAt when the last run finished; {@code null} if none has
 * @param lastSuccess when a run last passed; {@code null} if none has
 * @param lastFailure when a run last failed; {@code null} if none has
 * @param consecutiveFailures failed runs since the last pass; 0 after a pass
 * @param timedOut whether the last run was cut off by its timeout
 */
public record CheckSnapshot(
        String name,
        Set<String> groups,
        boolean critical,
        HealthResult result,
        Duration duration,
        @Nullable Instant checkedAt,
        @Nullable Instant lastSuccess,
        @Nullable Instant lastFailure,
        long consecutiveFailures,
        boolean timedOut) {

    public CheckSnapshot {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(groups, "groups must not be null");
        Objects.requireNonNull(result, "result must not be null");
        Objects.requireNonNull(duration, "duration must not be null");
    }

    /** The check's own status (before the critical flag is applied). */
    public HealthStatus status() {
        return result.status();
    }

    /** The status this check contributes to its groups: a non-critical DOWN counts as DEGRADED. */
    public HealthStatus effectiveStatus() {
        HealthStatus s = result.status();
        return s == HealthStatus.DOWN && !critical ? HealthStatus.DEGRADED : s;
    }

    /** Whether a run of this check has ever finished. */
    public boolean hasRun() {
        return checkedAt != null;
    }

    /** {@link #lastSuccess()} as an optional. */
    public Optional<Instant> lastSuccessTime() {
        return Optional.ofNullable(lastSuccess);
    }

    /** {@link #lastFailure()} as an optional. */
    public Optional<Instant> lastFailureTime() {
        return Optional.ofNullable(lastFailure);
    }
}
