package dev.opskit.spring.boot;

import dev.opskit.deadletter.DeadLetterStore;
import dev.opskit.jobqueue.JobQueue;
import dev.opskit.jobqueue.JobQueueHealthCheck;
import dev.opskit.jobqueue.PostgresJobQueue;
import dev.opskit.jobqueue.Workers;
import java.time.Duration;
import java.util.LinkedHashMap;
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
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;

/**
 * The job queue on the application's {@code DataSource}: a {@link PostgresJobQueue} (tables
 * installed at startup), the primary {@link JobQueue} bean {@link SpringJobQueue} whose enqueue
 * joins the caller's Spring transaction, the {@code jobs} health check, and, when at least one
 * {@link OpskitJobHandler} bean exists, {@link Workers} running those handlers, started and drained
 * by {@link WorkersLifecycle}.
 */
@AutoConfiguration(after = {DataSourceAutoConfiguration.class, OpskitDeadLetterAutoConfiguration.class})
@ConditionalOnClass(PostgresJobQueue.class)
@ConditionalOnBean(DataSource.class)
@ConditionalOnProperty(prefix = "opskit.jobqueue", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(OpskitProperties.class)
public class OpskitJobQueueAutoConfiguration {
    /** Boot's default of {@code spring.lifecycle.timeout-per-shutdown-phase}. */
    static final Duration DEFAULT_PHASE_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The queue; jobs that give up go to the {@link DeadLetterStore} bean when there is one (else
     * to a store of its own on the same schema).
     */
    @Bean
    @ConditionalOnMissingBean(PostgresJobQueue.class)
    public PostgresJobQueue opskitPostgresJobQueue(DataSource dataSource, OpskitProperties properties,
                                                   ObjectProvider<DeadLetterStore> deadLetters) {
        String schema = properties.getSchema();
        Duration retention = properties.getJobqueue().getFinishedRetention();
        PostgresJobQueue.Builder b = PostgresJobQueue.builder(dataSource);
        Props.run("opskit.schema", schema, () -> b.schema(schema));
        Props.run("opskit.jobqueue.finished-retention", retention, () -> b.finishedRetention(retention));
        DeadLetterStore store = deadLetters.getIfUnique();
        if (store != null) {
            b.deadLetterStore(store);
        }
        PostgresJobQueue queue = b.build();
        if (properties.isInstallSchema()) {
            queue.installSchema();
        }
        return queue;
    }

    /**
     * The {@code JobQueue} to inject: enqueues inside the caller's Spring transaction. Backs off when
     * the application defines a {@code JobQueue} of its own (other than a {@code PostgresJobQueue}).
     */
    @Bean
    @Primary
    @ConditionalOnMissingBean(value = JobQueue.class, ignored = PostgresJobQueue.class)
    public SpringJobQueue opskitJobQueue(PostgresJobQueue queue) {
        return new SpringJobQueue(queue);
    }

    /** DEGRADED on an old backlog, unrescued expired leases or stuck jobs; see {@link JobQueueHealthCheck}. */
    @Bean
    @ConditionalOnMissingBean(JobQueueHealthCheck.class)
    @ConditionalOnProperty(prefix = "opskit.jobqueue", name = "health-check", matchIfMissing = true)
    public JobQueueHealthCheck opskitJobsHealthCheck(PostgresJobQueue queue) {
        return new JobQueueHealthCheck(queue);
    }

    /** Workers exist only when there is something for them to run. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(OpskitJobHandler.class)
    @ConditionalOnProperty(prefix = "opskit.jobqueue.workers", name = "enabled", matchIfMissing = true)
    static class WorkersConfiguration {

        /** Built, not started: {@link WorkersLifecycle} starts them. A {@code Workers} bean of your own must not be started either. */
        @Bean
        @ConditionalOnMissingBean(Workers.class)
        Workers opskitWorkers(PostgresJobQueue queue, OpskitProperties properties, Map<String, OpskitJobHandler> handlers) {
            OpskitProperties.Workers p = properties.getJobqueue().getWorkers();
            Workers.Builder b = Workers.builder(queue);
            Map<String, String> beanOfKind = new LinkedHashMap<>();
            handlers.forEach((beanName, handler) -> {
                String kind = handler.kind();
                String earlier = beanOfKind.putIfAbsent(kind, beanName);
                if (earlier != null) {
                    throw new IllegalStateException("two OpskitJobHandler beans run job kind '" + kind + "': '" + earlier
                            + "' and '" + beanName + "'; each kind needs exactly one handler");
                }
                try {
                    b.handler(kind, handler, handler.timeout());
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("OpskitJobHandler bean '" + beanName + "' is invalid: " + e.getMessage(), e);
                }
            });
            p.getQueues().forEach((name, concurrency) -> Props.run("opskit.jobqueue.workers.queues." + name, concurrency,
                    () -> b.queue(name, concurrency == null ? 0 : concurrency)));
            Props.run("opskit.jobqueue.workers.poll-interval", p.getPollInterval(), () -> b.pollInterval(p.getPollInterval()));
            Props.run("opskit.jobqueue.workers.lease", p.getLease(), () -> b.leaseDuration(p.getLease()));
            Props.run("opskit.jobqueue.workers.job-timeout", p.getJobTimeout(), () -> b.jobTimeout(p.getJobTimeout()));
            Props.run("opskit.jobqueue.workers.maintenance-interval", p.getMaintenanceInterval(),
                    () -> b.maintenanceInterval(p.getMaintenanceInterval()));
            b.listenNotify(p.isListenNotify()).maintenance(p.isMaintenance());
            String workerId = p.getWorkerId();
            if (workerId != null) {
                Props.run("opskit.jobqueue.workers.worker-id", workerId, () -> b.workerId(workerId));
            }
            return b.build();
        }

        /** Starts the workers with the context and drains them on close, within the lifecycle phase timeout. */
        @Bean
        @ConditionalOnMissingBean(WorkersLifecycle.class)
        WorkersLifecycle opskitWorkersLifecycle(Workers workers, OpskitProperties properties, Environment environment) {
            Duration phase = Binder.get(environment).bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
                    .orElse(DEFAULT_PHASE_TIMEOUT);
            Duration configured = properties.getJobqueue().getWorkers().getShutdownTimeout();
            Duration timeout = configured != null ? configured : phase;
            if (timeout.isNegative() || timeout.isZero()) {
                throw new InvalidOpskitPropertyException(configured != null ? "opskit.jobqueue.workers.shutdown-timeout"
                        : "spring.lifecycle.timeout-per-shutdown-phase", timeout, "must be greater than 0");
            }
            if (timeout.compareTo(phase) > 0) {
                throw new InvalidOpskitPropertyException("opskit.jobqueue.workers.shutdown-timeout", timeout,
                        "must not be longer than spring.lifecycle.timeout-per-shutdown-phase (" + phase
                                + "): the context would stop waiting for the drain; raise the phase timeout too");
            }
            return new WorkersLifecycle(workers, timeout);
        }
    }
}
