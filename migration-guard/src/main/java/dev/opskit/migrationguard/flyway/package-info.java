/**
 * Flyway integration. The only package that needs Flyway (an optional dependency) on the classpath.
 */
package dev.opskit.migrationguard.flyway;
