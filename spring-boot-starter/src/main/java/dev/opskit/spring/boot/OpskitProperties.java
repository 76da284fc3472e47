package dev.opskit.spring.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Every {@code opskit.*} property of the starter. Each default is the opskit library's own default
 * (the constants named below); spring-boot-configuration-processor turns the field comments into
 * {@code META-INF/spring-configuration-metadata.json} for IDE completion.
 */
@ConfigurationProperties(prefix = "opskit")
public class OpskitProperties {

    /** The PostgreSQL schema of the job-queue and dead-letter tables (a lower-case identifier). */
    private String schema = "opskit";

    /**
     * Whether to create or upgrade the opskit tables at startup (idempotent, under an advisory lock);
     * false when your own migrations apply the scripts of PostgresJobQueue.SCHEMA and
     * PostgresDeadLetterStore.SCHEMA.
     */
    private boolean installSchema = true;

    private final JobQueue jobqueue = new JobQueue();
    private final DeadLetter deadletter = new DeadLetter();
    private final Breakers breakers = new Breakers();
    private final Health health = new Health();
    private final MigrationGuard migrationGuard = new MigrationGuard();

    public String getSchema() {
        return schema;
    }

    public void setSchema(String schema) {
        this.schema = schema;
    }

    public boolean isInstallSchema() {
        return installSchema;
    }

    public void setInstallSchema(boolean installSchema) {
        this.installSchema = installSchema;
    }

    public JobQueue getJobqueue() {
        return jobqueue;
    }

    public DeadLetter getDeadletter() {
        return deadletter;
    }

    public Breakers getBreakers() {
        return breakers;
    }

    public Health getHealth() {
        return health;
    }

    public MigrationGuard getMigrationGuard() {
        return migrationGuard;
    }

    /** {@code opskit.jobqueue.*}. */
    public static class JobQueue {
        /** Whether to configure the job queue (PostgresJobQueue and the transaction-joining JobQueue bean). */
        private boolean enabled = true;

        /** How long completed, cancelled and dead jobs stay readable before they are pruned; 0 deletes completed jobs at once. */
        private Duration finishedRetention = Duration.ofHours(1);

        /** Whether to register the job-queue health check ("jobs"). */
        private boolean healthCheck = true;

        private final Workers workers = new Workers();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getFinishedRetention() {
            return finishedRetention;
        }

        public void setFinishedRetention(Duration finishedRetention) {
            this.finishedRetention = finishedRetention;
        }

        public boolean isHealthCheck() {
            return healthCheck;
        }

        public void setHealthCheck(boolean healthCheck) {
            this.healthCheck = healthCheck;
        }

        public Workers getWorkers() {
            return workers;
        }
    }

    /** {@code opskit.jobqueue.workers.*}. */
    public static class Workers {
        /** Whether to run workers in this application (they run only when an OpskitJobHandler bean exists). */
        private boolean enabled = true;

        /**
         * The queues to work on and their concurrency (worker threads each, 1-1000), for example
         * emails=8; unset: the queue "default" with 10.
         */
        private Map<String, Integer> queues = new LinkedHashMap<>();

        /** How often an idle queue polls for due jobs (LISTEN/NOTIFY wakes it earlier). */
        private Duration pollInterval = Duration.ofSeconds(1);

        /** How long a claimed job's lease lasts; it is extended every third of it while the job runs. */
        private Duration lease = Duration.ofSeconds(30);

        /** The default per-job timeout, after which the handler's thread is interrupted. */
        private Duration jobTimeout = Duration.ofMinutes(15);

        /** Whether to wake idle queues with LISTEN/NOTIFY (turn off behind PgBouncer in transaction mode). */
        private boolean listenNotify = true;

        /** Whether this instance competes to run maintenance (rescue expired leases, vacuum, prune). */
        private boolean maintenance = true;

        /** How often maintenance runs and the gauges are sampled. */
        private Duration maintenanceInterval = Duration.ofSeconds(2);

        /**
         * How long the drain on context close may take (running jobs finish until 70 % of it, are
         * interrupted, and are handed back at 90 %); unset: spring.lifecycle.timeout-per-shutdown-phase
         * (30s unless set). Must not be longer than that phase timeout.
         */
        private @Nullable Duration shutdownTimeout;

        /** This worker's name stored on the jobs it runs; unset: host-pid-random. */
        private @Nullable String workerId;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Map<String, Integer> getQueues() {
            return queues;
        }

        public void setQueues(Map<String, Integer> queues) {
            this.queues = queues;
        }

        public Duration getPollInterval() {
            return pollInterval;
        }

        public void setPollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
        }

        public Duration getLease() {
            return lease;
        }

        public void setLease(Duration lease) {
            this.lease = lease;
        }

        public Duration getJobTimeout() {
            return jobTimeout;
        }

        public void setJobTimeout(Duration jobTimeout) {
            this.jobTimeout = jobTimeout;
        }

        public boolean isListenNotify() {
            return listenNotify;
        }

