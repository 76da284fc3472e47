/**
 * Liveness, readiness and startup probes that never hang.
 *
 * <p>{@link dev.opskit.health.HealthRegistry} runs named {@link dev.opskit.core.health.HealthCheck}s
 * in the background with a timeout each and aggregates them per group into
 * {@link dev.opskit.health.HealthReport}s; {@link dev.opskit.health.HealthEndpoint} answers HTTP
 * requests about them independently of any server, and {@link dev.opskit.health.HealthServer} serves
 * it on the JDK's built-in server. {@link dev.opskit.health.HealthChecks} and
 * {@link dev.opskit.health.HikariPoolCheck} are the built-in checks, {@link dev.opskit.health.HealthMetrics}
 * the Micrometer binder. Arguments are never {@code null} unless a method says so.
 */
@NullMarked
package dev.opskit.health;

import org.jspecify.annotations.NullMarked;
