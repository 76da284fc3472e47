package dev.opskit.breaker;

import dev.opskit.core.health.HealthCheck;
import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.internal.CircuitBreakerStateMachine;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breaker of one provider (OpenAI, Stripe, the e-mail service), obtained once from
 * {@link ProviderBreakers#get(String)} and kept: calling through the handle skips the name lookup.
 * Thread-safe; share one per provider.
 *
 * <h2>Which outcomes count</h2>
 * Failures of the provider: a call that throws an {@link IOException} (or anything else not listed
 * below), that runs out of time ({@link CallTimeoutException}), that throws a
 * {@link ProviderException} with status 5xx or 429, or that returns a {@link ProviderResponse} or
 * {@link HttpResponse} with status 5xx or 429. Successes: normal results, including 4xx responses
 * other than 429 and {@link ProviderException}s with such a status (the provider answered; our
 * request was wrong). Neither: {@link InterruptedException}, a {@link CallRejectedException} from a
 * nested breaker, the config's {@link BreakerConfig#ignoredExceptions()}, and {@link Error}s.
 * A call this breaker rejects is never recorded as a failure (resilience4j counts it only in
 * {@code not_permitted_calls}).
 *
 * <h2>Which call to use</h2>
 * <ul>
 *   <li>{@link #call}: runs the call on the registry's call executor and waits at most the
 *       timeout; on expiry interrupts it, counts a {@link CallTimeoutException} and throws it. Costs
 *       a thread hand-off per call; use it when the call cannot bound itself.</li>
 *   <li>{@link #callInline}: runs on the caller's thread, for calls that bound themselves (an
 *       {@code HttpRequest.timeout(...)}, a JDBC query timeout) and the fast path measured in
 *       {@code bench}. A call that returns after the timeout is recorded as a timeout failure but
 *       its result is still returned, because the work was done.</li>
 *   <li>{@link #callIdempotent}: {@link #call} with retries (see {@link BreakerConfig}); each
 *       attempt goes through the breaker and gets the full timeout; a rejection ends the retries.</li>
 *   <li>{@link #callWithFallback}: {@link #call} that answers {@code fallback.apply(failure)} instead
 *       of throwing.</li>
 * </ul>
 * Unchecked exceptions thrown by a call reach the caller unchanged; checked ones arrive wrapped in a
 * {@link ProviderCallException}. A rejected call throws {@link CallRejectedException}, which says
 * when to try again and whether an operator forced the breaker open.
 *
 * <h2>How transitions are seen</h2>
 * To keep resilience4j's per-call event objects off the call path, transitions are not taken from
 * resilience4j's event publisher: every call, rejection, snapshot and the registry's refresher
 * thread compare the state with the last one seen, and each change is logged once and delivered to
 * the {@linkplain #onTransition listeners} by whichever thread saw it. A state that comes and goes
 * with no call and no refresh in between (shorter than the refresh interval) can go unreported.
 */
public final class ProviderBreaker {
    private static final Logger log = LoggerFactory.getLogger(ProviderBreaker.class);
    private static final Duration HALF_OPEN_RETRY_CAP = Duration.ofSeconds(5);

    enum Switch { NONE, FORCE_OPEN, DISABLE }

    private final String name;
    private final BreakerConfig config;
    private final CircuitBreaker cb;
    private final TimeUnit unit;
    private final Clock clock;
    private final ExecutorService executor;
    private final @Nullable Retry retry;
    private final String openSwitch;
    private final String disabledSwitch;
    private final List<Consumer<BreakerTransition>> listeners = new CopyOnWriteArrayList<>();

    // Written under 'this', read without a lock on the call path.
    private volatile CircuitBreaker.State observed = CircuitBreaker.State.CLOSED;
    private volatile long openedAtMillis;
    private volatile long halfOpenSinceMillis;
    private volatile Switch applied = Switch.NONE;
    private volatile @Nullable Throwable lastFailure;
    private @Nullable String pendingCause; // guarded by this

    ProviderBreaker(BreakerConfig config, Clock clock, boolean clockDrivesTimestamps, ExecutorService executor) {
        this.name = config.name();
        this.config = config;
        this.clock = clock;
        this.executor = executor;
        this.openSwitch = SwitchSource.switchKey(name, "OPEN");
        this.disabledSwitch = SwitchSource.switchKey(name, "DISABLED");
        CircuitBreakerConfig.Builder b = CircuitBreakerConfig.custom()
                .failureRateThreshold(config.failureRateThreshold())
                .slowCallRateThreshold(config.slowCallRateThreshold())
                .slowCallDurationThreshold(config.slowCallDuration())
                .slidingWindow(config.slidingWindowSize(), config.minimumNumberOfCalls(),
                        CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .waitDurationInOpenState(config.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(config.permittedCallsInHalfOpenState())
                .maxWaitDurationInHalfOpenState(config.maxWaitInHalfOpenState())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                .ignoreException(this::ignored)
                .recordException(ProviderBreaker::countsAsFailure);
        if (clockDrivesTimestamps) {
            // A test clock also measures call durations (slow calls, late inline calls).
            b.currentTimestampFunction(Clock::millis, TimeUnit.MILLISECONDS);
        }
        // The state machine's own constructor is the only way resilience4j 2.2 takes a Clock.
        this.cb = new CircuitBreakerStateMachine(name, b.build(), clock);
        this.unit = cb.getTimestampUnit();
        this.retry = config.maxAttempts() > 1 ? Retry.of(name, retryConfig()) : null;
    }

    private RetryConfig retryConfig() {
        return RetryConfig.custom()
                .maxAttempts(config.maxAttempts())
                .intervalBiFunction((Integer attempt, io.github.resilience4j.core.functions.Either<Throwable, Object> outcome) -> {
                    Duration backoff = config.retryBackoff().delay(attempt);
                    Duration asked = outcome.isLeft() ? retryAfterOf(outcome.getLeft()) : retryAfterOfResult(outcome.get());
                    return (asked.compareTo(backoff) > 0 ? asked : backoff).toMillis();
                })
                .retryOnException(this::retryable)
                .retryOnResult(r -> isFaultResult(r) && retryAfterOfResult(r).compareTo(config.maxRetryAfter()) <= 0)
                .failAfterMaxAttempts(false)
                .writableStackTraceEnabled(false)
                .build();
    }

    /** The breaker's name. */
    public String name() {
        return name;
    }

    /** Its configuration. */
    public BreakerConfig config() {
        return config;
    }

    /** The current state (a switch's state shows as {@link BreakerState#FORCED_OPEN} or {@link BreakerState#DISABLED}). */
    public BreakerState state() {
        observe();
        return BreakerState.of(cb.getState());
    }

    /**
     * Runs {@code call} on the registry's call executor and waits at most {@code timeout}.
     *
     * @param timeout positive; when it expires the call's thread is interrupted, the call counts as
     *     a failure and {@link CallTimeoutException} is thrown
     * @return the call's result (also when it is a 5xx response: that is counted, then returned)
     * @throws CallRejectedException when the breaker is open or forced open (the call is not made)
     * @throws CallTimeoutException when the call did not finish in time
     * @throws ProviderCallException wrapping a checked exception of the call, or when the caller's
     *     thread was interrupted while waiting (its interrupt flag is set again)
     * @throws IllegalArgumentException when the timeout is not positive
     */
    public <T> T call(Duration timeout, ProviderCall<T> call) {
        long timeoutNanos = timeoutNanos(timeout);
        long start = admit(call);
        Future<T> future;
        try {
            future = executor.submit(call::call);
        } catch (RejectedExecutionException e) {
            cb.releasePermission();
            throw new ProviderCallException(name, "the call executor refused the call to provider '" + name
                    + "' (shut down or saturated)", e);
        }
        T result;
        try {
            result = future.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            failed(cb.getCurrentTimestamp() - start, cause);
            throw unchecked(cause);
        } catch (TimeoutException e) {
            future.cancel(true);
            CallTimeoutException timedOut = new CallTimeoutException(name, timeout);
            failed(cb.getCurrentTimestamp() - start, timedOut);
            throw timedOut;
        } catch (InterruptedException e) {
            future.cancel(true);
            cb.releasePermission();
            Thread.currentThread().interrupt();
            throw new ProviderCallException(name, "interrupted while waiting for provider '" + name + "'", e);
        }
        completed(cb.getCurrentTimestamp() - start, Long.MAX_VALUE, timeout, result);
        return result;
    }

    /**
     * Runs {@code call} on the caller's thread. The caller bounds the call itself (HTTP client
     * timeout, socket timeout); a call that still returns after {@code timeout} is recorded as a
     * {@link CallTimeoutException} failure and its result returned. Allocates nothing beyond what
     * resilience4j's own breaker allocates.
     *
     * @param timeout positive
     * @throws CallRejectedException when the breaker is open or forced open (the call is not made)
     * @throws ProviderCallException wrapping a checked exception of the call
     * @throws IllegalArgumentException when the timeout is not positive
     */
    public <T> T callInline(Duration timeout, ProviderCall<T> call) {
        long timeoutNanos = timeoutNanos(timeout);
        long start = admit(call);
        T result;
        try {
            result = call.call();
        } catch (Throwable t) {
            throw failedInline(cb.getCurrentTimestamp() - start, t);
        }
        long elapsed = cb.getCurrentTimestamp() - start;
        // Hot path kept small so the JIT can inline it into callers; rare outcomes go out of line.
        if (unit.toNanos(elapsed) > timeoutNanos || (result != null && isFaultResult(result))) {
            completed(elapsed, timeoutNanos, timeout, result);
        } else {
            // onResult rather than onSuccess (same effect: the result predicates are resilience4j's
            // no-op defaults): it is the entry resilience4j's own decorators use, and measured in
            // bench it keeps this method small enough for the JIT to inline into its caller.
            cb.onResult(elapsed, unit, result);
            if (cb.getState() != observed) {
                observeSlow();
            }
        }
        return result;
    }

    /** Takes the breaker's permission for {@code call}; returns the start timestamp. */
    private long admit(ProviderCall<?> call) {
        Objects.requireNonNull(call, "call must not be null");
        Switch switchBefore = applied; // a plain load on x86; lets a refusal name a switch released meanwhile
        if (!cb.tryAcquirePermission()) {
            throw rejected(switchBefore);
        }
        return cb.getCurrentTimestamp();
    }

    private RuntimeException failedInline(long elapsed, Throwable t) {
        failed(elapsed, t);
        if (t instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return unchecked(t);
    }

    /**
     * {@link #call} with retries for calls that are safe to repeat: up to
     * {@link BreakerConfig#maxAttempts()} attempts, each through the breaker with the full timeout,
     * waiting {@link BreakerConfig#retryBackoff()} or the provider's Retry-After (from a
     * {@link ProviderException}, a {@link ProviderResponse} or an {@link HttpResponse}'s header),
     * whichever is longer, on the calling thread. Retried: failures that count (see the class
     * description). Not retried: client errors, a rejection (the breaker opened: the
     * {@link CallRejectedException} is thrown at once) and failures whose Retry-After exceeds
     * {@link BreakerConfig#maxRetryAfter()}. When attempts run out the last failure is thrown, or
     * the last faulty response returned.
     */
    public <T> T callIdempotent(Duration timeout, ProviderCall<T> call) {
        timeoutNanos(timeout);
        Objects.requireNonNull(call, "call must not be null");
        if (retry == null) {
            return call(timeout, call);
        }
        CheckedSupplier<T> attempt = () -> call(timeout, call);
        try {
            return Retry.decorateCheckedSupplier(retry, attempt).get();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) { // cannot happen: every attempt throws unchecked
            throw new ProviderCallException(name, "call to provider '" + name + "' failed", t);
        }
    }

    /**
     * {@link #call} that answers {@code fallback.apply(failure)} instead of throwing when the call
     * is rejected ({@link CallRejectedException}), fails, times out, or returns a response that is a
     * provider fault (the fallback then receives a {@link ProviderException} with its status).
     * {@link Error}s are not caught. The fallback runs on the caller's thread.
     */
    public <T> T callWithFallback(Duration timeout, ProviderCall<T> call,
            Function<? super RuntimeException, ? extends T> fallback) {
        timeoutNanos(timeout); // a bad argument is the caller's mistake, not a reason to fall back
        Objects.requireNonNull(call, "call must not be null");
        Objects.requireNonNull(fallback, "fallback must not be null");
        T result;
        try {
            result = call(timeout, call);
        } catch (RuntimeException e) {
            return fallback.apply(e);
        }
        if (result != null && isFaultResult(result)) {
            return fallback.apply(faultOf(result));
        }
        return result;
    }

    /** A point-in-time view for status pages. */
    public BreakerSnapshot snapshot() {
        observe();
        CircuitBreaker.Metrics m = cb.getMetrics();
        BreakerState s = BreakerState.of(cb.getState());
        return new BreakerSnapshot(name, s, s == BreakerState.FORCED_OPEN || s == BreakerState.DISABLED,
                m.getFailureRate(), m.getSlowCallRate(), m.getNumberOfBufferedCalls(), m.getNumberOfFailedCalls(),
                m.getNumberOfNotPermittedCalls(), s.rejectsCalls() ? retryAfter(s) : Duration.ZERO);
    }

    /**
     * A health check for this breaker: UP when CLOSED or DISABLED, DEGRADED when HALF_OPEN, OPEN or
     * FORCED_OPEN (never DOWN: the service runs, work waits), with the {@link BreakerSnapshot#toDetails()
     * snapshot's details}. Cheap and non-blocking; safe from any thread.
     */
    public HealthCheck healthCheck() {
        return () -> {
            BreakerSnapshot s = snapshot();
            HealthStatus status = s.state() == BreakerState.CLOSED || s.state() == BreakerState.DISABLED
                    ? HealthStatus.UP : HealthStatus.DEGRADED;
            return HealthResult.of(status, s.toDetails());
        };
    }

    /**
     * Registers a listener for state changes. It runs on the thread that saw the change (a caller's
     * thread or the {@code opskit-breaker-switches} refresher), while the breaker's transition lock
     * is held: it must be quick and must not call this breaker. An exception it throws is logged and
     * otherwise ignored.
     */
    public void onTransition(Consumer<BreakerTransition> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
    }

    /** The state without noticing transitions, for a gauge read during a scrape (no listeners run). */
    BreakerState currentState() {
        return BreakerState.of(cb.getState());
    }

    /** The resilience4j breaker underneath, for metrics binding. */
    CircuitBreaker circuitBreaker() {
        return cb;
    }

    // ---- outcome recording

    private void completed(long elapsed, long timeoutNanos, Duration timeout, Object result) {
        if (timeoutNanos != Long.MAX_VALUE && unit.toNanos(elapsed) > timeoutNanos) {
            failed(elapsed, new CallTimeoutException(name, timeout));
        } else if (result != null && isFaultResult(result)) {
            failed(elapsed, faultOf(result));
        } else {
            cb.onSuccess(elapsed, unit);
            if (cb.getState() != observed) {
                observeSlow();
            }
        }
    }

    private void failed(long elapsed, Throwable t) {
        if (t instanceof Error) {
            cb.releasePermission(); // our process is in trouble, not the provider
        } else {
            if (!ignored(t) && countsAsFailure(t)) {
                lastFailure = t;
            }
            cb.onError(elapsed, unit, t);
        }
        observe();
    }

    private boolean ignored(Throwable t) {
        if (t instanceof InterruptedException || t instanceof CallRejectedException) {
            return true;
        }
        for (Class<? extends Throwable> type : config.ignoredExceptions()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static boolean countsAsFailure(Throwable t) {
        if (t instanceof ProviderException pe) {
            return pe.isProviderFault();
        }
        return true; // I/O errors, timeouts and anything unexpected: assume the provider is in trouble
    }

    private boolean retryable(Throwable t) {
        if (t instanceof CallRejectedException) {
            return false;
        }
        Throwable cause = t instanceof ProviderCallException && !(t instanceof CallTimeoutException) && t.getCause() != null
                ? t.getCause() : t;
        return !ignored(cause) && countsAsFailure(cause)
                && retryAfterOf(cause).compareTo(config.maxRetryAfter()) <= 0;
    }

    static boolean isFaultResult(Object result) {
        int status = statusOf(result);
        return status > 0 && ProviderResponse.isProviderFault(status);
    }

    private static int statusOf(Object result) {
        if (result instanceof ProviderResponse p) {
            return p.statusCode();
        }
        if (result instanceof HttpResponse<?> h) {
            return h.statusCode();
        }
        return -1;
    }

    private static Duration retryAfterOf(Throwable t) {
        return t instanceof ProviderException pe ? pe.retryAfter().orElse(Duration.ZERO) : Duration.ZERO;
    }

    private Duration retryAfterOfResult(Object result) {
        if (result instanceof ProviderResponse p) {
            return p.retryAfter().orElse(Duration.ZERO);
        }
        if (result instanceof HttpResponse<?> h) {
            return h.headers().firstValue("Retry-After")
                    .flatMap(v -> ProviderResponse.parseRetryAfter(v, clock)).orElse(Duration.ZERO);
        }
        return Duration.ZERO;
    }

    private ProviderException faultOf(Object result) {
        int status = statusOf(result);
        Duration after = retryAfterOfResult(result);
        return new ProviderException("provider '" + name + "' answered " + status, status,
                after.isZero() ? null : after);
    }

    private RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new ProviderCallException(name, "call to provider '" + name + "' failed: " + t, t);
    }

    private static long timeoutNanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout must not be null");
        long seconds = timeout.getSeconds();
        if (seconds < 0 || (seconds == 0 && timeout.getNano() == 0)) {
            throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
        }
        // Beyond ~292 years toNanos() overflows; such a timeout never expires anyway.
        return seconds >= 9_000_000_000L ? Long.MAX_VALUE - 1 : seconds * 1_000_000_000L + timeout.getNano();
    }

    // ---- rejection

    private CallRejectedException rejected(Switch switchBefore) {
        // The state may change between the refusal and here (a switch released a moment ago):
        // describe the refusing state, which is the current one or else the last one seen.
        BreakerState seen = BreakerState.of(observed);
        BreakerState now = BreakerState.of(cb.getState());
        observe();
        BreakerState s = now.rejectsCalls() || now == BreakerState.HALF_OPEN ? now
                : seen.rejectsCalls() || seen == BreakerState.HALF_OPEN ? seen : now;
        if (switchBefore == Switch.FORCE_OPEN && !s.rejectsCalls()) {
            s = BreakerState.FORCED_OPEN; // released since: the call was still refused by the switch
        }
        return new CallRejectedException(name, retryAfter(s), s == BreakerState.FORCED_OPEN);
    }

    private Duration retryAfter(BreakerState s) {
        long now = clock.millis();
        return switch (s) {
            case OPEN -> Duration.ofMillis(Math.max(0, openedAtMillis + config.waitInOpenState().toMillis() - now));
            // No automatic end: come back after one open-state wait; the switch may be gone by then.
            case FORCED_OPEN -> config.waitInOpenState();
            case HALF_OPEN -> {
                Duration left = Duration.ofMillis(Math.max(0,
                        halfOpenSinceMillis + config.maxWaitInHalfOpenState().toMillis() - now));
                yield left.compareTo(HALF_OPEN_RETRY_CAP) < 0 ? left : HALF_OPEN_RETRY_CAP;
            }
            case CLOSED, DISABLED -> Duration.ZERO;
        };
    }

    // ---- switches and transitions

    /** Applies an operator switch; called by the registry's refresher. */
    synchronized void applySwitch(Switch desired) {
        Switch before = applied;
        applied = desired;
        CircuitBreaker.State s = cb.getState();
        try {
            switch (desired) {
                case FORCE_OPEN -> {
                    if (s != CircuitBreaker.State.FORCED_OPEN) {
                        pendingCause = "operator switch " + openSwitch + "=true";
                        cb.transitionToForcedOpenState();
                    }
                }
                case DISABLE -> {
                    if (s != CircuitBreaker.State.DISABLED) {
                        pendingCause = "operator switch " + disabledSwitch + "=true";
                        cb.transitionToDisabledState();
                    }
                }
                case NONE -> {
                    if (before != Switch.NONE
                            && (s == CircuitBreaker.State.FORCED_OPEN || s == CircuitBreaker.State.DISABLED)) {
                        pendingCause = "operator switch " + (before == Switch.FORCE_OPEN ? openSwitch : disabledSwitch)
                                + " removed";
                        cb.transitionToClosedState();
                    }
                }
            }
        } catch (RuntimeException e) {
            pendingCause = null;
            log.warn("{} - circuit breaker could not apply switch {}: {}", name, desired, e.toString());
        }
        observeSlow();
    }

    Switch appliedSwitch() {
        return applied;
    }

    /** Cheap check on the call path; the slow path runs only when the state changed. */
    void observe() {
        if (cb.getState() != observed) {
            observeSlow();
        }
    }

    private synchronized void observeSlow() {
        CircuitBreaker.State before = observed;
        CircuitBreaker.State now = cb.getState();
        if (now == before) {
            return;
        }
        // A failure tripping the breaker can race with a switch: the switch wins.
        if (applied == Switch.FORCE_OPEN && now != CircuitBreaker.State.FORCED_OPEN) {
            cb.transitionToForcedOpenState();
            now = cb.getState();
        } else if (applied == Switch.DISABLE && now != CircuitBreaker.State.DISABLED) {
            cb.transitionToDisabledState();
            now = cb.getState();
        }
        if (now == before) {
            return;
        }
        observed = now;
        long at = clock.millis();
        if (now == CircuitBreaker.State.OPEN) {
            openedAtMillis = at;
        } else if (now == CircuitBreaker.State.HALF_OPEN) {
            halfOpenSinceMillis = at;
        }
        // One reading of the metrics: calls still in flight keep recording into them, so reading
        // them twice could show two different rates for the same transition.
        CircuitBreaker.Metrics m = cb.getMetrics();
        float failureRate = m.getFailureRate();
        float slowCallRate = m.getSlowCallRate();
        int bufferedCalls = m.getNumberOfBufferedCalls();
        BreakerState from = BreakerState.of(before);
        BreakerState to = BreakerState.of(now);
        String cause = pendingCause != null ? pendingCause : describe(from, to, failureRate, slowCallRate, bufferedCalls);
        pendingCause = null;
        BreakerTransition transition = new BreakerTransition(name, from, to, failureRate, slowCallRate,
                cause, clock.instant());
        if (to == BreakerState.CLOSED || to == BreakerState.HALF_OPEN) {
            log.info("{} - circuit breaker {} -> {}: {}", name, from, to, cause);
        } else {
            log.warn("{} - circuit breaker {} -> {}: {}", name, from, to, cause);
        }
        for (Consumer<BreakerTransition> listener : listeners) {
            try {
                listener.accept(transition);
            } catch (RuntimeException e) {
                log.warn("{} - circuit breaker transition listener {} failed: {}", name, listener, e.toString());
            }
        }
    }

    /**
     * The cause of a transition in words. When it opens on the rates, names the one rate that
     * tripped it (the failure rate when it reached its threshold, as resilience4j checks it first,
     * else the slow-call rate), read from the same metrics as the {@link BreakerTransition}.
     */
    private String describe(BreakerState from, BreakerState to, float failureRate, float slowCallRate,
            int bufferedCalls) {
        return switch (to) {
            case OPEN -> {
                if (from == BreakerState.HALF_OPEN && bufferedCalls < config.permittedCallsInHalfOpenState()) {
                    yield "half-open probe calls did not finish within maxWaitInHalfOpenState "
                            + config.maxWaitInHalfOpenState() + " (a hung call?); open again for "
                            + config.waitInOpenState();
                }
                boolean slowCalls = failureRate < config.failureRateThreshold()
                        && slowCallRate >= config.slowCallRateThreshold();
                String trippedRate = slowCalls
                        ? "slow-call rate " + rate(slowCallRate) + " (threshold " + rate(config.slowCallRateThreshold()) + ")"
                        : "failure rate " + rate(failureRate) + " (threshold " + rate(config.failureRateThreshold()) + ")";
                yield (from == BreakerState.HALF_OPEN ? "probe calls failed: " : "")
                        + trippedRate + " over " + bufferedCalls
                        + " calls; last failure: " + describe(lastFailure) + "; open for " + config.waitInOpenState();
            }
            case HALF_OPEN -> "waited " + config.waitInOpenState() + " in open state; letting "
                    + config.permittedCallsInHalfOpenState() + " probe call(s) through";
            case CLOSED -> from == BreakerState.HALF_OPEN
                    ? "probe calls succeeded"
                    : "reset to closed";
            case FORCED_OPEN -> "forced open";
            case DISABLED -> "disabled";
        };
    }

    private static String describe(@Nullable Throwable t) {
        if (t == null) {
            return "none recorded";
        }
        String msg = t.getMessage();
        String s = t.getClass().getName() + (msg == null ? "" : ": " + msg);
        return s.length() <= 300 ? s : s.substring(0, 299) + "…";
    }

    private static String rate(float percent) {
        return percent < 0 ? "n/a" : String.format(java.util.Locale.ROOT, "%.1f%%", percent);
    }

    @Override
    public String toString() {
        return "ProviderBreaker[" + name + ", " + BreakerState.of(cb.getState()) + "]";
    }
}
