package dev.opskit.core.shutdown;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.opskit.core.shutdown.ShutdownReport.Outcome;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class GracefulShutdownTest {
    /** Long enough for a loaded machine; the tests that hit it on purpose use a short one. */
    private static final Duration GENEROUS = Duration.ofSeconds(60);

    private final GracefulShutdown shutdown = new GracefulShutdown();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @Test
    void phasesRunInOrderWhateverTheRegistrationOrder() {
        shutdown.register("pool", ShutdownPhase.CLOSE, t -> events.add("pool"))
                .register("workers", ShutdownPhase.DRAIN, t -> events.add("workers"))
                .register("http", ShutdownPhase.STOP_ACCEPTING, t -> events.add("http"))
                .register("flush", ShutdownPhase.DRAIN, t -> events.add("flush"));

        ShutdownReport report = shutdown.shutdown(GENEROUS);

        assertThat(events.get(0)).isEqualTo("http");
        assertThat(events.subList(1, 3)).containsExactlyInAnyOrder("workers", "flush");
        assertThat(events.get(3)).isEqualTo("pool");
        assertThat(report.clean()).isTrue();
        assertThat(report.participants()).extracting(ShutdownReport.Participant::name)
                .containsExactly("http", "workers", "flush", "pool");
        assertThat(report.participants()).allMatch(p -> p.outcome() == Outcome.FINISHED && p.error() == null);
        assertThat(report.deadline()).isEqualTo(GENEROUS);
    }

    @Test
    void participantsOfOnePhaseRunInParallel() throws Exception {
        // each participant waits for the other: this only finishes when both run at the same time
        CyclicBarrier bothRunning = new CyclicBarrier(2);
        shutdown.register("a", ShutdownPhase.DRAIN, t -> bothRunning.await(30, TimeUnit.SECONDS))
                .register("b", ShutdownPhase.DRAIN, t -> bothRunning.await(30, TimeUnit.SECONDS));

        ShutdownReport report = shutdown.shutdown(GENEROUS);

        assertThat(report.participants()).extracting(ShutdownReport.Participant::outcome)
                .containsExactly(Outcome.FINISHED, Outcome.FINISHED);
    }

    @Test
    void eachParticipantRunsOnANamedThread() {
        AtomicReference<String> thread = new AtomicReference<>();
        shutdown.register("workers", ShutdownPhase.DRAIN, t -> thread.set(Thread.currentThread().getName()));
        shutdown.shutdown(GENEROUS);
        assertThat(thread.get()).isEqualTo("opskit-shutdown-workers");
    }

    @Test
    void aHangingParticipantTimesOutIsInterruptedAndCloseStillGetsItsReserve() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        AtomicReference<Duration> closeTimeLeft = new AtomicReference<>();
        shutdown.register("stuck", ShutdownPhase.DRAIN, t -> {
                    try {
                        Thread.sleep(120_000);
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                    }
                })
                .register("quick", ShutdownPhase.DRAIN, t -> events.add("quick"))
                .register("pool", ShutdownPhase.CLOSE, t -> {
                    closeTimeLeft.set(t);
                    events.add("pool");
                });
        Duration deadline = Duration.ofSeconds(10); // close reserve: 10% = 1 s

        ShutdownReport report = shutdown.shutdown(deadline);

        assertThat(report.participants()).extracting(ShutdownReport.Participant::name, ShutdownReport.Participant::outcome)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("stuck", Outcome.TIMED_OUT),
                        org.assertj.core.groups.Tuple.tuple("quick", Outcome.FINISHED),
                        org.assertj.core.groups.Tuple.tuple("pool", Outcome.FINISHED));
        assertThat(report.clean()).isFalse();
        assertThat(interrupted.await(30, TimeUnit.SECONDS)).as("the stuck participant was interrupted").isTrue();
        assertThat(events).containsExactly("quick", "pool");
        assertThat(closeTimeLeft.get()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1));
        // the stuck participant was given up on at the end of its phase, before the deadline
        ShutdownReport.Participant stuck = report.participants().get(0);
        assertThat(stuck.took()).isGreaterThanOrEqualTo(Duration.ofSeconds(8)).isLessThan(deadline.plusSeconds(30));
        assertThat(report.summary()).contains("stuck DRAIN TIMED_OUT", "clean=false");
    }

    @Test
    void anEffectivelyUnlimitedDeadlineIsAccepted() {
        shutdown.register("workers", ShutdownPhase.DRAIN, t -> events.add("workers"))
                .register("pool", ShutdownPhase.CLOSE, t -> events.add("pool"));

        ShutdownReport report = shutdown.shutdown(Duration.ofSeconds(Long.MAX_VALUE));

        assertThat(report.clean()).isTrue();
        assertThat(events).containsExactly("workers", "pool");
    }

    @Test
    void theCloseReserveIsAtMostFiveSeconds() {
        AtomicReference<Duration> drainTimeLeft = new AtomicReference<>();
        AtomicReference<Duration> closeTimeLeft = new AtomicReference<>();
        shutdown.register("drain", ShutdownPhase.DRAIN, drainTimeLeft::set)
                .register("close", ShutdownPhase.CLOSE, closeTimeLeft::set);

        shutdown.shutdown(Duration.ofMinutes(10));

        // a drain gets everything but the reserve; close gets what is left of the whole deadline
        assertThat(drainTimeLeft.get()).isLessThanOrEqualTo(Duration.ofMinutes(10).minusSeconds(5))
                .isGreaterThan(Duration.ofMinutes(9));
        assertThat(closeTimeLeft.get()).isGreaterThan(drainTimeLeft.get());
    }

    @Test
    void aFailingParticipantIsReportedAndTheOthersAreUnaffected() {
        shutdown.register("broken", ShutdownPhase.DRAIN, t -> {
                    throw new IOException("disk gone");
                })
                .register("fine", ShutdownPhase.DRAIN, t -> events.add("fine"))
                .register("pool", ShutdownPhase.CLOSE, t -> events.add("pool"));

        ShutdownReport report = shutdown.shutdown(GENEROUS);

        ShutdownReport.Participant broken = report.participants().get(0);
        assertThat(broken.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(broken.error()).isEqualTo("java.io.IOException: disk gone");
        assertThat(report.participants().subList(1, 3)).allMatch(p -> p.outcome() == Outcome.FINISHED);
        assertThat(events).containsExactlyInAnyOrder("fine", "pool");
        assertThat(report.clean()).isFalse();
        assertThat(report.summary()).contains("broken DRAIN FAILED", "(java.io.IOException: disk gone)");
    }

    @Test
    void aSecondConcurrentCallWaitsForTheFirstAndGetsTheSameReport() throws Exception {
        CountDownLatch draining = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        shutdown.register("workers", ShutdownPhase.DRAIN, t -> {
            runs.incrementAndGet();
            draining.countDown();
            release.await();
        });

        CompletableFuture<ShutdownReport> first = CompletableFuture.supplyAsync(() -> shutdown.shutdown(GENEROUS));
        assertThat(draining.await(30, TimeUnit.SECONDS)).isTrue();
        AtomicReference<Thread> secondThread = new AtomicReference<>();
        CompletableFuture<ShutdownReport> second = CompletableFuture.supplyAsync(() -> {
            secondThread.set(Thread.currentThread());
            return shutdown.shutdown(Duration.ofMillis(1));
        });
        awaitTrue(() -> secondThread.get() != null && secondThread.get().getState() == Thread.State.WAITING);
        assertThat(second).isNotDone();
        assertThat(shutdown.isShuttingDown()).isTrue();

        release.countDown();

        ShutdownReport report = first.get(30, TimeUnit.SECONDS);
        assertThat(second.get(30, TimeUnit.SECONDS)).isSameAs(report);
        assertThat(shutdown.shutdown(GENEROUS)).as("a later call too").isSameAs(report);
        assertThat(runs).hasValue(1);
        assertThat(report.participants().get(0).outcome()).isEqualTo(Outcome.FINISHED);
    }

    @Test
    void manyConcurrentCallersRunTheParticipantsExactlyOnce() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        shutdown.register("once", ShutdownPhase.DRAIN, t -> runs.incrementAndGet());
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<ShutdownReport>> callers = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            callers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return shutdown.shutdown(GENEROUS);
            }, r -> new Thread(r).start()));
        }
        go.countDown();
        ShutdownReport report = callers.get(0).get(30, TimeUnit.SECONDS);
        for (CompletableFuture<ShutdownReport> caller : callers) {
            assertThat(caller.get(30, TimeUnit.SECONDS)).isSameAs(report);
        }
        assertThat(runs).hasValue(1);
    }

    @Test
    void registeringAfterTheStartIsRefused() {
        AtomicReference<Throwable> refused = new AtomicReference<>();
        shutdown.register("workers", ShutdownPhase.DRAIN, t -> {
            try {
                shutdown.register("late", ShutdownPhase.CLOSE, x -> events.add("late"));
            } catch (IllegalStateException e) {
                refused.set(e);
            }
        });

        ShutdownReport report = shutdown.shutdown(GENEROUS);

        assertThat(refused.get()).hasMessageContaining("'late'").hasMessageContaining("already started");
        assertThat(events).doesNotContain("late");
        assertThat(report.participants()).extracting(ShutdownReport.Participant::name).containsExactly("workers");
        assertThatThrownBy(() -> shutdown.register("later", ShutdownPhase.CLOSE, x -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("'later'");
    }

    @Test
    void shutdownStartedListenersRunBeforeAnyPhaseAndSeeTheShutdownUnderWay() {
        AtomicReference<Boolean> shuttingDownSeen = new AtomicReference<>();
        shutdown.register("http", ShutdownPhase.STOP_ACCEPTING, t -> events.add("http"));
        shutdown.onShutdownStarted(() -> {
            shuttingDownSeen.set(shutdown.isShuttingDown());
            events.add("started");
        });
        shutdown.onShutdownStarted(() -> {
            throw new IllegalStateException("a broken listener");
        });
        shutdown.onShutdownStarted(() -> events.add("second listener"));
        assertThat(shutdown.isShuttingDown()).isFalse();

        ShutdownReport report = shutdown.shutdown(GENEROUS);

        assertThat(events).containsExactly("started", "second listener", "http");
        assertThat(shuttingDownSeen.get()).isTrue();
        assertThat(report.clean()).isTrue();
    }

    @Test
    void aListenerAddedAfterTheStartRunsAtOnceOnTheCallersThread() {
        shutdown.shutdown(GENEROUS);
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        shutdown.onShutdownStarted(() -> ranOn.set(Thread.currentThread()));
        assertThat(ranOn.get()).isSameAs(Thread.currentThread());
    }

    @Test
    void withoutParticipantsTheReportIsCleanAndEmpty() {
        ShutdownReport report = shutdown.shutdown(GENEROUS);
        assertThat(report.clean()).isTrue();
        assertThat(report.participants()).isEmpty();
        assertThat(report.summary()).startsWith("clean=true").endsWith("[]");
    }

    @Test
    void badArgumentsAreRefusedAndNamed() {
        Drainable noop = t -> { };
        assertThatNullPointerException().isThrownBy(() -> shutdown.register(null, ShutdownPhase.DRAIN, noop)).withMessageContaining("name");
        assertThatNullPointerException().isThrownBy(() -> shutdown.register("x", null, noop)).withMessageContaining("phase");
        assertThatNullPointerException().isThrownBy(() -> shutdown.register("x", ShutdownPhase.DRAIN, null)).withMessageContaining("participant");
        assertThatThrownBy(() -> shutdown.register(" ", ShutdownPhase.DRAIN, noop))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        assertThatNullPointerException().isThrownBy(() -> shutdown.onShutdownStarted(null)).withMessageContaining("listener");
        assertThatThrownBy(() -> shutdown.shutdown(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("deadline must be greater than 0, but was PT0S");
        assertThatThrownBy(() -> shutdown.shutdown(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deadline");
        assertThatNullPointerException().isThrownBy(() -> shutdown.shutdown(null)).withMessageContaining("deadline");
        assertThatThrownBy(() -> shutdown.installShutdownHook(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deadline");
        assertThatThrownBy(() -> shutdown.installShutdownHook(GENEROUS, 256))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("haltStatus must be between 0 and 255, but was 256");
        assertThatThrownBy(() -> shutdown.installShutdownHook(GENEROUS, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("haltStatus");
        // a refused call does not start the shutdown
        assertThat(shutdown.isShuttingDown()).isFalse();
    }

    @Test
    void aHookCanBeInstalledReplacedAndRemoved() {
        shutdown.installShutdownHook(GENEROUS);
        shutdown.installShutdownHook(GENEROUS, 0); // replaces the first
        shutdown.removeShutdownHook();
        shutdown.removeShutdownHook(); // nothing left: a no-op
        assertThat(shutdown.isShuttingDown()).isFalse();
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(10);
        }
    }
}
