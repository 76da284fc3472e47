/**
 * The example service: every opskit module wired into one small HTTP service (health, metrics,
 * job queue with breakers, dead letters, migration-guard at start-up) on an embedded PostgreSQL
 * when {@code DATABASE_URL} is not set. Started by the README's first command.
 */
package dev.opskit.examples;
