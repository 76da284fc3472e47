package dev.opskit.health;

/**
 * Who sees the details of checks (their data, error type and message, timings, history). Without
 * details a request sees the overall status and each check's name and status only.
 */
public enum DetailsVisibility {
    /** Nobody, whatever the token. */
    NEVER,
    /** Requests with {@code Authorization: Bearer <token>} matching the configured token (the default; without a token, nobody). */
    WHEN_AUTHORIZED,
    /** Everyone: only for a port that is not reachable from outside. */
    ALWAYS
}
