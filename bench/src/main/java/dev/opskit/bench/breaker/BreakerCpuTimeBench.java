package dev.opskit.bench.breaker;

import dev.opskit.breaker.BreakerConfig;
import dev.opskit.breaker.ProviderBreaker;
import dev.opskit.breaker.ProviderBreakers;
import dev.opskit.breaker.ProviderCall;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A companion to {@link BreakerBench} for a busy machine: the same closed-path calls, measured in
 * the calling thread's CPU time (so time spent descheduled by other processes is not counted)
 * and in interleaved rounds (every round runs every variant, in a rotating order, so load that
 * drifts during the run hits all variants alike). Reports the median and quartiles of the
 * per-round cost. It is not a JMH benchmark: use {@link BreakerBench} with {@code -prof gc} for
 * allocation figures.
 *
 * <p>{@code java -cp <bench classpath> dev.opskit.bench.breaker.BreakerCpuTimeBench [rounds] [callsPerRound]}
 */
public final class BreakerCpuTimeBench {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String payload = "answer";
    private final Supplier<String> supplier = () -> payload;
    private final ProviderCall<String> call = () -> payload;
    private final CircuitBreaker bare;
    private final Supplier<String> bareDecorated;
    private final ProviderBreakers breakers;
    private final ProviderBreaker openai;
    private long sink;

    private BreakerCpuTimeBench() {
        BreakerConfig preset = BreakerConfig.openai();
        bare = CircuitBreaker.of("bare", CircuitBreakerConfig.custom()
                .failureRateThreshold(preset.failureRateThreshold())
                .slowCallRateThreshold(preset.slowCallRateThreshold())
                .slowCallDurationThreshold(preset.slowCallDuration())
                .slidingWindow(preset.slidingWindowSize(), preset.minimumNumberOfCalls(),
                        CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .waitDurationInOpenState(preset.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(preset.permittedCallsInHalfOpenState())
                .maxWaitDurationInHalfOpenState(preset.maxWaitInHalfOpenState())
                .writableStackTraceEnabled(false)
                .build());
        bareDecorated = CircuitBreaker.decorateSupplier(bare, supplier);
        breakers = ProviderBreakers.builder().add(preset).build();
        openai = breakers.get("openai");
    }

    private void direct(int n) {
        for (int i = 0; i < n; i++) {
            sink += supplier.get().length();
        }
    }

    private void resilience4jExecuteSupplier(int n) {
        for (int i = 0; i < n; i++) {
            sink += bare.executeSupplier(supplier).length();
        }
    }

    private void resilience4jDecorated(int n) {
        for (int i = 0; i < n; i++) {
            sink += bareDecorated.get().length();
        }
    }

    private void opskitHandleInline(int n) {
        for (int i = 0; i < n; i++) {
            sink += openai.callInline(TIMEOUT, call).length();
        }
    }

    private void opskitRegistryInline(int n) {
        for (int i = 0; i < n; i++) {
            sink += breakers.callInline("openai", TIMEOUT, call).length();
        }
    }

    private interface Variant {
        void run(int n);
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        BreakerCpuTimeBench b = new BreakerCpuTimeBench();
        Map<String, Variant> variants = new LinkedHashMap<>();
        variants.put("direct", b::direct);
        variants.put("resilience4jExecuteSupplier", b::resilience4jExecuteSupplier);
        variants.put("resilience4jDecorated", b::resilience4jDecorated);
        variants.put("opskitHandleInline", b::opskitHandleInline);
        variants.put("opskitRegistryInline", b::opskitRegistryInline);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();

        for (int w = 0; w < 5; w++) { // warm-up: let C2 compile every loop
            variants.values().forEach(v -> v.run(calls));
        }
        List<String> names = new ArrayList<>(variants.keySet());
        Map<String, double[]> perRound = new LinkedHashMap<>();
        names.forEach(n -> perRound.put(n, new double[rounds]));
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < names.size(); k++) {
                String name = names.get((k + r) % names.size());
                long t0 = threads.getCurrentThreadCpuTime();
                variants.get(name).run(calls);
                perRound.get(name)[r] = (threads.getCurrentThreadCpuTime() - t0) / (double) calls;
            }
        }
        b.breakers.close();
        System.out.printf(Locale.ROOT, "rounds=%d callsPerRound=%d (sink %d)%n", rounds, calls, b.sink);
        System.out.println("| variant | median CPU ns/call | p25 | p75 |");
        System.out.println("|---|---:|---:|---:|");
        perRound.forEach((name, values) -> {
            double[] v = values.clone();
            Arrays.sort(v);
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n", name, v[v.length / 2], v[v.length / 4], v[v.length * 3 / 4]);
        });
    }
}
