package dev.opskit.breaker;

import dev.opskit.core.health.HealthCheck;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's provider breakers, one per external provider, fixed when built.
 *
 * <pre>{@code
 * ProviderBreakers breakers = ProviderBreakers.builder()
 *         .presets()                                   // openai, stripe, email
 *         .add(BreakerConfig.custom("geocoder").failureRateThreshold(30).build())
 *         .build();
 * String answer = breakers.call("openai", Duration.ofSeconds(10), () -> client.complete(prompt));
 *
 * ProviderBreaker stripe = breakers.get("stripe");    // keep the handle on hot paths
 * Charge charge = stripe.callInline(Duration.ofSeconds(5), () -> api.charge(request));
 * }</pre>
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>{@code opskit-breaker-switches}: one daemon thread that re-reads the operator switches
 *       every {@link Builder#switchRefreshInterval(Duration) refresh interval} (default 5 s) and
 *       notices state changes no call has seen yet. Not started when the interval is zero.</li>
 *   <li>{@code opskit-breaker-call-N}: daemon threads of the default call executor (a cached pool)
 *       that run {@link ProviderBreaker#call} calls so they can be abandoned and interrupted at
 *       their timeout. Replace it with {@link Builder#callExecutor(ExecutorService)}.</li>
 * </ul>
 * {@link #close()} stops both (the call executor only when it is the default one).
 *
 * <h2>Switches</h2>
 * {@code <NAME>_CIRCUIT_OPEN=true} forces a breaker open; {@code <NAME>_CIRCUIT_DISABLED=true}
 * disables it (when both are set, forced open wins). See {@link SwitchSource}. They are read once
 * when the registry is built and then every refresh interval; removing a switch closes the breaker.
 */
public final class ProviderBreakers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProviderBreakers.class);

    /** Default interval between two reads of the switches. */
    public static final Duration DEFAULT_SWITCH_REFRESH_INTERVAL = Duration.ofSeconds(5);

    private final Map<String, ProviderBreaker> breakers;
    private final SwitchSource switches;
    private final ExecutorService callExecutor;
    private final boolean ownsCallExecutor;
    private final @Nullable ScheduledExecutorService refresher;
    private final Set<String> warnedOnce = ConcurrentHashMap.newKeySet();

    private ProviderBreakers(Builder b) {
        this.switches = b.switches;
        this.ownsCallExecutor = b.callExecutor == null;
        this.callExecutor = b.callExecutor == null ? Executors.newCachedThreadPool(daemon("opskit-breaker-call-", true)) : b.callExecutor;
        boolean customClock = b.clock != null;
        Clock clock = b.clock != null ? b.clock : Clock.systemUTC();
        Map<String, ProviderBreaker> map = new LinkedHashMap<>();
        for (BreakerConfig config : b.configs.values()) {
            map.put(config.name(), new ProviderBreaker(config, clock, customClock, callExecutor));
            log.info("{} - circuit breaker configured: {}; switches {} / {}", config.name(), config,
                    SwitchSource.switchKey(config.name(), "OPEN"), SwitchSource.switchKey(config.name(), "DISABLED"));
        }
        this.breakers = Collections.unmodifiableMap(map);
        refreshSwitches();
        if (b.refreshInterval.isZero()) {
            this.refresher = null;
        } else {
            this.refresher = Executors.newSingleThreadScheduledExecutor(daemon("opskit-breaker-switches", false));
            long millis = b.refreshInterval.toMillis();
            refresher.scheduleWithFixedDelay(this::refreshQuietly, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    /** A builder: add breakers, then {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The three presets ({@code openai}, {@code stripe}, {@code email}) with switches from the environment. */
    public static ProviderBreakers withPresets() {
        return builder().presets().build();
    }

    /**
     * The breaker called {@code name}. Look it up once and keep it where calls are frequent.
     *
     * @throws IllegalArgumentException naming the unknown breaker and the known ones
     */
    public ProviderBreaker get(String name) {
        ProviderBreaker b = breakers.get(Objects.requireNonNull(name, "name must not be null"));
        if (b == null) {
            throw new IllegalArgumentException("no circuit breaker named '" + name + "'; known: " + breakers.keySet());
        }
        return b;
    }

    /** {@code get(name).call(timeout, call)}; see {@link ProviderBreaker#call}. */
    public <T> T call(String name, Duration timeout, ProviderCall<T> call) {
        return get(name).call(timeout, call);
    }

    /** {@code get(name).callInline(timeout, call)}; see {@link ProviderBreaker#callInline}. */
    public <T> T callInline(String name, Duration timeout, ProviderCall<T> call) {
        return get(name).callInline(timeout, call);
    }

    /** {@code get(name).callIdempotent(timeout, call)}; see {@link ProviderBreaker#callIdempotent}. */
    public <T> T callIdempotent(String name, Duration timeout, ProviderCall<T> call) {
        return get(name).callIdempotent(timeout, call);
    }

    /** {@code get(name).callWithFallback(timeout, call, fallback)}; see {@link ProviderBreaker#callWithFallback}. */
    public <T> T callWithFallback(String name, Duration timeout, ProviderCall<T> call,
            Function<? super RuntimeException, ? extends T> fallback) {
        return get(name).callWithFallback(timeout, call, fallback);
    }

    /** The breakers' names, in the order they were added. */
    public List<String> names() {
        return List.copyOf(breakers.keySet());
    }

    /** The breakers, in the order they were added. */
    public Collection<ProviderBreaker> breakers() {
        return breakers.values();
    }

    /** A snapshot of every breaker, in the order they were added, for a status page. */
    public List<BreakerSnapshot> snapshot() {
        List<BreakerSnapshot> list = new ArrayList<>(breakers.size());
        for (ProviderBreaker b : breakers.values()) {
            list.add(b.snapshot());
        }
        return list;
    }

    /**
     * One health check per breaker, keyed by breaker name, in the order they were added: UP when
     * CLOSED or DISABLED, DEGRADED (never DOWN) when HALF_OPEN, OPEN or FORCED_OPEN; see
     * {@link ProviderBreaker#healthCheck()}.
     */
    public Map<String, HealthCheck> healthChecks() {
        Map<String, HealthCheck> checks = new LinkedHashMap<>();
        breakers.forEach((name, b) -> checks.put(name, b.healthCheck()));
        return Collections.unmodifiableMap(checks);
    }

    /**
     * Reads the switches now and applies them, instead of waiting for the refresher. Thread-safe.
     * A switch source that throws leaves every breaker as it was (logged at WARN).
     */
    public synchronized void refreshSwitches() {
        for (ProviderBreaker b : breakers.values()) {
            String openKey = SwitchSource.switchKey(b.name(), "OPEN");
            String disabledKey = SwitchSource.switchKey(b.name(), "DISABLED");
            Boolean open;
            Boolean disabled;
            try {
                open = parse(openKey, switches.get(openKey));
                disabled = parse(disabledKey, switches.get(disabledKey));
            } catch (RuntimeException e) {
                warnOnce("source-failure", "{} - could not read circuit breaker switches, keeping them as they were: {}",
                        b.name(), e.toString());
                continue;
            }
            ProviderBreaker.Switch desired;
            if (open && disabled) {
                warnOnce(openKey + "+both", "{} - both {} and {} are set; forced open wins", b.name(), openKey, disabledKey);
                desired = ProviderBreaker.Switch.FORCE_OPEN;
            } else {
                desired = open ? ProviderBreaker.Switch.FORCE_OPEN
                        : disabled ? ProviderBreaker.Switch.DISABLE : ProviderBreaker.Switch.NONE;
            }
            b.applySwitch(desired);
        }
    }

    private void refreshQuietly() {
        try {
            refreshSwitches();
        } catch (RuntimeException e) { // never let the schedule die
            log.warn("circuit breaker switch refresh failed: {}", e.toString(), e);
        }
    }

    private boolean parse(String key, @Nullable String value) {
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase("false")) {
            return false;
        }
        if (value.trim().equalsIgnoreCase("true")) {
            return true;
        }
        warnOnce(key + "=" + value, "ignoring switch {}='{}': expected true or false", key, value);
        return false;
    }

    private void warnOnce(String key, String format, Object... args) {
        if (warnedOnce.add(key)) {
            log.warn(format, args);
        } else if (log.isDebugEnabled()) {
            log.debug(format, args);
        }
    }

    /** Stops the refresher thread and the default call executor (interrupting calls still running). */
    @Override
    public void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
        if (ownsCallExecutor) {
            callExecutor.shutdownNow();
        }
    }

    private static ThreadFactory daemon(String prefix, boolean numbered) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, numbered ? prefix + n.incrementAndGet() : prefix);
            t.setDaemon(true);
            return t;
        };
    }

    /** Collects breaker configs and settings; validates each value as it is set. */
    public static final class Builder {
        private final Map<String, BreakerConfig> configs = new LinkedHashMap<>();
        private SwitchSource switches = SwitchSource.environment();
        private Duration refreshInterval = DEFAULT_SWITCH_REFRESH_INTERVAL;
        private @Nullable Clock clock;
        private @Nullable ExecutorService callExecutor;

        private Builder() {
        }

        /**
         * Adds a breaker.
         *
         * @throws IllegalArgumentException when a breaker with that name was already added
         */
        public Builder add(BreakerConfig config) {
            Objects.requireNonNull(config, "config must not be null");
            if (configs.putIfAbsent(config.name(), config) != null) {
                throw new IllegalArgumentException("a circuit breaker named '" + config.name() + "' was already added");
            }
            return this;
        }

        /** Adds presets by name ({@code "openai"}, {@code "stripe"}, {@code "email"}); see {@link BreakerConfig#preset}. */
        public Builder preset(String... names) {
            Objects.requireNonNull(names, "names must not be null");
            for (String n : names) {
                add(BreakerConfig.preset(n));
            }
            return this;
        }

        /** Adds all three presets: {@code openai}, {@code stripe} and {@code email}. */
        public Builder presets() {
            return preset(BreakerConfig.presetNames().toArray(String[]::new));
        }

        /** Where switches are read from; default {@link SwitchSource#environment()}. */
        public Builder switchSource(SwitchSource source) {
            this.switches = Objects.requireNonNull(source, "switchSource must not be null");
            return this;
        }

        /**
         * How often switches are re-read; default 5 s. Zero: never by itself (no thread is started;
         * call {@link ProviderBreakers#refreshSwitches()}).
         *
         * @throws IllegalArgumentException when negative or between zero and 10 ms
         */
        public Builder switchRefreshInterval(Duration interval) {
            Objects.requireNonNull(interval, "switchRefreshInterval must not be null");
            if (interval.isNegative() || (!interval.isZero() && interval.toMillis() < 10)) {
                throw new IllegalArgumentException("switchRefreshInterval must be zero or at least 10 ms, but was " + interval);
            }
            this.refreshInterval = interval;
            return this;
        }

        /**
         * The clock for open-state waits, call durations and timestamps; default the system clock
         * (call durations then use {@code System.nanoTime()}). A custom clock (tests) also measures
         * call durations, in milliseconds. The half-open maximum wait always runs on resilience4j's
         * own timer thread, in real time.
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /**
         * The executor that runs {@link ProviderBreaker#call} calls; it must interrupt a cancelled
         * task (any {@code ExecutorService} from {@code Executors} does). Default: a cached pool of
         * daemon threads named {@code opskit-breaker-call-N}, shut down by {@link ProviderBreakers#close()}.
         * An executor you pass is yours to shut down.
         */
        public Builder callExecutor(ExecutorService executor) {
            this.callExecutor = Objects.requireNonNull(executor, "callExecutor must not be null");
            return this;
        }

        /**
         * Builds the registry, applies the switches once and starts the refresher.
         *
         * @throws IllegalArgumentException when no breaker was added
         */
        public ProviderBreakers build() {
            if (configs.isEmpty()) {
                throw new IllegalArgumentException("at least one circuit breaker must be added (add(...), preset(...) or presets())");
            }
            return new ProviderBreakers(this);
        }
    }
}
