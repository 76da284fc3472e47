package dev.opskit.core.health;

/**
 * The state of one check, or of a group of checks. Ordered from best to worst, so that the
 * aggregate of several is the worst of them: {@code DOWN} beats {@code DEGRADED} beats {@code UP}.
 */
public enum HealthStatus {
    /** Working as intended. */
    UP,
    /** Working, but impaired (an open circuit breaker, a backlog): still serves traffic. */
    DEGRADED,
    /** Not working: readiness should take this instance out of rotation. */
    DOWN;

    /** The worse of this and {@code other}. */
    public HealthStatus worst(HealthStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
