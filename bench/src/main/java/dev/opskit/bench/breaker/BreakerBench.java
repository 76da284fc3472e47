package dev.opskit.bench.breaker;

import dev.opskit.breaker.BreakerConfig;
import dev.opskit.breaker.BreakerMetrics;
import dev.opskit.breaker.ProviderBreaker;
import dev.opskit.breaker.ProviderBreakers;
import dev.opskit.breaker.ProviderCall;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetricsPublisher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Closed-path cost of one call: direct, through a bare resilience4j breaker, and through an opskit
 * provider breaker (handle and registry lookup; inline and on the call executor), with and
 * without Micrometer metrics bound. Every breaker has the same thresholds (the openai preset).
 *
 * <p>Run (see bench/results/breaker.md):
 * {@code mvn -q -pl bench exec:exec -Dbench.args="BreakerBench -prof gc"}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class BreakerBench {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private String payload;
    private Supplier<String> supplier;
    private ProviderCall<String> call;

    private CircuitBreaker bare;
    private Supplier<String> bareDecorated;
    private CircuitBreaker bareWithMetrics;

    private ProviderBreakers breakers;
    private ProviderBreaker openai;
    private ProviderBreakers breakersWithMetrics;
    private ProviderBreaker openaiWithMetrics;

    @Setup(Level.Trial)
    public void setUp() {
        payload = "answer";
        supplier = () -> payload;
        call = () -> payload;

        BreakerConfig preset = BreakerConfig.openai();
        bare = CircuitBreaker.of("bare", resilience4jConfig(preset));
        bareDecorated = CircuitBreaker.decorateSupplier(bare, supplier);
        bareWithMetrics = CircuitBreaker.of("bare-metrics", resilience4jConfig(preset));
        new TaggedCircuitBreakerMetricsPublisher(new SimpleMeterRegistry()).publishMetrics(bareWithMetrics);

        breakers = ProviderBreakers.builder().add(preset).build(); // environment switches, 5 s refresher running
        openai = breakers.get("openai");
        breakersWithMetrics = ProviderBreakers.builder().add(preset).build();
        openaiWithMetrics = breakersWithMetrics.get("openai");
        new BreakerMetrics(breakersWithMetrics).bindTo(new SimpleMeterRegistry());
    }

    private static CircuitBreakerConfig resilience4jConfig(BreakerConfig c) {
        return CircuitBreakerConfig.custom()
                .failureRateThreshold(c.failureRateThreshold())
                .slowCallRateThreshold(c.slowCallRateThreshold())
                .slowCallDurationThreshold(c.slowCallDuration())
                .slidingWindow(c.slidingWindowSize(), c.minimumNumberOfCalls(), CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .waitDurationInOpenState(c.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(c.permittedCallsInHalfOpenState())
                .maxWaitDurationInHalfOpenState(c.maxWaitInHalfOpenState())
                .writableStackTraceEnabled(false)
                .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        breakers.close();
        breakersWithMetrics.close();
    }

    @Benchmark
    public String direct() {
        return supplier.get();
    }

    @Benchmark
    public String resilience4jExecuteSupplier() {
        return bare.executeSupplier(supplier);
    }

    @Benchmark
    public String resilience4jDecorated() {
        return bareDecorated.get();
    }

    @Benchmark
    public String opskitHandleInline() {
        return openai.callInline(TIMEOUT, call);
    }

    @Benchmark
    public String opskitRegistryInline() {
        return breakers.callInline("openai", TIMEOUT, call);
    }

    @Benchmark
    public String opskitHandleOnExecutor() {
        return openai.call(TIMEOUT, call);
    }

    @Benchmark
    public String resilience4jWithMetrics() {
        return bareWithMetrics.executeSupplier(supplier);
    }

    @Benchmark
    public String opskitHandleInlineWithMetrics() {
        return openaiWithMetrics.callInline(TIMEOUT, call);
    }
}
