package dev.opskit.console;

import dev.opskit.console.internal.Api;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * The console's metrics, bound the way every opskit module does it:
 * {@code new ConsoleMetrics(console).bindTo(registry)}.
 *
 * <p>One counter, {@value #ACTIONS}, tags {@code action} = cancel-job | replay | replay-all |
 * replay-all-cancel | cleanup and {@code outcome} = done | refused (no or wrong token, read-only,
 * cross-origin) | failed (the store or queue threw). Every combination exists from the binding on,
 * so a rate of refusals can be alerted on before the first one.
 */
public final class ConsoleMetrics implements MeterBinder {
    /** Counter: console actions by {@code action} and {@code outcome}. */
    public static final String ACTIONS = "opskit.console.actions";

    private final ConsoleEndpoint console;

    /** The metrics of {@code console}. */
    public ConsoleMetrics(ConsoleEndpoint console) {
        this.console = Objects.requireNonNull(console, "console must not be null");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry must not be null");
        for (String action : Api.ACTIONS) {
            for (String outcome : Api.OUTCOMES) {
                FunctionCounter.builder(ACTIONS, console, c -> c.actionCount(action, outcome))
                        .description("Console actions by outcome")
                        .tag("action", action).tag("outcome", outcome)
                        .register(registry);
            }
        }
    }
}
