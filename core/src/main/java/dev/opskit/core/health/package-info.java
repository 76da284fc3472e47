/**
 * The health-check contract every module offers checks through ({@code HealthCheck},
 * {@code HealthResult}, {@code HealthStatus}), without depending on the {@code health} module that
 * runs and serves them.
 */
@NullMarked
package dev.opskit.core.health;

import org.jspecify.annotations.NullMarked;
