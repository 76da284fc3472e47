package dev.opskit.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** State transitions, driven by a clock the test moves. */
class ProviderBreakerTransitionsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final MutableClock clock = new MutableClock();
    private final List<BreakerTransition> transitions = new CopyOnWriteArrayList<>();
    private ProviderBreakers breakers;

    private ProviderBreaker breaker(BreakerConfig.Builder config) {
        breakers = ProviderBreakers.builder().add(config.build()).clock(clock)
                .switchSource(SwitchSource.of(Map.of())).switchRefreshInterval(Duration.ZERO).build();
        ProviderBreaker b = breakers.get(config.build().name());
        b.onTransition(transitions::add);
        return b;
    }

    private static BreakerConfig.Builder small() {
        return BreakerConfig.custom("acme").slidingWindowSize(4).minimumNumberOfCalls(4)
                .failureRateThreshold(50).waitInOpenState(Duration.ofSeconds(30))
                .permittedCallsInHalfOpenState(2).maxWaitInHalfOpenState(Duration.ofMinutes(10));
    }

    @AfterEach
    void close() {
        if (breakers != null) {
            breakers.close();
        }
    }

    static void fail(ProviderBreaker b) {
        assertThatThrownBy(() -> b.callInline(TIMEOUT, () -> {
            throw new IOException("connection refused");
        })).isInstanceOf(ProviderCallException.class).hasCauseInstanceOf(IOException.class);
    }

    @Test
    void opensAtTheFailureRateThenProbesAfterTheWaitAndClosesWhenProbesSucceed() {
        ProviderBreaker b = breaker(small());
        b.callInline(TIMEOUT, () -> "ok");
        b.callInline(TIMEOUT, () -> "ok");
        fail(b);
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        fail(b);
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);

        clock.advance(Duration.ofSeconds(10));
        assertThatThrownBy(() -> b.callInline(TIMEOUT, () -> "never called"))
                .isInstanceOfSatisfying(CallRejectedException.class, e -> {
                    assertThat(e.provider()).isEqualTo("acme");
                    assertThat(e.forced()).isFalse();
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(20));
                });

        clock.advance(Duration.ofSeconds(21));
        assertThat(b.callInline(TIMEOUT, () -> "probe 1")).isEqualTo("probe 1");
        assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
        b.callInline(TIMEOUT, () -> "probe 2");
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);

        assertThat(transitions).extracting(t -> t.from() + "->" + t.to())
                .containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN", "HALF_OPEN->CLOSED");
        BreakerTransition opened = transitions.get(0);
        assertThat(opened.failureRate()).isEqualTo(50f);
        assertThat(opened.cause()).contains("failure rate 50.0% (threshold 50.0%)")
                .contains("last failure: java.io.IOException: connection refused");
    }

    @Test
    void theTransitionLogLineNamesTheOneRateThatOpenedTheBreaker() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        // slf4j-simple (test scope) writes to whatever System.err is at the time of the call.
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ProviderBreaker b = breaker(small().name("mailer"));
            b.callInline(TIMEOUT, () -> "ok");
            fail(b);
            fail(b);
            fail(b);
            assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        } finally {
            System.setErr(original);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("mailer - circuit breaker CLOSED -> OPEN")).toList();
        assertThat(lines).singleElement().asString()
                .endsWith("WARN dev.opskit.breaker.ProviderBreaker - mailer - circuit breaker CLOSED -> OPEN: "
                        + "failure rate 75.0% (threshold 50.0%) over 4 calls; "
                        + "last failure: java.io.IOException: connection refused; open for PT30S")
                .doesNotContain("slow-call rate");
        assertThat(transitions.get(0).failureRate()).isEqualTo(75f);
    }

    @Test
    void failingProbesOpenTheBreakerAgain() {
        ProviderBreaker b = breaker(small());
        for (int i = 0; i < 4; i++) {
            fail(b);
        }
        clock.advance(Duration.ofSeconds(31));
        fail(b);
        fail(b);
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        assertThat(transitions.get(transitions.size() - 1).cause()).startsWith("probe calls failed: failure rate 100.0%");
    }

    @Test
    void rejectedCallsAreNeverCountedAsFailures() {
        ProviderBreaker b = breaker(small());
        for (int i = 0; i < 4; i++) {
            fail(b);
        }
        for (int i = 0; i < 25; i++) {
            assertThatThrownBy(() -> b.callInline(TIMEOUT, () -> "x")).isInstanceOf(CallRejectedException.class);
        }
        BreakerSnapshot open = b.snapshot();
        assertThat(open.failedCalls()).isEqualTo(4);
        assertThat(open.bufferedCalls()).isEqualTo(4);
        assertThat(open.notPermittedCalls()).isEqualTo(25);

        clock.advance(Duration.ofSeconds(31));
        b.callInline(TIMEOUT, () -> "ok");
        b.callInline(TIMEOUT, () -> "ok");
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        assertThat(b.snapshot().failedCalls()).isZero();
    }

    @Test
    void slowCallsOpenTheBreakerAtTheSlowCallRate() {
        ProviderBreaker b = breaker(small().slowCallDuration(Duration.ofSeconds(2)).slowCallRateThreshold(50));
        for (int i = 0; i < 4; i++) {
            boolean slow = i % 2 == 0;
            b.callInline(TIMEOUT, () -> {
                if (slow) {
                    clock.advance(Duration.ofSeconds(3));
                }
                return "answer";
            });
        }
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        assertThat(transitions.get(0).slowCallRate()).isEqualTo(50f);
        assertThat(transitions.get(0).cause()).contains("slow-call rate 50.0% (threshold 50.0%)");
    }

    @Test
    void anInlineCallThatOutlivesItsTimeoutCountsAsATimeoutButKeepsItsResult() {
        ProviderBreaker b = breaker(small());
        String result = b.callInline(Duration.ofSeconds(5), () -> {
            clock.advance(Duration.ofSeconds(6));
            return "late but done";
        });
        assertThat(result).isEqualTo("late but done");
        assertThat(b.snapshot().failedCalls()).isEqualTo(1);
    }

    @Test
    void aCallPastItsTimeoutIsInterruptedAndCountsAsAFailure() throws Exception {
        ProviderBreaker b = breaker(small());
        CountDownLatch interrupted = new CountDownLatch(1);
        assertThatThrownBy(() -> b.call(Duration.ofMillis(100), () -> {
            try {
                Thread.sleep(60_000);
                return "never";
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
        })).isInstanceOfSatisfying(CallTimeoutException.class, e -> {
            assertThat(e.provider()).isEqualTo("acme");
            assertThat(e.timeout()).isEqualTo(Duration.ofMillis(100));
        });
        assertThat(interrupted.await(30, TimeUnit.SECONDS)).as("the call's thread was interrupted").isTrue();
        assertThat(b.snapshot().failedCalls()).isEqualTo(1);
    }

    @Test
    void aHungHalfOpenProbeCannotKeepTheBreakerHalfOpenPastTheMaximumWait() throws Exception {
        // The maximum half-open wait runs on resilience4j's timer in real time: keep it short here.
        ProviderBreaker b = breaker(small().permittedCallsInHalfOpenState(1)
                .maxWaitInHalfOpenState(Duration.ofMillis(300)));
        for (int i = 0; i < 4; i++) {
            fail(b);
        }
        clock.advance(Duration.ofSeconds(31));
        CountDownLatch probeStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Object> probeOutcome = new AtomicReference<>();
        Thread probe = new Thread(() -> {
            try {
                probeOutcome.set(b.callInline(TIMEOUT, () -> {
                    probeStarted.countDown();
                    release.await(); // a probe that hangs
                    return "finally";
                }));
            } catch (RuntimeException e) {
                probeOutcome.set(e);
            }
        });
        probe.start();
        assertThat(probeStarted.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(b.state()).isEqualTo(BreakerState.HALF_OPEN);
        assertThatThrownBy(() -> b.callInline(TIMEOUT, () -> "x")).isInstanceOf(CallRejectedException.class);

        Await.until("the breaker leaves half-open", () -> b.state() == BreakerState.OPEN);
        assertThat(transitions).extracting(BreakerTransition::cause)
                .anyMatch(c -> c.startsWith("half-open probe calls did not finish within maxWaitInHalfOpenState"));

        // Once the wait in open state passes, a new probe gets through although the old one still hangs.
        clock.advance(Duration.ofSeconds(31));
        assertThat(b.callInline(TIMEOUT, () -> "new probe")).isEqualTo("new probe");
        assertThat(b.state()).isEqualTo(BreakerState.CLOSED);
        release.countDown();
        probe.join(30_000);
        assertThat(probeOutcome.get()).isEqualTo("finally");
    }

    @Test
    void manyThreadsTrippingTheBreakerTogetherReportTheOpeningOnce() throws Exception {
        ProviderBreaker b = breaker(BreakerConfig.custom("acme").slidingWindowSize(20).minimumNumberOfCalls(20));
        Thread[] threads = new Thread[8];
        java.util.concurrent.atomic.AtomicInteger rejected = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int j = 0; j < 200; j++) {
                    try {
                        b.callInline(TIMEOUT, () -> {
                            throw new IOException("down");
                        });
                    } catch (CallRejectedException e) {
                        rejected.incrementAndGet();
                    } catch (ProviderCallException e) {
                        failed.incrementAndGet();
                    }
                }
            });
            threads[i].start();
        }
        start.countDown();
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(b.state()).isEqualTo(BreakerState.OPEN);
        assertThat(transitions).extracting(t -> t.from() + "->" + t.to()).containsExactly("CLOSED->OPEN");
        assertThat(rejected.get() + failed.get()).isEqualTo(8 * 200);
        assertThat(failed.get()).isGreaterThanOrEqualTo(20);
        BreakerSnapshot s = b.snapshot();
        assertThat(s.failedCalls()).as("only calls that ran are failures").isLessThanOrEqualTo(failed.get());
        assertThat(s.notPermittedCalls()).isPositive();
    }
}
