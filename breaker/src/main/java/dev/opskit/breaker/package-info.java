/**
 * Circuit breakers for external providers (OpenAI, Stripe, an e-mail service), on resilience4j.
 *
 * <p>{@link dev.opskit.breaker.ProviderBreakers} holds one
 * {@link dev.opskit.breaker.ProviderBreaker} per provider, configured by
 * {@link dev.opskit.breaker.BreakerConfig} (presets and a checked builder), switchable by an
 * operator at run time ({@link dev.opskit.breaker.SwitchSource}). A call the breaker refuses
 * throws {@link dev.opskit.breaker.CallRejectedException}, which is never a failure of the
 * provider: work that meets it waits instead of failing. Metrics come from
 * {@link dev.opskit.breaker.BreakerMetrics}; health from
 * {@link dev.opskit.breaker.ProviderBreakers#healthChecks()}.
 *
 * <p>Arguments are non-null unless a parameter says otherwise.
 */
@NullMarked
package dev.opskit.breaker;

import org.jspecify.annotations.NullMarked;
