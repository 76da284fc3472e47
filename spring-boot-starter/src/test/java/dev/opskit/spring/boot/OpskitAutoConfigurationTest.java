package dev.opskit.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opskit.breaker.BreakerMetrics;
import dev.opskit.breaker.ProviderBreakers;
import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthCheck;
import dev.opskit.core.testing.PostgresExtension;
import dev.opskit.deadletter.DeadLetterMetrics;
import dev.opskit.deadletter.DeadLetterStore;
import dev.opskit.deadletter.PostgresDeadLetterStore;
import dev.opskit.deadletter.testing.InMemoryDeadLetterStore;
import dev.opskit.health.HealthMetrics;
import dev.opskit.health.HealthRegistry;
import dev.opskit.health.HealthServer;
import dev.opskit.jobqueue.JobQueue;
import dev.opskit.jobqueue.JobQueueHealthCheck;
import dev.opskit.jobqueue.JobQueueMetrics;
import dev.opskit.jobqueue.JobRequest;
import dev.opskit.jobqueue.PostgresJobQueue;
import dev.opskit.jobqueue.Workers;
import dev.opskit.jobqueue.testing.InMemoryJobQueue;
import dev.opskit.migrationguard.MigrationGuardMetrics;
import dev.opskit.migrationguard.flyway.MigrationGuardCallback;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Every condition of the auto-configuration, with Boot's {@link ApplicationContextRunner}: what a
 * context with only a {@code DataSource} gets, what each property turns off, which beans of the
 * application's own make it back off, and what a missing class leaves out.
 */
@ExtendWith(PostgresExtension.class)
class OpskitAutoConfigurationTest {
    private static final AutoConfigurations OPSKIT = AutoConfigurations.of(
            OpskitDeadLetterAutoConfiguration.class, OpskitJobQueueAutoConfiguration.class,
            OpskitBreakerAutoConfiguration.class, OpskitHealthAutoConfiguration.class,
            OpskitActuatorHealthAutoConfiguration.class, OpskitMetricsAutoConfiguration.class,
            OpskitFlywayAutoConfiguration.class);

    private final ApplicationContextRunner runner;
    private final DataSource dataSource;

    OpskitAutoConfigurationTest(DataSource dataSource) {
        this.dataSource = dataSource;
        this.runner = new ApplicationContextRunner()
                .withConfiguration(OPSKIT)
                .withConfiguration(AutoConfigurations.of(HealthContributorAutoConfiguration.class))
                .withBean(DataSource.class, () -> dataSource)
                .withPropertyValues("opskit.health.interval=1s");
    }