        public void setListenNotify(boolean listenNotify) {
            this.listenNotify = listenNotify;
        }

        public boolean isMaintenance() {
            return maintenance;
        }

        public void setMaintenance(boolean maintenance) {
            this.maintenance = maintenance;
        }

        public Duration getMaintenanceInterval() {
            return maintenanceInterval;
        }

        public void setMaintenanceInterval(Duration maintenanceInterval) {
            this.maintenanceInterval = maintenanceInterval;
        }

        public @Nullable Duration getShutdownTimeout() {
            return shutdownTimeout;
        }

        public void setShutdownTimeout(@Nullable Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
        }

        public @Nullable String getWorkerId() {
            return workerId;
        }

        public void setWorkerId(@Nullable String workerId) {
            this.workerId = workerId;
        }
    }

    /** {@code opskit.deadletter.*}. */
    public static class DeadLetter {
        /** Whether to configure the dead-letter store (PostgresDeadLetterStore on the schema). */
        private boolean enabled = true;

        /** How often the dead-letter size gauges are refreshed (at least 100ms). */
        private Duration metricsRefresh = Duration.ofSeconds(30);

        /** Whether to register the dead-letter health check ("dead-letters"). */
        private boolean healthCheck = true;

        /** The dead-letter health check turns DEGRADED above this many waiting letters. */
        private long maxWaiting = 10;

        /** The dead-letter health check turns DEGRADED when the oldest waiting letter is older. */
        private Duration maxOldestAge = Duration.ofHours(24);

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getMetricsRefresh() {
            return metricsRefresh;
        }

        public void setMetricsRefresh(Duration metricsRefresh) {
            this.metricsRefresh = metricsRefresh;
        }

        public boolean isHealthCheck() {
            return healthCheck;
        }

        public void setHealthCheck(boolean healthCheck) {
            this.healthCheck = healthCheck;
        }

        public long getMaxWaiting() {
            return maxWaiting;
        }

        public void setMaxWaiting(long maxWaiting) {
            this.maxWaiting = maxWaiting;
        }

        public Duration getMaxOldestAge() {
            return maxOldestAge;
        }

        public void setMaxOldestAge(Duration maxOldestAge) {
            this.maxOldestAge = maxOldestAge;
        }
    }

    /** {@code opskit.breakers.*}: a ProviderBreakers bean exists when a preset or a provider is configured. */
    public static class Breakers {
        /** Whether to configure breakers at all. */
        private boolean enabled = true;

        /** Presets to add with their tuned settings: openai, stripe, email. */
        private List<String> presets = new ArrayList<>();

        /** Breakers by name; a name that is a preset starts from the preset's settings. */
        private Map<String, Provider> providers = new LinkedHashMap<>();

        private final Switches switches = new Switches();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public List<String> getPresets() {
            return presets;
        }

        public void setPresets(List<String> presets) {
            this.presets = presets;
        }

        public Map<String, Provider> getProviders() {
            return providers;
        }

        public void setProviders(Map<String, Provider> providers) {
            this.providers = providers;
        }

        public Switches getSwitches() {
            return switches;
        }
    }

    /** {@code opskit.breakers.providers.<name>.*}; unset values keep the preset's or the breaker defaults. */
    public static class Provider {
        /** Failure rate in percent (1-100) at which the breaker opens; default 50. */
        private @Nullable Float failureRateThreshold;
        /** Slow-call rate in percent (1-100) at which the breaker opens; default 100. */
        private @Nullable Float slowCallRateThreshold;
        /** A call slower than this counts as slow; default 10s. */
        private @Nullable Duration slowCallDuration;
        /** Calls in the sliding window; default 20. */
        private @Nullable Integer slidingWindowSize;
        /** Calls needed before the rates count; default 10, at most sliding-window-size. */
        private @Nullable Integer minimumNumberOfCalls;
        /** How long the breaker stays open before it lets trial calls through; default 30s. */
        private @Nullable Duration waitInOpenState;
        /** Trial calls in the half-open state; default 3. */
        private @Nullable Integer permittedCallsInHalfOpenState;
        /** The longest time in the half-open state; default 60s. */
        private @Nullable Duration maxWaitInHalfOpenState;
        /** Attempts per idempotent call (callIdempotent), the first included; default 3. */
        private @Nullable Integer maxAttempts;
        /** The longest provider Retry-After the breaker waits for; default 30s, 0 never waits. */
        private @Nullable Duration maxRetryAfter;

        public @Nullable Float getFailureRateThreshold() {
            return failureRateThreshold;
        }

        public void setFailureRateThreshold(@Nullable Float failureRateThreshold) {
            this.failureRateThreshold = failureRateThreshold;
        }

        public @Nullable Float getSlowCallRateThreshold() {
            return slowCallRateThreshold;
        }

        public void setSlowCallRateThreshold(@Nullable Float slowCallRateThreshold) {
            this.slowCallRateThreshold = slowCallRateThreshold;
        }

        public @Nullable Duration getSlowCallDuration() {
            return slowCallDuration;
        }

        public void setSlowCallDuration(@Nullable Duration slowCallDuration) {
            this.slowCallDuration = slowCallDuration;
        }

        public @Nullable Integer getSlidingWindowSize() {
            return slidingWindowSize;
        }

        public void setSlidingWindowSize(@Nullable Integer slidingWindowSize) {
            this.slidingWindowSize = slidingWindowSize;
        }

        public @Nullable Integer getMinimumNumberOfCalls() {
            return minimumNumberOfCalls;
        }

        public void setMinimumNumberOfCalls(@Nullable Integer minimumNumberOfCalls) {
            this.minimumNumberOfCalls = minimumNumberOfCalls;
        }

        public @Nullable Duration getWaitInOpenState() {
            return waitInOpenState;
        }

        public void setWaitInOpenState(@Nullable Duration waitInOpenState) {
            this.waitInOpenState = waitInOpenState;
        }

        public @Nullable Integer getPermittedCallsInHalfOpenState() {
            return permittedCallsInHalfOpenState;
        }

        public void setPermittedCallsInHalfOpenState(@Nullable Integer permittedCallsInHalfOpenState) {
            this.permittedCallsInHalfOpenState = permittedCallsInHalfOpenState;
        }

        public @Nullable Duration getMaxWaitInHalfOpenState() {
            return maxWaitInHalfOpenState;
        }

        public void setMaxWaitInHalfOpenState(@Nullable Duration maxWaitInHalfOpenState) {
            this.maxWaitInHalfOpenState = maxWaitInHalfOpenState;
        }

        public @Nullable Integer getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(@Nullable Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public @Nullable Duration getMaxRetryAfter() {
            return maxRetryAfter;
        }

        public void setMaxRetryAfter(@Nullable Duration maxRetryAfter) {
            this.maxRetryAfter = maxRetryAfter;
        }
    }

    /** {@code opskit.breakers.switches.*}: where NAME_CIRCUIT_OPEN / NAME_CIRCUIT_DISABLED are read while running. */
    public static class Switches {
        /** An environment file (NAME_CIRCUIT_OPEN=true lines) re-read when it changes; a missing file sets no switch. */
        private @Nullable String file;
        /** Whether JVM system properties are read (after the file). */
        private boolean systemProperties = false;
        /** Whether the process environment is read (last). */
        private boolean environment = true;
        /** How often the switches are re-read; 0 never by itself. */
        private Duration refreshInterval = Duration.ofSeconds(5);

        public @Nullable String getFile() {
            return file;
        }

        public void setFile(@Nullable String file) {
            this.file = file;
        }

        public boolean isSystemProperties() {
            return systemProperties;
        }

        public void setSystemProperties(boolean systemProperties) {
            this.systemProperties = systemProperties;
        }

        public boolean isEnvironment() {
            return environment;
        }

        public void setEnvironment(boolean environment) {
            this.environment = environment;
        }

        public Duration getRefreshInterval() {
            return refreshInterval;
        }

        public void setRefreshInterval(Duration refreshInterval) {
            this.refreshInterval = refreshInterval;
        }
    }

    /** {@code opskit.health.*}. */
    public static class Health {
        /** Whether to run opskit's HealthRegistry over every HealthCheck bean (and show it in Actuator as "opskit"). */
        private boolean enabled = true;

        /** Per-check timeout of a run; a check past it counts as DOWN. */
        private Duration timeout = Duration.ofSeconds(2);

        /** How often each check runs in the background. */
        private Duration interval = Duration.ofSeconds(5);

        /** Whether to register a "db" check on the DataSource (SELECT 1 within the timeout). */
        private boolean dbCheck = true;

        private final Server server = new Server();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public boolean isDbCheck() {
            return dbCheck;
        }

        public void setDbCheck(boolean dbCheck) {
            this.dbCheck = dbCheck;
        }

        public Server getServer() {
            return server;
        }
    }

    /** {@code opskit.health.server.*}: opskit's own probe endpoints on the JDK's HTTP server, beside Actuator. */
    public static class Server {
        /** Whether to serve /health, /health/live, /health/ready, /livez, /readyz (and /metrics with a Prometheus registry). */
        private boolean enabled = false;
        /** The port; 0 picks a free one. */
        private int port = 8081;
        /** The address to bind. */
        private String bindAddress = "0.0.0.0";

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public String getBindAddress() {
            return bindAddress;
        }

        public void setBindAddress(String bindAddress) {
            this.bindAddress = bindAddress;
        }
    }

    /** {@code opskit.migration-guard.*}. */
    public static class MigrationGuard {
        /** Whether Flyway's migrate is checked by the migration guard first (only with Flyway on the class path). */
        private boolean enabled = true;

        /** A migration-guard configuration file (rule severities, approvers, pg-version, excludes); unset: the defaults. */
        private @Nullable String configFile;

        public @Nullable String getConfigFile() {
            return configFile;
        }

        public void setConfigFile(@Nullable String configFile) {
            this.configFile = configFile;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
