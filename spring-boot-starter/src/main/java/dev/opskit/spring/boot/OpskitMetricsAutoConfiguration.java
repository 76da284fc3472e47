package dev.opskit.spring.boot;

import dev.opskit.breaker.BreakerMetrics;
import dev.opskit.breaker.ProviderBreakers;
import dev.opskit.deadletter.DeadLetterMetrics;
import dev.opskit.deadletter.PostgresDeadLetterStore;
import dev.opskit.health.HealthMetrics;
import dev.opskit.health.HealthRegistry;
import dev.opskit.jobqueue.JobQueueMetrics;
import dev.opskit.jobqueue.PostgresJobQueue;
import dev.opskit.migrationguard.MigrationGuardMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Every opskit meter: one {@link MeterBinder} bean per module ({@code JobQueueMetrics},
 * {@code DeadLetterMetrics}, {@code BreakerMetrics}, {@code HealthMetrics}), for the component it
 * measures when that bean exists, and {@code MigrationGuardMetrics} (the Flyway and Liquibase
 * gates' checks) unless {@code opskit.migration-guard.enabled=false}. Boot's metrics auto-configuration binds every {@code MeterBinder}
 * bean to its {@code MeterRegistry}, so they appear on {@code /actuator/metrics} and
 * {@code /actuator/prometheus} (meter names are constants on each binder class).
 */
@AutoConfiguration(after = {OpskitDeadLetterAutoConfiguration.class, OpskitJobQueueAutoConfiguration.class,
        OpskitBreakerAutoConfiguration.class, OpskitHealthAutoConfiguration.class})
@ConditionalOnClass(MeterBinder.class)
@EnableConfigurationProperties(OpskitProperties.class)
public class OpskitMetricsAutoConfiguration {

    @Bean
    @ConditionalOnBean(PostgresJobQueue.class)
    @ConditionalOnMissingBean(JobQueueMetrics.class)
    public JobQueueMetrics opskitJobQueueMetrics(PostgresJobQueue queue) {
        return new JobQueueMetrics(queue);
    }

    /** Size gauges refreshed every {@code opskit.deadletter.metrics-refresh}. */
    @Bean
    @ConditionalOnBean(PostgresDeadLetterStore.class)
    @ConditionalOnMissingBean(DeadLetterMetrics.class)
    public DeadLetterMetrics opskitDeadLetterMetrics(PostgresDeadLetterStore store, OpskitProperties properties) {
        return Props.apply("opskit.deadletter.metrics-refresh", properties.getDeadletter().getMetricsRefresh(),
                () -> new DeadLetterMetrics(store, properties.getDeadletter().getMetricsRefresh()));
    }

    @Bean
    @ConditionalOnBean(ProviderBreakers.class)
    @ConditionalOnMissingBean(BreakerMetrics.class)
    public BreakerMetrics opskitBreakerMetrics(ProviderBreakers breakers) {
        return new BreakerMetrics(breakers);
    }

    @Bean
    @ConditionalOnBean(HealthRegistry.class)
    @ConditionalOnMissingBean(HealthMetrics.class)
    public HealthMetrics opskitHealthMetrics(HealthRegistry registry) {
        return new HealthMetrics(registry);
    }

    /** The start-up gates' checks, counted since JVM start, so Flyway's check before binding is kept. */
    @Bean
    @ConditionalOnProperty(prefix = "opskit.migration-guard", name = "enabled", matchIfMissing = true)
    @ConditionalOnMissingBean(MigrationGuardMetrics.class)
    public MigrationGuardMetrics opskitMigrationGuardMetrics() {
        return new MigrationGuardMetrics();
    }
}
