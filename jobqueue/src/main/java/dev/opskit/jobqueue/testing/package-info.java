/**
 * Test support for applications: {@code InMemoryJobQueue}, a fake queue with the same contract as
 * the PostgreSQL one (run by the same contract tests) on a {@code ManualClock}, for unit tests
 * without a database.
 */
@NullMarked
package dev.opskit.jobqueue.testing;

import org.jspecify.annotations.NullMarked;
