package dev.opskit.breaker;

import java.time.Instant;

/**
 * A breaker changed state. Delivered to {@link ProviderBreaker#onTransition} listeners and logged
 * once (WARN when it opens, is forced open or disabled; INFO otherwise).
 *
 * @param name the breaker
 * @param from the state it left
 * @param to the state it entered
 * @param failureRate the failure rate that led here (percent; -1 when not computed yet)
 * @param slowCallRate the slow-call rate that led here (percent; -1 when not computed yet)
 * @param cause why, in words: the thresholds and last failure, the switch, the half-open timeout
 * @param at when the transition was observed (the breakers' clock)
 */
public record BreakerTransition(String name, BreakerState from, BreakerState to, float failureRate,
        float slowCallRate, String cause, Instant at) {
}
