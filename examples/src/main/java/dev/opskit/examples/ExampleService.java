package dev.opskit.examples;

import dev.opskit.breaker.BreakerConfig;
import dev.opskit.breaker.BreakerMetrics;
import dev.opskit.breaker.ProviderBreakers;
import dev.opskit.breaker.SwitchSource;
import dev.opskit.core.backoff.Backoff;
import dev.opskit.core.env.EnvReport;
import dev.opskit.core.env.EnvRequirements;
import dev.opskit.core.env.EnvRequirementsException;
import dev.opskit.core.OpsKitException;
import dev.opskit.core.env.EnvSource;
import dev.opskit.core.jdbc.DatabaseUrl;
import dev.opskit.console.ConsoleEndpoint;
import dev.opskit.console.ConsoleMetrics;
import dev.opskit.core.schema.SchemaInstaller;
import dev.opskit.core.shutdown.GracefulShutdown;
import dev.opskit.core.shutdown.ShutdownPhase;
import dev.opskit.deadletter.DeadLetterHealthCheck;
import dev.opskit.deadletter.DeadLetterMetrics;
import dev.opskit.deadletter.PostgresDeadLetterStore;
import dev.opskit.health.CheckOptions;
import dev.opskit.health.DetailsVisibility;
import dev.opskit.health.HealthChecks;
import dev.opskit.health.HealthEndpoint;
import dev.opskit.health.HealthMetrics;
import dev.opskit.health.HealthRegistry;
import dev.opskit.health.HealthServer;
import dev.opskit.health.HikariPoolCheck;
import dev.opskit.jobqueue.DrainReport;
import dev.opskit.jobqueue.JobQueueHealthCheck;
import dev.opskit.jobqueue.JobQueueMetrics;
import dev.opskit.jobqueue.PostgresJobQueue;
import dev.opskit.jobqueue.QueueCounts;
import dev.opskit.jobqueue.Workers;
import dev.opskit.migrationguard.MigrationGuardMetrics;
import dev.opskit.migrationguard.Report;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The opskit example service: every module working together in one small process.
 *
 * <p>Start-up, in this order: (1) environment requirements ({@code example.requirements});
 * (2) migration-guard over the service's migrations, then Flyway applies them; (3) the opskit
 * schemas (dead letters, job queue); (4) the health server on {@code OPSKIT_HTTP_PORT} with
 * {@code /health}, {@code /health/live}, {@code /health/ready}, {@code /metrics}, {@code /status}
 * and the {@code /demo/...} actions; (5) the workers. SIGTERM (or Ctrl-C) runs a graceful
 * shutdown: readiness 503, no new claims, running jobs finish, the drain report and the shutdown
 * report are logged, the pool and the embedded PostgreSQL are closed, exit status 0.
 *
 * <p>Exit status 1 when the environment requirements are not met, a migration is refused, or
 * start-up fails otherwise.
 */
public final class ExampleService {
    /** The whole graceful shutdown's deadline; below Kubernetes' default grace period of 30 s. */
    static final Duration SHUTDOWN_DEADLINE = Duration.ofSeconds(25);
    static final String REQUIREMENTS = "example.requirements";

    private static final Logger log;

    static {
        configureLogging();
        log = LoggerFactory.getLogger(ExampleService.class);
    }

