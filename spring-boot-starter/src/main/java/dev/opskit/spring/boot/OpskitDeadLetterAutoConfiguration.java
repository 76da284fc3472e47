package dev.opskit.spring.boot;

import dev.opskit.deadletter.DeadLetterHealthCheck;
import dev.opskit.deadletter.DeadLetterStore;
import dev.opskit.deadletter.PostgresDeadLetterStore;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The dead-letter store: a {@link PostgresDeadLetterStore} on the application's {@code DataSource}
 * and {@code opskit.schema} (tables installed unless {@code opskit.install-schema=false}); the job
 * queue moves jobs that give up into it. Plus its health check ({@code dead-letters}).
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class)
@ConditionalOnClass(PostgresDeadLetterStore.class)
@ConditionalOnBean(DataSource.class)
@ConditionalOnProperty(prefix = "opskit.deadletter", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(OpskitProperties.class)
public class OpskitDeadLetterAutoConfiguration {

    /** The store; replace it by defining your own {@link DeadLetterStore} bean. Closed with the context. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(DeadLetterStore.class)
    public PostgresDeadLetterStore opskitDeadLetterStore(DataSource dataSource, OpskitProperties properties) {
        String schema = properties.getSchema();
        PostgresDeadLetterStore store = Props.apply("opskit.schema", schema,
                () -> PostgresDeadLetterStore.builder(dataSource).schema(schema).build());
        if (properties.isInstallSchema()) {
            store.installSchema();
        }
        return store;
    }

    /** DEGRADED above {@code opskit.deadletter.max-waiting} letters or when the oldest is older than {@code max-oldest-age}. */
    @Bean
    @ConditionalOnBean(DeadLetterStore.class)
    @ConditionalOnMissingBean(DeadLetterHealthCheck.class)
    @ConditionalOnProperty(prefix = "opskit.deadletter", name = "health-check", matchIfMissing = true)
    public DeadLetterHealthCheck opskitDeadLettersHealthCheck(DeadLetterStore store, OpskitProperties properties) {
        OpskitProperties.DeadLetter p = properties.getDeadletter();
        DeadLetterHealthCheck.Builder b = DeadLetterHealthCheck.builder(store);
        Props.run("opskit.deadletter.max-waiting", p.getMaxWaiting(), () -> b.maxWaiting(p.getMaxWaiting()));
        Props.run("opskit.deadletter.max-oldest-age", p.getMaxOldestAge(), () -> b.maxOldestAge(p.getMaxOldestAge()));
        return b.build();
    }
}
