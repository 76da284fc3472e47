package dev.opskit.breaker;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One breaker's state at one moment, for status pages and health details.
 *
 * @param name the breaker's name
 * @param state its state; {@link BreakerState#FORCED_OPEN} and {@link BreakerState#DISABLED} come
 *     from an operator's switch
 * @param forced true when an operator's switch set the state (forced open or disabled)
 * @param failureRate percent of failed calls in the current window, or -1 until
 *     {@code minimumNumberOfCalls} calls were recorded
 * @param slowCallRate percent of slow calls in the current window, or -1 like {@code failureRate}
 * @param bufferedCalls calls recorded in the current window (or among the half-open probes)
 * @param failedCalls failed calls among them
 * @param notPermittedCalls calls rejected since the breaker last entered its current state
 * @param retryAfter what a rejected call would be told now; zero while calls are permitted
 */
public record BreakerSnapshot(String name, BreakerState state, boolean forced, float failureRate,
        float slowCallRate, int bufferedCalls, int failedCalls, long notPermittedCalls, Duration retryAfter) {

    /** The snapshot as health-check details (keys in a stable order, values strings, numbers and booleans). */
    public Map<String, Object> toDetails() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("state", state.name());
        d.put("forced", forced);
        d.put("failureRate", failureRate);
        d.put("slowCallRate", slowCallRate);
        d.put("bufferedCalls", bufferedCalls);
        d.put("failedCalls", failedCalls);
        d.put("notPermittedCalls", notPermittedCalls);
        d.put("nextAttemptInMs", retryAfter.toMillis());
        return d;
    }
}
