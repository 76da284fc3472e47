/**
 * Health probe load test: a cached probe over HTTP on the JDK server with a closed-loop load
 * generator in the same JVM. Not published.
 */
package dev.opskit.bench.health;
