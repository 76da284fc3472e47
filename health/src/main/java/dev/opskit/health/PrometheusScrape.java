package dev.opskit.health;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.Supplier;

/** Kept apart so that {@code micrometer-registry-prometheus} is loaded only when a Prometheus registry is handed over. */
final class PrometheusScrape {
    private PrometheusScrape() {
    }

    static Supplier<String> of(PrometheusMeterRegistry registry) {
        return registry::scrape;
    }
}
