package dev.opskit.spring.boot;

import dev.opskit.health.HealthRegistry;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * opskit's checks in Actuator's {@code /actuator/health} as the contributor {@code opskit}
 * ({@link OpskitHealthContributor}); off with {@code management.health.opskit.enabled=false}. To
 * gate Kubernetes readiness on them too:
 * {@code management.endpoint.health.group.readiness.include=readinessState,opskit}.
 */
@AutoConfiguration(after = OpskitHealthAutoConfiguration.class, before = HealthContributorAutoConfiguration.class)
@ConditionalOnClass({HealthContributor.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(HealthRegistry.class)
@ConditionalOnEnabledHealthIndicator("opskit")
public class OpskitActuatorHealthAutoConfiguration {

    /** Named {@code opskitHealthContributor}, so Actuator shows it as {@code opskit}. */
    @Bean
    @ConditionalOnMissingBean(name = "opskitHealthContributor")
    public OpskitHealthContributor opskitHealthContributor(HealthRegistry registry) {
        return new OpskitHealthContributor(registry);
    }
}
