/**
 * An operator's web console for the job queue and the dead letters, embedded in the application:
 * {@link dev.opskit.console.ConsoleEndpoint} is a framework-neutral {@link dev.opskit.health.HttpEndpoint}
 * that serves one page (HTML, CSS and plain JavaScript from the jar, nothing from the network) and a
 * JSON API; {@link dev.opskit.console.ConsoleMetrics} counts its actions. Arguments are never
 * {@code null} unless a method says so.
 */
@NullMarked
package dev.opskit.console;

import org.jspecify.annotations.NullMarked;
