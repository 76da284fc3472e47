package dev.opskit.spring.boot;

import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import dev.opskit.health.CheckSnapshot;
import dev.opskit.health.HealthRegistry;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.NamedContributor;
import org.springframework.boot.actuate.health.Status;

/**
 * opskit's checks as one Actuator contributor, {@code opskit} (bean {@code opskitHealthContributor}),
 * with one child per registered check ({@code opskit.db}, {@code opskit.jobs},
 * {@code opskit.breaker.openai}, ...). A child reads the check's latest background result and never
 * runs the check on the request thread, so {@code /actuator/health} cannot hang on a slow dependency.
 *
 * <p>Status mapping: UP is {@code UP}; DOWN of a critical check is {@code DOWN}; DEGRADED, and DOWN
 * of a non-critical check, is {@link #DEGRADED} ({@code "DEGRADED"}, HTTP 200 under Boot's default
 * mapping). Boot's default status order does not know DEGRADED, so it does not change the aggregate;
 * to show it, add it: {@code management.endpoint.health.status.order=DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN}.
 * Details: the check's own, plus {@code error}, {@code critical}, {@code checkedAt},
 * {@code durationMs}, {@code consecutiveFailures} and {@code timedOut}.
 */
public final class OpskitHealthContributor implements CompositeHealthContributor {
    /** The status of an opskit DEGRADED check. */
    public static final Status DEGRADED = new Status("DEGRADED", "works with reduced function or a warning");

    private final HealthRegistry registry;

    public OpskitHealthContributor(HealthRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry must not be null");
    }

    @Override
    public @Nullable HealthContributor getContributor(String name) {
        return registry.names().contains(name) ? indicator(name) : null;
    }

    @Override
    public Iterator<NamedContributor<HealthContributor>> iterator() {
        return registry.names().stream()
                .map(name -> NamedContributor.of(name, (HealthContributor) indicator(name)))
                .iterator();
    }

    private HealthIndicator indicator(String name) {
        return () -> health(registry.snapshot(name));
    }

    static Health health(CheckSnapshot s) {
        HealthResult r = s.result();
        Status status = switch (s.effectiveStatus()) {
            case UP -> Status.UP;
            case DEGRADED -> DEGRADED;
            case DOWN -> Status.DOWN;
        };
        Map<String, Object> details = new LinkedHashMap<>(r.details());
        r.errorMessage().ifPresent(m -> details.put("error", r.errorType().map(t -> t + ": ").orElse("") + m));
        details.put("critical", s.critical());
        if (s.status() == HealthStatus.DOWN && !s.critical()) {
            details.put("checkStatus", "DOWN");
        }
        if (s.checkedAt() != null) {
            details.put("checkedAt", s.checkedAt().toString());
        }
        details.put("durationMs", s.duration().toMillis());
        details.put("consecutiveFailures", s.consecutiveFailures());
        if (s.timedOut()) {
            details.put("timedOut", true);
        }
        return Health.status(status).withDetails(details).build();
    }
}