    @Test
    void aDataSourceAloneGivesQueueDeadLettersHealthAndNoWorkers() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(PostgresJobQueue.class).hasSingleBean(PostgresDeadLetterStore.class)
                    .hasSingleBean(HealthRegistry.class).hasSingleBean(JobQueueHealthCheck.class)
                    .hasSingleBean(MigrationGuardCallback.class).hasSingleBean(OpskitHealthContributor.class);
            assertThat(context.getBean(JobQueue.class)).as("the primary JobQueue joins Spring transactions")
                    .isInstanceOf(SpringJobQueue.class);
            assertThat(context.getBean(PostgresJobQueue.class).deadLetters())
                    .as("jobs that give up go to the dead-letter bean").isSameAs(context.getBean(DeadLetterStore.class));
            assertThat(context).as("no handler bean, no workers").doesNotHaveBean(Workers.class).doesNotHaveBean(WorkersLifecycle.class);
            assertThat(context).as("no breaker named").doesNotHaveBean(ProviderBreakers.class);
            assertThat(context).doesNotHaveBean(HealthServer.class);
            assertThat(context.getBean(HealthRegistry.class).names()).contains("db", "jobs", "dead-letters", "deadlocks");
        });
    }

    @Test
    void handlerBeansGetWorkersThatStartWithTheContextAndDrainOnClose() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WorkersLifecycle[] lifecycle = new WorkersLifecycle[1];
        runner.withBean("greet", OpskitJobHandler.class, () -> OpskitJobHandler.of("greet", ctx -> {
                    ran.countDown();
                    release.await(20, TimeUnit.SECONDS);
                }))
                .withPropertyValues("opskit.jobqueue.workers.queues.greetings=2", "opskit.jobqueue.workers.poll-interval=100ms",
                        "spring.lifecycle.timeout-per-shutdown-phase=20s")
                .run(context -> {
                    assertThat(context).hasSingleBean(Workers.class);
                    lifecycle[0] = context.getBean(WorkersLifecycle.class);
                    assertThat(lifecycle[0].isRunning()).as("started when the context was refreshed").isTrue();
                    assertThat(lifecycle[0].shutdownTimeout()).isEqualTo(Duration.ofSeconds(20));
                    context.getBean(JobQueue.class).enqueue(JobRequest.builder("greet").queue("greetings").build());
                    assertThat(ran.await(30, TimeUnit.SECONDS)).as("the handler bean ran the job").isTrue();
                    release.countDown();
                });
        assertThat(lifecycle[0].isRunning()).isFalse();
        assertThat(lifecycle[0].drainReport()).as("closing the context drained the workers")
                .hasValueSatisfying(r -> assertThat(r.clean()).isTrue());
    }

    @Test
    void twoHandlerBeansForOneKindFailTheStartNamingBoth() {
        runner.withBean("first", OpskitJobHandler.class, () -> OpskitJobHandler.of("same", ctx -> { }))
                .withBean("second", OpskitJobHandler.class, () -> OpskitJobHandler.of("same", ctx -> { }))
                .run(context -> assertThat(context).getFailure().rootCause()
                        .hasMessageContaining("'same'").hasMessageContaining("'first'").hasMessageContaining("'second'"));
    }

    @Test
    void badPropertiesFailTheStartNamingPropertyAndValue() {
        runner.withBean("greet", OpskitJobHandler.class, () -> OpskitJobHandler.of("greet", ctx -> { }))
                .withPropertyValues("opskit.jobqueue.workers.queues.emails=0")
                .run(context -> assertThat(invalidProperty(context))
                        .hasMessageContaining("opskit.jobqueue.workers.queues.emails").hasMessageContaining("'0'"));
        runner.withPropertyValues("opskit.schema=Not A Schema")
                .run(context -> assertThat(invalidProperty(context))
                        .hasMessageContaining("opskit.schema").hasMessageContaining("'Not A Schema'"));
        runner.withBean("greet", OpskitJobHandler.class, () -> OpskitJobHandler.of("greet", ctx -> { }))
                .withPropertyValues("opskit.jobqueue.workers.shutdown-timeout=45s")
                .run(context -> assertThat(invalidProperty(context))
                        .hasMessageContaining("opskit.jobqueue.workers.shutdown-timeout").hasMessageContaining("'PT45S'")
                        .hasMessageContaining("spring.lifecycle.timeout-per-shutdown-phase (PT30S)"));
        runner.withPropertyValues("opskit.breakers.providers.myapi.minimum-number-of-calls=50")
                .run(context -> assertThat(invalidProperty(context))
                        .hasMessageContaining("opskit.breakers.providers.myapi").hasMessageContaining("minimumNumberOfCalls"));
        runner.withPropertyValues("opskit.breakers.presets=openai,nosuch")
                .run(context -> assertThat(invalidProperty(context))
                        .hasMessageContaining("opskit.breakers.presets[1]").hasMessageContaining("'nosuch'"));
    }

    @Test
    void eachPropertySwitchesItsPartOff() {
        runner.withBean("greet", OpskitJobHandler.class, () -> OpskitJobHandler.of("greet", ctx -> { }))
                .withPropertyValues("opskit.jobqueue.workers.enabled=false")
                .run(context -> assertThat(context).hasSingleBean(PostgresJobQueue.class).doesNotHaveBean(Workers.class));
        runner.withPropertyValues("opskit.jobqueue.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(PostgresJobQueue.class).doesNotHaveBean(JobQueue.class)
                        .doesNotHaveBean(JobQueueMetrics.class).hasSingleBean(PostgresDeadLetterStore.class));
        runner.withPropertyValues("opskit.deadletter.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(DeadLetterStore.class).hasSingleBean(PostgresJobQueue.class));
        runner.withPropertyValues("opskit.jobqueue.health-check=false", "opskit.deadletter.health-check=false", "opskit.health.db-check=false")
                .run(context -> assertThat(context.getBean(HealthRegistry.class).names()).containsExactly("deadlocks"));
        runner.withPropertyValues("opskit.health.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(HealthRegistry.class).doesNotHaveBean(OpskitHealthContributor.class)
                        .doesNotHaveBean(HealthMetrics.class));
        runner.withPropertyValues("management.health.opskit.enabled=false")
                .run(context -> assertThat(context).hasSingleBean(HealthRegistry.class).doesNotHaveBean(OpskitHealthContributor.class));
        runner.withPropertyValues("opskit.migration-guard.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(MigrationGuardCallback.class)
                        .doesNotHaveBean(MigrationGuardMetrics.class));
        runner.withPropertyValues("opskit.breakers.presets=openai", "opskit.breakers.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(ProviderBreakers.class));
        runner.withPropertyValues("opskit.install-schema=false", "opskit.schema=never_installed", "opskit.health.enabled=false")
                .run(context -> {
                    assertThat(context).hasSingleBean(PostgresJobQueue.class);
                    try (var c = context.getBean(DataSource.class).getConnection();
                         var rs = c.getMetaData().getSchemas(null, "never_installed")) {
                        assertThat(rs.next()).as("no schema installed").isFalse();
                    }
                });
    }

    @Test
    void theApplicationsOwnBeansReplaceOurs() {
        InMemoryDeadLetterStore letters = new InMemoryDeadLetterStore();
        runner.withBean(DeadLetterStore.class, () -> letters)
                .run(context -> {
                    assertThat(context).doesNotHaveBean(PostgresDeadLetterStore.class).doesNotHaveBean(DeadLetterMetrics.class);
                    assertThat(context.getBean(PostgresJobQueue.class).deadLetters()).isSameAs(letters);
                });
        InMemoryJobQueue fake = new InMemoryJobQueue();
        runner.withBean(JobQueue.class, () -> fake)
                .run(context -> assertThat(context).doesNotHaveBean(SpringJobQueue.class));
        runner.withBean("myQueue", PostgresJobQueue.class, () -> PostgresJobQueue.builder(dataSource).schema("mine").build())
                .run(context -> assertThat(context.getBean(PostgresJobQueue.class).schema()).isEqualTo("mine"));
        HealthRegistry own = HealthRegistry.create();
        runner.withBean(HealthRegistry.class, () -> own)
                .run(context -> assertThat(context.getBean(HealthRegistry.class)).isSameAs(own));
        ProviderBreakers breakers = ProviderBreakers.builder().preset("stripe").build();
        runner.withBean(ProviderBreakers.class, () -> breakers).withPropertyValues("opskit.breakers.presets=openai")
                .run(context -> assertThat(context.getBean(ProviderBreakers.class).names()).containsExactly("stripe"));
        breakers.close();
        MigrationGuardCallback callback = new MigrationGuardCallback();
        runner.withBean(MigrationGuardCallback.class, () -> callback)
                .run(context -> assertThat(context.getBean(MigrationGuardCallback.class)).isSameAs(callback));
    }

    @Test
    void withoutTheClassesTheirPartsStayOut() {
        runner.withClassLoader(new FilteredClassLoader(Flyway.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(MigrationGuardCallback.class));
        runner.withClassLoader(new FilteredClassLoader(HealthContributor.class))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(HealthRegistry.class)
                        .doesNotHaveBean(OpskitHealthContributor.class));
        runner.withClassLoader(new FilteredClassLoader(PostgresJobQueue.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(JobQueue.class)
                        .hasSingleBean(PostgresDeadLetterStore.class));
        runner.withClassLoader(new FilteredClassLoader(ProviderBreakers.class)).withPropertyValues("opskit.breakers.presets=openai")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(BreakerMetrics.class));
        new ApplicationContextRunner().withConfiguration(OPSKIT)
                .run(context -> assertThat(context).as("no DataSource").hasNotFailed()
                        .doesNotHaveBean(PostgresJobQueue.class).doesNotHaveBean(DeadLetterStore.class)
                        .hasSingleBean(HealthRegistry.class));
    }

    @Test
    void breakersComeFromPropertiesWithTheirSwitches() {
        runner.withPropertyValues("opskit.breakers.presets=openai,email",
                        "opskit.breakers.providers.myapi.failure-rate-threshold=25",
                        "opskit.breakers.providers.myapi.wait-in-open-state=5s",
                        "opskit.breakers.switches.system-properties=true",
                        "opskit.breakers.switches.environment=false")
                .run(context -> {
                    ProviderBreakers breakers = context.getBean(ProviderBreakers.class);
                    assertThat(breakers.names()).containsExactlyInAnyOrder("openai", "email", "myapi");
                    assertThat(breakers.get("myapi").config().failureRateThreshold()).isEqualTo(25f);
                    assertThat(breakers.get("myapi").config().waitInOpenState()).isEqualTo(Duration.ofSeconds(5));
                    System.setProperty("MYAPI_CIRCUIT_OPEN", "true");
                    try {
                        breakers.refreshSwitches();
                        assertThat(breakers.get("myapi").state().name()).isEqualTo("FORCED_OPEN");
                    } finally {
                        System.clearProperty("MYAPI_CIRCUIT_OPEN");
                    }
                    assertThat(context.getBean(HealthRegistry.class).names()).contains("breaker.openai", "breaker.email", "breaker.myapi");
                });
    }

    @Test
    void opskitChecksAppearInActuatorAndDegradedIsNotDown() {
        runner.withBean("paymentsHealthCheck", HealthCheck.class, () -> () -> HealthResult.degraded(java.util.Map.of("lag", 3)))
                .run(context -> {
                    CompositeHealthContributor opskit = (CompositeHealthContributor) context.getBean("opskitHealthContributor");
                    Set<String> names = opskit.stream().map(c -> c.getName()).collect(Collectors.toSet());
                    assertThat(names).contains("db", "jobs", "dead-letters", "payments", "deadlocks");
                    HealthIndicator payments = (HealthIndicator) opskit.getContributor("payments");
                    HealthIndicator db = (HealthIndicator) opskit.getContributor("db");
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (System.nanoTime() < end && !(db.health().getStatus().equals(Status.UP)
                            && payments.health().getStatus().equals(OpskitHealthContributor.DEGRADED))) {
                        Thread.sleep(50);
                    }
                    assertThat(db.health().getStatus()).isEqualTo(Status.UP);
                    assertThat(payments.health().getStatus()).isEqualTo(OpskitHealthContributor.DEGRADED);
                    assertThat(payments.health().getDetails()).containsEntry("lag", 3).containsEntry("critical", true);
                    assertThat(opskit.getContributor("nosuch")).isNull();
                });
    }

    @Test
    void closingTheContextTurnsReadinessOutOfServiceInBootAndOpskit() {
        HealthRegistry[] registry = new HealthRegistry[1];
        ApplicationAvailability[] availability = new ApplicationAvailability[1];
        runner.withConfiguration(AutoConfigurations.of(ApplicationAvailabilityAutoConfiguration.class))
                .run(context -> {
                    registry[0] = context.getBean(HealthRegistry.class);
                    availability[0] = context.getBean(ApplicationAvailability.class);
                    assertThat(registry[0].isShuttingDown()).isFalse();
                    ((ConfigurableApplicationContext) context.getSourceApplicationContext()).close();
                });
        assertThat(registry[0].isShuttingDown()).isTrue();
        assertThat(availability[0].getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
    }

    @Test
    void everyOpskitMeterIsBoundToBootsRegistry() {
        runner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
                .withPropertyValues("opskit.breakers.presets=openai")
                .run(context -> {
                    assertThat(context).hasSingleBean(JobQueueMetrics.class).hasSingleBean(DeadLetterMetrics.class)
                            .hasSingleBean(BreakerMetrics.class).hasSingleBean(HealthMetrics.class)
                            .hasSingleBean(MigrationGuardMetrics.class);
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    context.getBean(JobQueue.class).enqueue(JobRequest.of("metered", "{}"));
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    Set<String> names = Set.of();
                    while (System.nanoTime() < end) {
                        names = meters.getMeters().stream().map(Meter::getId).map(Meter.Id::getName).collect(Collectors.toSet());
                        if (names.contains(HealthMetrics.CHECK_STATUS) && names.contains(DeadLetterMetrics.OLDEST_AGE)) {
                            break;
                        }
                        Thread.sleep(50);
                    }
                    assertThat(names).contains(JobQueueMetrics.ENQUEUED, BreakerMetrics.STATE, HealthMetrics.CHECK_STATUS,
                            DeadLetterMetrics.OLDEST_AGE, MigrationGuardMetrics.CHECKS);
                });
    }

    /** The first {@link InvalidOpskitPropertyException} among the causes of the context's start failure. */
    private static Throwable invalidProperty(org.springframework.boot.test.context.assertj.AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        for (Throwable t = context.getStartupFailure(); t != null; t = t.getCause()) {
            if (t instanceof InvalidOpskitPropertyException) {
                return t;
            }
        }
        throw new AssertionError("the start failed without an InvalidOpskitPropertyException", context.getStartupFailure());
    }
}
