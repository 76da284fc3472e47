package dev.opskit.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Many threads share one breaker. */
class ConcurrencyTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void concurrentCallsOfBothKindsAreEachAnsweredAndCountedOnce() throws Exception {
        try (ProviderBreakers breakers = ProviderBreakers.builder()
                .add(BreakerConfig.custom("acme").slidingWindowSize(100).minimumNumberOfCalls(100).build())
                .switchSource(SwitchSource.of(Map.of())).switchRefreshInterval(Duration.ZERO).build()) {
            ProviderBreaker b = breakers.get("acme");
            int threads = 8;
            int callsEach = 1500;
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Thread w = new Thread(() -> {
                    try {
                        start.await();
                        for (int i = 0; i < callsEach; i++) {
                            boolean fails = i % 10 == 0; // 10 %: well under the 50 % threshold
                            ProviderCall<Integer> call = () -> {
                                if (fails) {
                                    throw new IOException("flaky");
                                }
                                return 1;
                            };
                            try {
                                int r = (id + i) % 2 == 0 ? b.callInline(TIMEOUT, call) : b.call(TIMEOUT, call);
                                ok.addAndGet(r);
                            } catch (ProviderCallException e) {
                                failed.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        unexpected.compareAndSet(null, e);
                    }
                });
                w.start();
                workers.add(w);
            }
            start.countDown();
            for (Thread w : workers) {
                w.join(120_000);
            }
            assertThat(unexpected.get()).isNull();
            assertThat(ok.get()).isEqualTo(threads * callsEach * 9 / 10);
            assertThat(failed.get()).isEqualTo(threads * callsEach / 10);
            BreakerSnapshot s = b.snapshot();
            assertThat(s.state()).isEqualTo(BreakerState.CLOSED);
            assertThat(s.bufferedCalls()).isEqualTo(100);
            assertThat(s.failureRate()).isBetween(0f, 50f);
            assertThat(s.notPermittedCalls()).isZero();
        }
    }
}