    private ExampleService() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = start();
        } catch (IllegalArgumentException e) {
            // a bad setting (EXAMPLE_EXTRA_MIGRATIONS, DATABASE_URL, a port): the message names it
            log.error("start-up refused: {}", e.getMessage());
            status = 1;
        } catch (Throwable e) {
            log.error("start-up failed: {}", e.toString(), e);
            status = 1;
        }
        if (status != 0) {
            System.out.flush();
            System.exit(status);
        }
        // Keep main (and so `mvn exec:java`) alive; the shutdown hook ends the JVM with status 0.
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts everything; returns 0 when the service runs, else the exit status (problem already printed). */
    private static int start() throws Exception {
        Instant startedAt = Instant.now();
        log.info("opskit example service starting (pid {})", ProcessHandle.current().pid());

        // (1) environment requirements: every problem at once, secrets never shown
        EnvReport env;
        try {
            env = requirements().requireAll(EnvSource.environment());
        } catch (EnvRequirementsException e) {
            System.out.println(e.report().format());
            log.error("start-up refused: {}", e.getMessage());
            return 1;
        }
        System.out.print(env.format());
        int httpPort = port(env, "OPSKIT_HTTP_PORT");
        int pgPort = port(env, "OPSKIT_EXAMPLE_PG_PORT");

        // (2a) migration-guard over the service's own migrations, before the database is touched
        Migrations migrations = Migrations.locate(System.getenv("EXAMPLE_EXTRA_MIGRATIONS"));
        Report guard = migrations.check();
        System.out.print("migration-guard over " + migrations.describe() + ":\n" + Migrations.format(guard));
        if (guard.hasBlocking()) {
            log.error("start-up refused: {} blocking finding(s) in the migrations (see above). Approve them in an "
                    + "opskit-approvals.txt beside the migration (two people for destructive changes), or remove the migration.",
                    guard.blocking().size());
            return 1;
        }

        GracefulShutdown shutdown = new GracefulShutdown();
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ExampleDatabase db;
        try {
            db = ExampleDatabase.open(System.getenv("DATABASE_URL"), pgPort, meters);
        } catch (IOException e) {
            log.error("start-up failed: {}", e.getMessage());
            return 1;
        }
        // From here on a signal must close the database: the hook is installed before anything else.
        shutdown.register("database", ShutdownPhase.CLOSE, timeLeft -> db.close());
        shutdown.installShutdownHook(SHUTDOWN_DEADLINE, 0);
        try {
            run(startedAt, httpPort, Path.of(env.value("OPSKIT_SWITCH_FILE").orElseThrow()), migrations, shutdown, meters, db);
            return 0;
        } catch (Exception | Error e) {
            shutdown.removeShutdownHook();
            if (e instanceof OpsKitException) {
                // opskit's own errors name what was wrong; no stack trace needed
                log.error("start-up failed: {}{}", e.getMessage(), e instanceof HealthServer.HealthServerException
                        ? " (set OPSKIT_HTTP_PORT to use another port)" : "");
            } else {
                log.error("start-up failed: {}", e.toString(), e);
            }
            shutdown.shutdown(Duration.ofSeconds(15)); // close what was opened, embedded PostgreSQL included
            return 1;
        }
    }

    private static void run(Instant startedAt, int httpPort, Path switchFile, Migrations migrations, GracefulShutdown shutdown,
            PrometheusMeterRegistry meters, ExampleDatabase db) throws Exception {
        // (2b) apply the migrations; the guard's Flyway callback checks the pending ones once more
        MigrateResult migrated = migrations.migrate(db.pool());
        log.info("migrations: {} applied now, schema version {}", migrated.migrationsExecuted,
                migrated.targetSchemaVersion != null ? migrated.targetSchemaVersion : migrated.initialSchemaVersion);

        // (3) the opskit schemas: dead letters and the job queue, in schema "opskit"
        List<SchemaInstaller.Applied> applied = SchemaInstaller.forSchema(db.pool(), SchemaInstaller.DEFAULT_SCHEMA)
                .install(PostgresDeadLetterStore.SCHEMA, PostgresJobQueue.SCHEMA);
        log.info("opskit schemas installed in '{}': {} script(s) applied now", SchemaInstaller.DEFAULT_SCHEMA, applied.size());

        // providers' circuit breakers, tuned so the demo opens and closes them within seconds;
        // OPENAI_CIRCUIT_OPEN=true / EMAIL_CIRCUIT_OPEN=true force them open: from the switch file
        // (OPSKIT_SWITCH_FILE, default ./opskit-switches.env), edited while the service runs, or
        // from the environment at start-up
        ProviderBreakers breakers = ProviderBreakers.builder()
                .add(demoBreaker(BreakerConfig.email()))
                .add(demoBreaker(BreakerConfig.openai()))
                .switchSource(SwitchSource.file(switchFile).or(SwitchSource.environment()))
                .switchRefreshInterval(Duration.ofSeconds(1))
                .build();
        log.info("operator switches: {} (re-read every second), then the environment", switchFile.toAbsolutePath());
        shutdown.register("breakers", ShutdownPhase.CLOSE, timeLeft -> breakers.close());

        PostgresDeadLetterStore deadLetters = PostgresDeadLetterStore.builder(db.pool()).build();
        new DeadLetterMetrics(deadLetters, Duration.ofSeconds(5)).bindTo(meters);
        PostgresJobQueue queue = PostgresJobQueue.builder(db.pool()).deadLetterStore(deadLetters).build();
        new JobQueueMetrics(queue).bindTo(meters);
        shutdown.register("dead-letter-store", ShutdownPhase.CLOSE, timeLeft -> deadLetters.close());
        Demo demo = new Demo(db.pool(), queue, breakers);

        // (4) health: checks run in the background; probes read the latest results
        HealthRegistry health = HealthRegistry.create();
        health.register("db", HealthChecks.dataSource(db.pool()),
                CheckOptions.readiness().timeout(Duration.ofSeconds(2)).interval(Duration.ofSeconds(2)));
        health.register("db-pool", HikariPoolCheck.of(db.pool()), CheckOptions.readiness().critical(false));
        health.register("disk", HealthChecks.diskSpace(Path.of(System.getProperty("java.io.tmpdir")), 100L * 1024 * 1024));
        health.registerAll("breaker.", breakers.healthChecks(),      // breaker.email, breaker.openai
                CheckOptions.readiness().critical(false).interval(Duration.ofSeconds(1)));
        health.register("jobs", new JobQueueHealthCheck(queue, Duration.ofMinutes(1), JobQueueHealthCheck.DEFAULT_EXPIRED_LEASE_GRACE),
                CheckOptions.readiness().critical(false).interval(Duration.ofSeconds(2)));
        health.register("dead-letters", DeadLetterHealthCheck.builder(deadLetters).maxWaiting(0).build(),
                CheckOptions.readiness().critical(false).interval(Duration.ofSeconds(2)));
        health.bindTo(shutdown); // readiness answers 503 from the moment the shutdown starts
        health.start(); // bindTo also closes the registry in the CLOSE phase

        new HealthMetrics(health).bindTo(meters);
        new BreakerMetrics(breakers).bindTo(meters);
        new MigrationGuardMetrics().bindTo(meters);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);

        AtomicReference<Workers> workersRef = new AtomicReference<>();
        Map<String, Object> database = new LinkedHashMap<>();
        database.put("embedded", db.embedded());
        database.put("url", DatabaseUrl.redact(db.jdbcUrl()));
        DemoEndpoints endpoints = new DemoEndpoints(demo, queue, workersRef::get, deadLetters, breakers, health,
                shutdown, startedAt, database);
        // Bound to the loopback interface only, so every probe may show the checks' details.
        HealthServer.Builder server = HealthServer.builder(HealthEndpoint.builder(health)
                        .details(DetailsVisibility.ALWAYS).prometheus(meters).build())
                .bindAddress("127.0.0.1")
                .port(httpPort)
                .threads(4);
        endpoints.routes().forEach(server::route);
        // The operator's console on the same port: http://localhost:8080/console. Read-only unless
        // OPSKIT_CONSOLE_TOKEN is set (at least 16 characters); OPSKIT_CONSOLE_ENABLED=false turns it off.
        ConsoleEndpoint console = ConsoleEndpoint.builder(queue).deadLetters(deadLetters)
                .enabled(!"false".equalsIgnoreCase(System.getenv("OPSKIT_CONSOLE_ENABLED")))
                .token("ops", System.getenv("OPSKIT_CONSOLE_TOKEN"))
                .build();
        new ConsoleMetrics(console).bindTo(meters);
        console.routes().forEach(server::route);
        shutdown.register("console", ShutdownPhase.CLOSE, timeLeft -> console.close());
        HealthServer http = server.build().start();
        http.registerWith(shutdown); // closed in the CLOSE phase: probes answer 503 while work drains

        // (5) workers: short backoff so a failing job reaches the dead letters within seconds
        Workers workers = demo.register(Workers.builder(queue))
                .backoff(Backoff.exponential(Duration.ofMillis(300), Duration.ofSeconds(3)))
                .start();
        workersRef.set(workers);
        shutdown.register("workers", ShutdownPhase.DRAIN, timeLeft -> drain(workers, queue, timeLeft));

        String base = "http://localhost:" + http.port();
        System.out.println();
        System.out.println("opskit example service is up (pid " + ProcessHandle.current().pid() + ", started in "
                + Duration.between(startedAt, Instant.now()).toMillis() + " ms). Try:");
        System.out.println("  curl -s " + base + "/health/ready");
        System.out.println("  curl -s " + base + "/status");
        System.out.println("  open " + base + "/console   # the operator's console" + (System.getenv("OPSKIT_CONSOLE_TOKEN") == null
                ? " (read-only: set OPSKIT_CONSOLE_TOKEN for actions)" : ""));
        System.out.println("  curl -s -X POST '" + base + "/demo/emails?count=5'");
        System.out.println("  curl -s -X POST " + base + "/demo/providers/email/down");
        System.out.println("  kill -TERM " + ProcessHandle.current().pid() + "    # graceful stop, exit status 0");
        System.out.println();
    }

    /**
     * The DRAIN phase: the workers stop claiming, hand back what has not started, let running jobs
     * finish; then the drain report and the jobs' counts are logged (the last word on "nothing is
     * still processing").
     */
    private static void drain(Workers workers, PostgresJobQueue queue, Duration timeLeft) {
        Duration deadline = timeLeft.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : timeLeft;
        DrainReport r = workers.shutdown(deadline);
        log.info("job queue drain report: finished={} handedBack={} interrupted={} took={}ms clean={}",
                r.finished(), r.handedBack(), r.interrupted(), r.took().toMillis(), r.clean());
        try {
            List<QueueCounts> counts = queue.counts();
            long available = 0;
            long running = 0;
            long completed = 0;
            long cancelled = 0;
            long dead = 0;
            StringBuilder perQueue = new StringBuilder();
            for (QueueCounts c : counts) {
                available += c.available();
                running += c.running();
                completed += c.completed();
                cancelled += c.cancelled();
                dead += c.dead();
                perQueue.append(' ').append(c.queue()).append("[available=").append(c.available())
                        .append(" running=").append(c.running()).append(" completed=").append(c.completed())
                        .append(" dead=").append(c.dead()).append(']');
            }
            log.info("jobs at shutdown: total={} available={} running={} completed={} cancelled={} dead={}{}",
                    available + running + completed + cancelled + dead, available, running, completed, cancelled, dead, perQueue);
        } catch (RuntimeException e) {
            log.warn("jobs at shutdown: could not count them: {}", e.toString());
        }
    }

    private static int port(EnvReport env, String name) {
        String value = env.value(name).orElseThrow();
        int port = Integer.parseInt(value); // the requirement's pattern allows digits only
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + " must be a port from 1 to 65535, but was " + value);
        }
        return port;
    }

    /** The preset with demo timings: opens after 5 calls at 50 % failures, probes again after 5 s. */
    private static BreakerConfig demoBreaker(BreakerConfig preset) {
        return preset.toBuilder()
                .slidingWindowSize(10)
                .minimumNumberOfCalls(5)
                .waitInOpenState(Duration.ofSeconds(5))
                .permittedCallsInHalfOpenState(1)
                .build();
    }

    static EnvRequirements requirements() throws IOException {
        try (InputStream in = ExampleService.class.getClassLoader().getResourceAsStream(REQUIREMENTS)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + REQUIREMENTS + " is missing");
            }
            return EnvRequirements.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), REQUIREMENTS);
        }
    }

    /** slf4j-simple: time stamps, short names, to standard output; quiet libraries. Explicit settings win. */
    private static void configureLogging() {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("org.slf4j.simpleLogger.logFile", "System.out");
        defaults.put("org.slf4j.simpleLogger.showDateTime", "true");
        defaults.put("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        defaults.put("org.slf4j.simpleLogger.showShortLogName", "true");
        defaults.put("org.slf4j.simpleLogger.showThreadName", "false");
        // `mvn -q` sets the JVM-wide default level to error; the example's own lines must still show
        defaults.put("org.slf4j.simpleLogger.log.dev.opskit", "info");
        defaults.put("org.slf4j.simpleLogger.log.io.zonky", "warn");
        defaults.put("org.slf4j.simpleLogger.log.com.zaxxer.hikari", "warn");
        defaults.put("org.slf4j.simpleLogger.log.org.flywaydb", "warn");
        defaults.forEach((k, v) -> {
            if (System.getProperty(k) == null) {
                System.setProperty(k, v);
            }
        });
    }
}
