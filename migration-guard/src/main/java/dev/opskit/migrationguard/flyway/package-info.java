/**
 * Flyway integration. The only package that needs Flyway (an optional dependency) on the classpath.
 */
@NullMarked
package dev.opskit.migrationguard.flyway;

import org.jspecify.annotations.NullMarked;
