package dev.opskit.breaker;

/**
 * The state of a provider breaker as opskit shows it: in logs, snapshots, health details and the
 * {@code opskit.circuitbreaker.state} gauge, which publishes {@link #code()}.
 *
 * <p>Codes are ordered by how much traffic reaches the provider: an alert on
 * {@code opskit_circuitbreaker_state >= 3} fires while a provider is cut off.
 */
public enum BreakerState {
    /** Calls flow and are counted. Code 0. */
    CLOSED(0),
    /** An operator's {@code <NAME>_CIRCUIT_DISABLED=true} switch: calls flow, nothing is counted. Code 1. */
    DISABLED(1),
    /** A few probe calls are let through to see whether the provider recovered. Code 2. */
    HALF_OPEN(2),
    /** Too many failures or slow calls: calls are rejected until the wait in open state has passed. Code 3. */
    OPEN(3),
    /** An operator's {@code <NAME>_CIRCUIT_OPEN=true} switch: every call is rejected until it is removed. Code 4. */
    FORCED_OPEN(4);

    private final int code;

    BreakerState(int code) {
        this.code = code;
    }

    /** The numeric code published by the {@code opskit.circuitbreaker.state} gauge. */
    public int code() {
        return code;
    }

    /** True for {@link #OPEN} and {@link #FORCED_OPEN}: no call reaches the provider. */
    public boolean rejectsCalls() {
        return this == OPEN || this == FORCED_OPEN;
    }

    /** Lower-case form used as a metric tag value ({@code half_open}). */
    String tagValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static BreakerState of(io.github.resilience4j.circuitbreaker.CircuitBreaker.State state) {
        return switch (state) {
            case CLOSED -> CLOSED;
            case OPEN -> OPEN;
            case HALF_OPEN -> HALF_OPEN;
            case FORCED_OPEN -> FORCED_OPEN;
            // opskit never asks for METRICS_ONLY; if someone does, calls flow unguarded like DISABLED.
            case DISABLED, METRICS_ONLY -> DISABLED;
        };
    }
}
