package dev.opskit.health;

import dev.opskit.core.health.HealthStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Micrometer metrics of a {@link HealthRegistry}: {@code new HealthMetrics(health).bindTo(meterRegistry)}.
 *
 * <ul>
 *   <li>{@value #CHECK_DURATION} (timer, seconds, tag {@code check}): duration of every run, timeouts included.</li>
 *   <li>{@value #CHECK_STATUS} (gauge, tag {@code check}): {@value #UP} UP, {@value #DEGRADED} DEGRADED,
 *       {@value #DOWN} DOWN, {@value #NOT_RUN} not yet run. Alert on {@code opskit_health_check_status >= 2}.</li>
 * </ul>
 * Checks registered or unregistered later get or lose their meters. The tag's values are the check
 * names, so they are as bounded as the registrations.
 */
public final class HealthMetrics implements MeterBinder {
    /** Timer of check runs. */
    public static final String CHECK_DURATION = "opskit.health.check.duration";
    /** Gauge of each check's status code. */
    public static final String CHECK_STATUS = "opskit.health.check.status";
    /** Status code of UP. */
    public static final int UP = 0;
    /** Status code of DEGRADED. */
    public static final int DEGRADED = 1;
    /** Status code of DOWN. */
    public static final int DOWN = 2;
    /** Status code of a check that has not finished a run yet. */
    public static final int NOT_RUN = -1;

    private final HealthRegistry health;

    public HealthMetrics(HealthRegistry health) {
        this.health = Objects.requireNonNull(health, "health must not be null");
    }

    /** The gauge value of {@code status}. */
    public static int code(HealthStatus status) {
        return switch (status) {
            case UP -> UP;
            case DEGRADED -> DEGRADED;
            case DOWN -> DOWN;
        };
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry must not be null");
        Map<String, Meter[]> meters = new ConcurrentHashMap<>();
        HealthRegistry.Listener listener = new HealthRegistry.Listener() {
            @Override
            public void registered(String name) {
                meters.computeIfAbsent(name, n -> register(registry, n));
            }

            @Override
            public void unregistered(String name) {
                Meter[] m = meters.remove(name);
                if (m != null) {
                    for (Meter meter : m) {
                        registry.remove(meter);
                    }
                }
            }

            @Override
            public void completed(CheckSnapshot snapshot) {
                Meter[] m = meters.get(snapshot.name());
                if (m != null) {
                    ((Timer) m[0]).record(snapshot.duration());
                }
            }
        };
        health.addListener(listener);
        for (String name : health.names()) {
            listener.registered(name);
        }
    }

    private Meter[] register(MeterRegistry registry, String name) {
        Timer timer = Timer.builder(CHECK_DURATION)
                .description("Duration of health check runs, timeouts included")
                .tag("check", name)
                .register(registry);
        Gauge gauge = Gauge.builder(CHECK_STATUS, health, h -> statusCode(h, name))
                .description("Health check status: 0 UP, 1 DEGRADED, 2 DOWN, -1 not yet run")
                .tag("check", name)
                .register(registry);
        return new Meter[] {timer, gauge};
    }

    private static double statusCode(HealthRegistry health, String name) {
        try {
            CheckSnapshot s = health.snapshot(name);
            return s.hasRun() ? code(s.status()) : NOT_RUN;
        } catch (IllegalArgumentException unregistered) {
            return Double.NaN;
        }
    }
}
