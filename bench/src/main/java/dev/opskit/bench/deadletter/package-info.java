/**
 * Dead-letter load harness: add rate, replay-all rate and purge of a million letters while inserts
 * continue, on an embedded PostgreSQL. Not published.
 */
package dev.opskit.bench.deadletter;
