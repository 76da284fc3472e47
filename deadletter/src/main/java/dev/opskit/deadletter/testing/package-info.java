/**
 * Test support for applications: {@code InMemoryDeadLetterStore}, a fake with the same contract as
 * the PostgreSQL store (run by the same contract tests), for unit tests without a database.
 */
@NullMarked
package dev.opskit.deadletter.testing;

import org.jspecify.annotations.NullMarked;
