package dev.opskit.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import dev.opskit.core.shutdown.GracefulShutdown;
import dev.opskit.health.testing.ControllableCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthRegistryTest {
    private final HealthRegistry health = HealthRegistry.builder().deadlockCheck(false).build();

    @AfterEach
    void close() {
        health.close();
    }

    @Test
    void aggregatesDownOverDegradedOverUp() {
        ControllableCheck a = ControllableCheck.create();
        ControllableCheck b = ControllableCheck.create();
        health.register("a", a).register("b", b);

        assertThat(health.report(HealthGroup.READINESS, true).status()).isEqualTo(HealthStatus.UP);
        b.degraded("slow");
        assertThat(health.report(HealthGroup.READINESS, true).status()).isEqualTo(HealthStatus.DEGRADED);
        a.down("broken");
        HealthReport report = health.report(HealthGroup.READINESS, true);
        assertThat(report.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(report.httpStatus()).isEqualTo(503);
        assertThat(report.statusOf("b")).contains(HealthStatus.DEGRADED);
    }

    @Test
    void aNonCriticalCheckThatIsDownOnlyDegradesReadiness() {
        health.register("db", ControllableCheck.create());
        health.register("cache", ControllableCheck.create().down("refused"), CheckOptions.readiness().critical(false));

        HealthReport report = health.readiness();

        assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(report.httpStatus()).isEqualTo(200);
        assertThat(report.check("cache").orElseThrow().status()).isEqualTo(HealthStatus.DOWN);
    }

    @Test
    void aThrowingCheckIsDownWithItsErrorTypeAndMessageAndTheOthersStillReport() {
        health.register("boom", ControllableCheck.create().throwing(new IllegalStateException("kaput")));
        health.register("fine", ControllableCheck.create());

        HealthReport report = health.readiness();

        CheckSnapshot boom = report.check("boom").orElseThrow();
        assertThat(boom.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(boom.result().errorType()).contains("java.lang.IllegalStateException");
        assertThat(boom.result().errorMessage()).contains("kaput");
        assertThat(report.statusOf("fine")).contains(HealthStatus.UP);
    }

    @Test
    void aCheckReturningNullIsDown() {
        health.register("broken", ControllableCheck.create().returningNull());

        CheckSnapshot s = health.checkNow("broken");

        assertThat(s.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(s.result().errorMessage()).contains("check returned null");
    }

    @Test
    void aCheckThatOutlivesItsTimeoutIsDownAsTimedOutWithoutHoldingTheProbe() {
        ControllableCheck slow = ControllableCheck.create().slow(Duration.ofSeconds(30));
        health.register("slow", slow, CheckOptions.readiness().timeout(Duration.ofMillis(500)));
        health.register("fast", ControllableCheck.create());

        long start = System.nanoTime();
        HealthReport report = health.readiness();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(tookMs).as("probe duration in ms").isLessThan(10_000);
        CheckSnapshot s = report.check("slow").orElseThrow();
        assertThat(s.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(s.timedOut()).isTrue();
        assertThat(s.result().errorMessage()).contains("timed out after 500 ms");
        assertThat(s.result().errorType()).contains("java.util.concurrent.TimeoutException");
        assertThat(report.statusOf("fast")).contains(HealthStatus.UP);
        // the timed-out run was interrupted, so the 30 s sleep ends long before 30 s
        Await.until("the slow check's thread was interrupted", Duration.ofSeconds(20), () -> slow.inFlight() == 0);
    }

    @Test
    void concurrentProbesShareOneRunOfEachCheck() throws Exception {
        ControllableCheck a = ControllableCheck.create().hold();
        ControllableCheck b = ControllableCheck.create().hold();
        CheckOptions onRequest = CheckOptions.readiness().timeout(Duration.ofSeconds(30)).refreshOnRequest(true);
        health.register("a", a, onRequest).register("b", b, onRequest);
        HealthEndpoint endpoint = HealthEndpoint.of(health);

        int probes = 100;
        CyclicBarrier barrier = new CyclicBarrier(probes);
        java.util.concurrent.atomic.AtomicInteger joined = new java.util.concurrent.atomic.AtomicInteger();
        List<java.util.concurrent.CompletableFuture<EndpointResponse>> answers = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < probes; i++) {
            Thread t = new Thread(() -> {
                try {
                    barrier.await();
                    answers.add(endpoint.handleAsync(EndpointRequest.get("/health/ready")));
                    joined.incrementAndGet(); // this probe now waits on the shared runs
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            threads.add(t);
        }
        Await.until("every probe joined the runs", Duration.ofSeconds(60), () -> joined.get() == probes);
        // a run's thread may not have entered the check yet on a loaded machine: wait for it, never more than one
        Await.until("one run of each check is inside it", Duration.ofSeconds(60), () -> a.inFlight() == 1 && b.inFlight() == 1);
        assertThat(answers).noneMatch(java.util.concurrent.CompletableFuture::isDone);
        a.release();
        b.release();
        List<Integer> statuses = new ArrayList<>();
        for (java.util.concurrent.CompletableFuture<EndpointResponse> answer : answers) {
            statuses.add(answer.get(60, TimeUnit.SECONDS).status());
        }
        for (Thread t : threads) {
            t.join(60_000);
        }

        assertThat(statuses).hasSize(probes).containsOnly(200);
        assertThat(a.invocations()).isEqualTo(1);
        assertThat(b.invocations()).isEqualTo(1);
    }

    @Test
    void recordsDurationLastSuccessLastFailureAndConsecutiveFailures() {
        ControllableCheck c = ControllableCheck.create();
        health.register("c", c);

        CheckSnapshot first = health.checkNow("c");
        assertThat(first.lastSuccess()).isNotNull();
        assertThat(first.lastFailure()).isNull();
        assertThat(first.consecutiveFailures()).isZero();

        c.down("one");
        health.checkNow("c");
        CheckSnapshot twice = health.checkNow("c");
        assertThat(twice.consecutiveFailures()).isEqualTo(2);
        assertThat(twice.lastFailure()).isNotNull();
        assertThat(twice.lastSuccess()).isEqualTo(first.lastSuccess());
        assertThat(twice.duration()).isGreaterThanOrEqualTo(Duration.ZERO);

        c.up();
        assertThat(health.checkNow("c").consecutiveFailures()).isZero();
    }

    @Test
    void readinessIsDownUntilEveryStartupCheckHasPassedOnce() {
        ControllableCheck migrations = ControllableCheck.create().down("migrating");
        health.register("migrations", migrations, CheckOptions.startup());
        health.register("db", ControllableCheck.create());

        HealthReport before = health.readiness();
        assertThat(before.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(before.reason()).isEqualTo(HealthReport.REASON_STARTING);
        assertThat(health.startup().httpStatus()).isEqualTo(503);

        migrations.up();
        health.checkNow("migrations");
        assertThat(health.readiness().status()).isEqualTo(HealthStatus.UP);
        assertThat(health.startup().status()).isEqualTo(HealthStatus.UP);

        migrations.down("later failure");
        health.checkNow("migrations");
        assertThat(health.readiness().status()).as("startup latches once passed").isEqualTo(HealthStatus.UP);
    }

    @Test
    void readinessIsDownFromTheMomentAGracefulShutdownStartsWhileLivenessStaysUp() throws Exception {
        health.register("db", ControllableCheck.create());
        GracefulShutdown shutdown = new GracefulShutdown();
        health.bindTo(shutdown);
        CountDownLatch draining = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        shutdown.register("work", dev.opskit.core.shutdown.ShutdownPhase.DRAIN, left -> {
            draining.countDown();
            finish.await(30, TimeUnit.SECONDS);
        });
        assertThat(health.readiness().status()).isEqualTo(HealthStatus.UP);

        Thread t = new Thread(() -> shutdown.shutdown(Duration.ofSeconds(60)));
        t.start();
        assertThat(draining.await(30, TimeUnit.SECONDS)).isTrue();

        HealthReport ready = health.readiness();
        assertThat(ready.status()).isEqualTo(HealthStatus.DOWN);
        assertThat(ready.reason()).isEqualTo(HealthReport.REASON_SHUTTING_DOWN);
        assertThat(health.liveness().status()).isEqualTo(HealthStatus.UP);
        finish.countDown();
        t.join(30_000);
    }

    @Test
    void backgroundRefreshPicksUpChangesWithoutProbesRunningChecks() {
        ControllableCheck c = ControllableCheck.create();
        health.register("c", c, CheckOptions.readiness().interval(Duration.ofMillis(50)));
        health.start();
        Await.until("the first background run", Duration.ofSeconds(30), () -> health.snapshot("c").hasRun());

        c.down("gone");
        Await.until("readiness sees the failure", Duration.ofSeconds(30),
                () -> health.readiness().status() == HealthStatus.DOWN);
        c.up();
        Await.until("readiness sees the recovery", Duration.ofSeconds(30),
                () -> health.readiness().status() == HealthStatus.UP);
    }

    @Test
    void aCheckThatIgnoresInterruptsIsNotStartedAgainWhileItIsStuck() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        int[] runs = {0};
        health.register("stuck", () -> {
            synchronized (runs) {
                runs[0]++;
            }
            while (true) {
                try {
                    if (unblock.await(30, TimeUnit.SECONDS)) {
                        return HealthResult.up();
                    }
                } catch (InterruptedException ignored) {
                    // a badly written check: swallows the interrupt and keeps waiting
                }
            }
        }, CheckOptions.readiness().timeout(Duration.ofMillis(200)));

        assertThat(health.checkNow("stuck").timedOut()).isTrue();
        // On a loaded machine the first run may time out before its thread even started (it is then
        // cancelled and never runs), so ask until a run is stuck rather than assuming the second ask sees it.
        CheckSnapshot[] again = new CheckSnapshot[1];
        Await.until("a run is stuck in the check", Duration.ofSeconds(30), () -> {
            again[0] = health.checkNow("stuck");
            return again[0].result().errorMessage().orElse("").startsWith("still running after");
        });
        assertThat(again[0].status()).isEqualTo(HealthStatus.DOWN);
        assertThat(again[0].timedOut()).isTrue();
        assertThat(again[0].consecutiveFailures()).isGreaterThanOrEqualTo(2);
        assertThat(again[0].duration()).as("how long the stuck run has taken so far, not zero")
                .isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(health.checkNow("stuck").result().errorMessage().orElseThrow()).startsWith("still running after");
        synchronized (runs) {
            assertThat(runs[0]).isEqualTo(1);
        }
        unblock.countDown();
        Await.until("the stuck run returned and a new one passes", Duration.ofSeconds(30),
                () -> health.checkNow("stuck").status() == HealthStatus.UP);
    }

    @Test
    void registerAllRegistersEveryCheckWithTheSameOptionsOrNoneWhenANameIsBad() {
        Map<String, ControllableCheck> breakers = new LinkedHashMap<>();
        breakers.put("breaker.openai", ControllableCheck.create().degraded("OPEN"));
        breakers.put("breaker.stripe", ControllableCheck.create());
        health.registerAll(breakers, CheckOptions.readiness().critical(false));

        assertThat(health.names()).containsExactly("breaker.openai", "breaker.stripe");
        assertThat(health.readiness().status()).isEqualTo(HealthStatus.DEGRADED);

        Map<String, ControllableCheck> bad = new LinkedHashMap<>();
        bad.put("ok-name", ControllableCheck.create());
        bad.put("bad name", ControllableCheck.create());
        assertThatThrownBy(() -> health.registerAll(bad, CheckOptions.readiness()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bad name'");
        assertThat(health.names()).doesNotContain("ok-name");
        assertThatThrownBy(() -> health.register("breaker.stripe", ControllableCheck.create()))
                .hasMessageContaining("already registered");
    }

    @Test
    void registerAllWithAPrefixRegistersEachKeyUnderThePrefixedName() {
        Map<String, ControllableCheck> breakers = new LinkedHashMap<>(); // like breakers.healthChecks(): bare names
        breakers.put("openai", ControllableCheck.create().degraded("OPEN"));
        breakers.put("email", ControllableCheck.create());
        health.registerAll("breaker.", breakers, CheckOptions.readiness().critical(false));

        assertThat(health.names()).containsExactly("breaker.openai", "breaker.email");
        assertThat(health.readiness().checks()).extracting(CheckSnapshot::name)
                .containsExactly("breaker.openai", "breaker.email");

        assertThatThrownBy(() -> health.registerAll("bad prefix.", Map.of("stripe", ControllableCheck.create()),
                CheckOptions.readiness()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bad prefix.stripe'");
        assertThatThrownBy(() -> health.registerAll("breaker.", Map.of("email", ControllableCheck.create()),
                CheckOptions.readiness()))
                .hasMessageContaining("'breaker.email' is already registered");
        assertThat(health.names()).containsExactly("breaker.openai", "breaker.email");
    }

    @Test
    void optionsRejectBadValuesAndNameThem() {
        assertThatThrownBy(() -> CheckOptions.readiness().timeout(Duration.ZERO))
                .hasMessageContaining("timeout must be greater than 0").hasMessageContaining("but was 0 ms");
        assertThatThrownBy(() -> CheckOptions.readiness().interval(Duration.ofMillis(1)))
                .hasMessageContaining("interval must be at least 10 ms, but was 1 ms");
        assertThatThrownBy(() -> CheckOptions.readiness().groups("Bad Group"))
                .hasMessageContaining("'Bad Group'");
        assertThatThrownBy(() -> health.report("nope")).hasMessageContaining("unknown health group 'nope'");
        CheckOptions o = CheckOptions.defaults();
        assertThat(o.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.critical()).isTrue();
        assertThat(o.groups()).containsExactly(HealthGroup.READINESS);
    }

    @Test
    void theBuiltInLivenessCheckReportsDeadlockedThreads() throws Exception {
        HealthRegistry withDeadlockCheck = HealthRegistry.create();
        try {
            assertThat(withDeadlockCheck.liveness().statusOf(HealthRegistry.DEADLOCK_CHECK)).contains(HealthStatus.UP);

            ReentrantLock first = new ReentrantLock();
            ReentrantLock second = new ReentrantLock();
            CountDownLatch bothHoldOne = new CountDownLatch(2);
            Thread t1 = deadlocker("deadlock-test-1", first, second, bothHoldOne);
            Thread t2 = deadlocker("deadlock-test-2", second, first, bothHoldOne);
            try {
                Await.until("liveness sees the deadlock", Duration.ofSeconds(30),
                        () -> withDeadlockCheck.report(HealthGroup.LIVENESS, true).status() == HealthStatus.DOWN);
                CheckSnapshot s = withDeadlockCheck.snapshot(HealthRegistry.DEADLOCK_CHECK);
                assertThat(s.result().errorMessage().orElseThrow()).contains("deadlock-test-1").contains("deadlock-test-2");
            } finally {
                t1.interrupt();
                t2.interrupt();
                t1.join(10_000);
                t2.join(10_000);
            }
            assertThat(withDeadlockCheck.report(HealthGroup.LIVENESS, true).status()).isEqualTo(HealthStatus.UP);
        } finally {
            withDeadlockCheck.close();
        }
    }

    private static Thread deadlocker(String name, ReentrantLock mine, ReentrantLock other, CountDownLatch bothHoldOne) {
        Thread t = new Thread(() -> {
            mine.lock();
            try {
                bothHoldOne.countDown();
                bothHoldOne.await();
                other.lockInterruptibly();
                other.unlock();
            } catch (InterruptedException e) {
                // released by the test
            } finally {
                mine.unlock();
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void metricsTimeEveryRunAndGaugeEachStatus() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ControllableCheck c = ControllableCheck.create();
        health.register("c", c);
        new HealthMetrics(health).bindTo(meters);
        health.register("later", ControllableCheck.create().degraded("x"));

        assertThat(meters.get(HealthMetrics.CHECK_STATUS).tag("check", "c").gauge().value()).isEqualTo(-1.0);
        health.checkNow("c");
        health.checkNow("later");
        c.down("x");
        health.checkNow("c");

        assertThat(meters.get(HealthMetrics.CHECK_DURATION).tag("check", "c").timer().count()).isEqualTo(2);
        assertThat(meters.get(HealthMetrics.CHECK_STATUS).tag("check", "c").gauge().value()).isEqualTo(2.0);
        assertThat(meters.get(HealthMetrics.CHECK_STATUS).tag("check", "later").gauge().value()).isEqualTo(1.0);

        health.unregister("later");
        assertThat(meters.find(HealthMetrics.CHECK_STATUS).tag("check", "later").gauge()).isNull();
    }
}
