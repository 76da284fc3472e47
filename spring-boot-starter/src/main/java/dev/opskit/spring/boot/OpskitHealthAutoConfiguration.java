package dev.opskit.spring.boot;

import dev.opskit.breaker.ProviderBreakers;
import dev.opskit.core.health.HealthCheck;
import dev.opskit.deadletter.DeadLetterHealthCheck;
import dev.opskit.health.CheckOptions;
import dev.opskit.health.HealthChecks;
import dev.opskit.health.HealthEndpoint;
import dev.opskit.health.HealthRegistry;
import dev.opskit.health.HealthServer;
import dev.opskit.jobqueue.JobQueueHealthCheck;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * opskit's {@link HealthRegistry} over every {@link HealthCheck} bean (checks run in the background
 * with a timeout each; probes read the latest results), plus a {@code db} check on the
 * {@code DataSource} and one {@code breaker.<name>} check per breaker (an open breaker is DEGRADED,
 * never DOWN). The {@link ReadinessBridge} makes readiness follow Boot's availability state on
 * shutdown. Optionally opskit's own probe endpoints ({@code opskit.health.server.enabled}).
 *
 * <p>Check names: a bean's name without a leading {@code opskit} and a trailing {@code HealthCheck},
 * in kebab case: {@code opskitJobsHealthCheck} is {@code jobs}, {@code opskitDeadLettersHealthCheck}
 * is {@code dead-letters}, {@code paymentsHealthCheck} is {@code payments}. The built-in job-queue,
 * dead-letter and breaker checks are not critical (DOWN counts as DEGRADED); your checks, the
 * {@code db} check and the built-in {@code deadlocks} liveness check are.
 */
@AutoConfiguration(after = {DataSourceAutoConfiguration.class, OpskitDeadLetterAutoConfiguration.class,
        OpskitJobQueueAutoConfiguration.class, OpskitBreakerAutoConfiguration.class})
@ConditionalOnClass(HealthRegistry.class)
@ConditionalOnProperty(prefix = "opskit.health", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(OpskitProperties.class)
public class OpskitHealthAutoConfiguration {

    /** Started at once (checks begin in the background), closed with the context. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(HealthRegistry.class)
    public HealthRegistry opskitHealthRegistry(OpskitProperties properties, Map<String, HealthCheck> checks,
                                               ObjectProvider<DataSource> dataSource, ObjectProvider<ProviderBreakers> breakers) {
        OpskitProperties.Health p = properties.getHealth();
        CheckOptions timed = Props.apply("opskit.health.timeout", p.getTimeout(), () -> CheckOptions.readiness().timeout(p.getTimeout()));
        CheckOptions readiness = Props.apply("opskit.health.interval", p.getInterval(), () -> timed.interval(p.getInterval()));
        HealthRegistry registry = HealthRegistry.create();
        DataSource ds = dataSource.getIfUnique();
        if (p.isDbCheck() && ds != null) {
            registry.register("db", HealthChecks.dataSource(ds), readiness);
        }
        checks.forEach((beanName, check) -> {
            boolean builtIn = check instanceof JobQueueHealthCheck || check instanceof DeadLetterHealthCheck;
            registry.register(checkName(beanName), check, builtIn ? readiness.critical(false) : readiness);
        });
        ProviderBreakers b = breakers.getIfUnique();
        if (b != null) {
            registry.registerAll("breaker.", b.healthChecks(), readiness.critical(false));
        }
        return registry.start();
    }

    /** Makes opskit's readiness and Boot's availability state agree when the context closes. */
    @Bean
    @ConditionalOnMissingBean(ReadinessBridge.class)
    public ReadinessBridge opskitReadinessBridge(HealthRegistry registry) {
        return new ReadinessBridge(registry);
    }

    /** A bean name as a check name: {@code opskitDeadLettersHealthCheck} is {@code dead-letters}. */
    static String checkName(String beanName) {
        String n = beanName;
        if (n.endsWith("HealthCheck") && n.length() > "HealthCheck".length()) {
            n = n.substring(0, n.length() - "HealthCheck".length());
        }
        if (n.startsWith("opskit") && n.length() > 6 && Character.isUpperCase(n.charAt(6))) {
            n = n.substring(6);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && n.charAt(i - 1) != '-' && n.charAt(i - 1) != '.') {
                    out.append('-');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    /** opskit's own probe endpoints on the JDK's HTTP server, beside Actuator. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthServer.class)
    @ConditionalOnProperty(prefix = "opskit.health.server", name = "enabled", havingValue = "true")
    static class ServerConfiguration {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(HealthServer.class)
        HealthServer opskitHealthServer(HealthRegistry registry, OpskitProperties properties,
                                        ObjectProvider<PrometheusScrapeSource> prometheus) {
            OpskitProperties.Server p = properties.getHealth().getServer();
            HealthEndpoint.Builder endpoint = HealthEndpoint.builder(registry);
            PrometheusScrapeSource scrape = prometheus.getIfAvailable();
            if (scrape != null) {
                endpoint.metrics(scrape::scrape);
            }
            HealthServer.Builder b = HealthServer.builder(endpoint.build());
            Props.run("opskit.health.server.port", p.getPort(), () -> b.port(p.getPort()));
            Props.run("opskit.health.server.bind-address", p.getBindAddress(), () -> b.bindAddress(p.getBindAddress()));
            return b.build().start();
        }

        /** Serves the Prometheus registry's text on opskit's {@code /metrics} when the application has one. */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(PrometheusMeterRegistry.class)
        static class PrometheusConfiguration {
            @Bean
            @ConditionalOnBean(PrometheusMeterRegistry.class)
            PrometheusScrapeSource opskitPrometheusScrapeSource(PrometheusMeterRegistry registry) {
                return registry::scrape;
            }
        }
    }

    /** What opskit's {@code /metrics} serves: Prometheus text. */
    @FunctionalInterface
    public interface PrometheusScrapeSource {
        /** The current Prometheus text exposition. */
        String scrape();
    }

}
