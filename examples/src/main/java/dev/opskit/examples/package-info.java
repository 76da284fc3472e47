/**
 * The example service: every opskit module wired into one small HTTP service (health, metrics,
 * job queue with breakers, dead letters, migration-guard at start-up) on an embedded PostgreSQL
 * when {@code DATABASE_URL} is not set. Started by the README's first command.
 */
@NullMarked
package dev.opskit.examples;

import org.jspecify.annotations.NullMarked;
