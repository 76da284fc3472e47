package dev.opskit.core.health;

/**
 * One health check: a database ping, a pool's state, a breaker's state, a queue's backlog.
 *
 * <p>Lives in {@code core} so that every module can offer checks without depending on the
 * {@code health} module, which runs them (in the background, with a timeout each) and serves them
 * over HTTP.
 *
 * <p>Implementations should answer quickly and must be safe to call from any thread; the runner
 * calls {@link #check()} from its own executor and interrupts it when its timeout expires. A
 * check may throw: the runner turns the exception into a {@link HealthStatus#DOWN} result with the
 * exception's type and message.
 */
@FunctionalInterface
public interface HealthCheck {

    /**
     * Runs the check once.
     *
     * @return the result; never {@code null} (a runner treats {@code null} as DOWN)
     * @throws Exception when the check could not be performed, which counts as DOWN
     */
    HealthResult check() throws Exception;
}
