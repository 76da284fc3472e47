package dev.opskit.health.testing;

import dev.opskit.core.health.HealthCheck;
import dev.opskit.core.health.HealthResult;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link HealthCheck} whose answer a test sets: UP, DEGRADED, DOWN, throwing, {@code null},
 * slow, or held until released. Counts its invocations. Thread-safe; the setters take effect for
 * the next run.
 *
 * <pre>{@code
 * ControllableCheck payments = ControllableCheck.create();
 * health.register("payments", payments);
 * payments.down("connection refused");
 * assertThat(health.report(HealthGroup.READINESS, true).status()).isEqualTo(HealthStatus.DOWN);
 * }</pre>
 */
public final class ControllableCheck implements HealthCheck {
    private sealed interface Answer permits Result, Throw, Null {
    }

    private record Result(HealthResult result) implements Answer {
    }

    private record Throw(Exception error) implements Answer {
    }

    private record Null() implements Answer {
    }

    private final AtomicReference<Answer> answer = new AtomicReference<>(new Result(HealthResult.up()));
    private final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
    private final AtomicReference<CountDownLatch> gate = new AtomicReference<>();
    private final AtomicInteger invocations = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();

    private ControllableCheck() {
    }

    /** A check that answers UP until told otherwise. */
    public static ControllableCheck create() {
        return new ControllableCheck();
    }

    /** Answer UP with no details from now on. */
    public ControllableCheck up() {
        answer.set(new Result(HealthResult.up()));
        return this;
    }

    /** Answer UP with these details. */
    public ControllableCheck up(Map<String, ?> details) {
        answer.set(new Result(HealthResult.up(details)));
        return this;
    }

    /** Answer DEGRADED with detail {@code reason}. */
    public ControllableCheck degraded(String reason) {
        answer.set(new Result(HealthResult.degraded(Map.of("reason", Objects.requireNonNull(reason, "reason must not be null")))));
        return this;
    }

    /** Answer DOWN with {@code message}. */
    public ControllableCheck down(String message) {
        answer.set(new Result(HealthResult.down(message)));
        return this;
    }

    /** Answer exactly {@code result}. */
    public ControllableCheck answer(HealthResult result) {
        answer.set(new Result(Objects.requireNonNull(result, "result must not be null")));
        return this;
    }

    /** Throw {@code error} from {@link #check()}. */
    public ControllableCheck throwing(Exception error) {
        answer.set(new Throw(Objects.requireNonNull(error, "error must not be null")));
        return this;
    }

    /** Return {@code null} from {@link #check()} (a broken check). */
    public ControllableCheck returningNull() {
        answer.set(new Null());
        return this;
    }

    /** Sleep {@code delay} before answering (interruptibly; {@link Duration#ZERO} for no delay). */
    public ControllableCheck slow(Duration delay) {
        Objects.requireNonNull(delay, "delay must not be null");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, but was " + delay);
        }
        this.delay.set(delay);
        return this;
    }

    /** Make every run wait (interruptibly) until {@link #release()}. */
    public ControllableCheck hold() {
        gate.set(new CountDownLatch(1));
        return this;
    }

    /** Let held runs, and all later ones, answer. */
    public ControllableCheck release() {
        CountDownLatch g = gate.getAndSet(null);
        if (g != null) {
            g.countDown();
        }
        return this;
    }

    /** How many times {@link #check()} was called. */
    public int invocations() {
        return invocations.get();
    }

    /** How many runs are inside {@link #check()} now. */
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    @SuppressWarnings("NullAway") // returnsNull() makes it break the HealthCheck contract on purpose, to test callers
    public HealthResult check() throws Exception {
        invocations.incrementAndGet();
        inFlight.incrementAndGet();
        try {
            CountDownLatch g = gate.get();
            if (g != null) {
                g.await();
            }
            Duration d = delay.get();
            if (d != null && !d.isZero()) {
                TimeUnit.NANOSECONDS.sleep(d.toNanos());
            }
            Answer a = answer.get();
            if (a instanceof Throw t) {
                throw t.error();
            }
            if (a instanceof Result r) {
                return r.result();
            }
            return null;
        } finally {
            inFlight.decrementAndGet();
        }
    }
}
