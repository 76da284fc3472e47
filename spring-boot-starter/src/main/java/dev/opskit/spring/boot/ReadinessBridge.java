package dev.opskit.spring.boot;

import dev.opskit.health.HealthRegistry;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Makes readiness agree between Boot and opskit on shutdown. When this application's context starts
 * to close ({@link ContextClosedEvent}, before any lifecycle bean stops, so before the workers
 * drain), it publishes {@link ReadinessState#REFUSING_TRAFFIC} unless Boot already did (a web
 * application's context does so itself): Actuator's readiness probe then answers OUT_OF_SERVICE
 * (503); and {@link HealthRegistry#markShuttingDown()} makes opskit's own readiness DOWN too (for
 * good: a closing context does not come back). A {@code REFUSING_TRAFFIC} the application publishes
 * while it runs is left to Boot alone, since opskit's shutting-down mark cannot be undone. Runs on
 * the thread that closes the context or publishes the event.
 */
public final class ReadinessBridge implements ApplicationListener<ApplicationEvent>, ApplicationContextAware {
    private final HealthRegistry registry;
    private @Nullable ApplicationContext context;
    private volatile boolean refusing;

    public ReadinessBridge(HealthRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry must not be null");
    }

    @Override
    public void setApplicationContext(ApplicationContext applicationContext) {
        this.context = applicationContext;
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof AvailabilityChangeEvent<?> change && change.getState() instanceof ReadinessState state) {
            refusing = state == ReadinessState.REFUSING_TRAFFIC;
        } else if (event instanceof ContextClosedEvent closed && closed.getApplicationContext() == context) {
            registry.markShuttingDown();
            if (!refusing) {
                AvailabilityChangeEvent.publish(closed.getApplicationContext(), ReadinessState.REFUSING_TRAFFIC);
            }
        }
    }

    @Override
    public boolean supportsAsyncExecution() {
        return false;
    }
}
