/**
 * Circuit breakers for external providers (OpenAI, Stripe, an e-mail service), on resilience4j.
 *
 * <p>{@link dev.opskit.core.breaker.ProviderBreakers} holds one
 * {@link dev.opskit.core.breaker.ProviderBreaker} per provider, configured by
 * {@link dev.opskit.core.breaker.BreakerConfig} (presets and a checked builder), switchable by an
 * operator at run time ({@link dev.opskit.core.breaker.SwitchSource}). A call the breaker refuses
 * throws {@link dev.opskit.core.breaker.CallRejectedException}, which is never a failure of the
 * provider: work that meets it waits instead of failing. Metrics come from
 * {@link dev.opskit.core.breaker.BreakerMetrics}; health from
 * {@link dev.opskit.core.breaker.ProviderBreakers#healthChecks()}.
 *
 * <p>Arguments are non-null unless a parameter says otherwise.
 */
package dev.opskit.core.breaker;
