/**
 * Job-queue load harness: opskit beside db-scheduler and JobRunr on one embedded PostgreSQL
 * (burn-down, enqueue rate, latency), and the floors under them (bare round trip, LISTEN/NOTIFY).
 * Not published.
 */
package dev.opskit.bench.jobqueue;
