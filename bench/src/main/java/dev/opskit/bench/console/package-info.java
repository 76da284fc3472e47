/**
 * Console harness: the queue-summary API over HTTP against a million jobs on an embedded
 * PostgreSQL. Not published.
 */
package dev.opskit.bench.console;
